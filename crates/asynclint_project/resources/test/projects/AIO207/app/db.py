import asyncio

__all__ = ["fetch_all", "Repo"]


async def fetch_all():
    await asyncio.sleep(0)
    return [1, 2, 3]


class Repo:
    async def iter_rows(self):
        yield 1

    async def get(self, key):
        await asyncio.sleep(0)
        return key
