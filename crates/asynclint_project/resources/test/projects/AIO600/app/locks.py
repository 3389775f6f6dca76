import typing
from contextlib import asynccontextmanager, contextmanager

import somelib

T = typing.TypeVar("T")


class AsyncOnlyLock:
    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return None


class DerivedLock(AsyncOnlyLock):
    """Inherits the async-only protocol."""


class GenericLock(typing.Generic[T]):
    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return None


class DualLock(AsyncOnlyLock):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None


class LibraryLock(somelib.Base):
    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return None


@asynccontextmanager
async def transaction():
    yield


@contextmanager
def sync_transaction():
    yield


def make_lock():
    return AsyncOnlyLock()


class Repo:
    def __init__(self):
        self._lock = AsyncOnlyLock()

    @asynccontextmanager
    async def session(self):
        yield self

    def save(self):
        with self.session():  # error: [sync-with-async-context-manager]
            pass
        with self._lock:  # error: [sync-with-async-context-manager]
            pass

    async def save_async(self):
        async with self.session():
            pass
        async with self._lock:
            pass
