import asyncio

__all__ = ["LIMIT", "fetch_limited"]

LIMIT = asyncio.Semaphore(10)


async def fetch_limited(session, url):
    async with LIMIT:
        async with session.get(url) as response:
            return await response.text()
