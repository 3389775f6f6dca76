from contextlib import asynccontextmanager

import somelib


@asynccontextmanager
async def opened(path):
    yield path


class Resource(somelib.AsyncBase):
    """A third-party base may provide `__aenter__`."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None
