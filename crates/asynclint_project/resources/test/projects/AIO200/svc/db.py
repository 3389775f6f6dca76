import importlib


async def fetch(key):
    return key


async def stream():
    yield 1


def fetch_sync(key):
    return key


class Client:
    async def close(self):
        pass

    def reset(self):
        pass

    @classmethod
    async def create(cls):
        return cls()
