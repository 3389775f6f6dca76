import functools
from typing import overload


async def fetch_user(user_id):
    return {"id": user_id}


async def save(user):
    return user


def load_sync(user_id):
    return user_id


async def stream_users():
    yield 1


def retry(fn):
    @functools.wraps(fn)
    async def wrapper(*args, **kwargs):
        return await fn(*args, **kwargs)

    return wrapper


@retry
async def flaky_fetch(key):
    return key


@overload
async def load(key: int) -> int: ...
@overload
async def load(key: str) -> str: ...
async def load(key):
    return key


class Repo:
    async def get(self, key):
        return key

    def get_sync(self, key):
        return key

    @classmethod
    async def create(cls):
        return cls()

    async def refresh(self):
        pending = self.get("key")  # error: [coroutine-assigned-never-awaited]
        created = await self.create()
        return created

    @classmethod
    async def build(cls):
        instance = cls.create()  # error: [coroutine-assigned-never-awaited]
        return None

    @property
    async def ready(self):
        return True

    async def uses_property(self):
        state = self.ready
        return state
