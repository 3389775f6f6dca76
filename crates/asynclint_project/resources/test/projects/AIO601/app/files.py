from contextlib import asynccontextmanager, contextmanager

__all__ = ["BaseResource", "SyncResource", "opened"]


class BaseResource:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None


class SyncResource(BaseResource):
    def read(self):
        return b""


class DualResource(BaseResource):
    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return None


@contextmanager
def opened(path):
    yield path


@asynccontextmanager
async def aopened(path):
    yield path


class Store:
    @contextmanager
    def batch(self):
        yield self

    async def flush(self):
        async with self.batch():  # error: [async-with-sync-context-manager]
            pass
        with self.batch():
            pass
