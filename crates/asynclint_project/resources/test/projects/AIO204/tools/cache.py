import asyncio
from typing import Awaitable, overload

_CACHE: dict = {}


def flush():
    _CACHE.clear()


def get_value(key):
    return _CACHE.get(key)


def make_waiter():
    return asyncio.sleep(0)


def explicit_none():
    _CACHE.clear()
    return None


def generate():
    yield 1


def to_async(fn):
    async def wrapper(*args):
        return fn(*args)

    return wrapper


@to_async
def decorated():
    _CACHE.clear()


@overload
def lookup(key: int) -> Awaitable[int]: ...
@overload
def lookup(key: str) -> Awaitable[str]: ...
def lookup(key):
    return make_waiter()


class Cache:
    def __init__(self, on_evict=None):
        self.items = {}
        self.on_evict = on_evict

    def clear(self):
        self.items = {}

    @classmethod
    def reset(cls):
        cls.count = 0

    def on_evict(self):
        self.items.clear()

    def hook(self):
        raise NotImplementedError

    def placeholder(self):
        """Subclasses override this with a coroutine."""

    @property
    def loader(self):
        self.items.clear()

    async def refresh(self):
        await self.clear()  # error: [await-non-awaitable]
        await self.reset()  # error: [await-non-awaitable]
        await self.hook()
        await self.placeholder()
        await self.on_evict()
        await self.loader()
