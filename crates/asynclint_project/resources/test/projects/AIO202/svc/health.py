from typing import overload


async def is_ready():
    return True


def is_ready_sync():
    return True


async def ticks():
    yield 1


@overload
async def has_quota(user: int) -> bool: ...
@overload
async def has_quota(user: str) -> bool: ...
async def has_quota(user):
    return bool(user)


def cached(fn):
    return fn


@cached
async def decorated_check():
    return True


class Probe:
    async def alive(self):
        return True

    def alive_sync(self):
        return True

    @classmethod
    async def reachable(cls):
        return True

    async def check(self):
        if self.alive():  # error: [coroutine-in-boolean-context]
            return True
        while not self.alive():  # error: [coroutine-in-boolean-context]
            break
        if self.alive_sync():
            return True
        return False

    @classmethod
    async def poll(cls):
        assert cls.reachable()  # error: [coroutine-in-boolean-context]

    @property
    def predicate(self):
        return self.alive_sync

    def filtered(self, items):
        return [item for item in items if self.predicate()]
