import asyncio

from crawl.limits import fetch_limited


async def fetch_page(session, url):
    async with session.get(url) as response:
        return await response.text()


async def fetch_via_limited(session, url):
    return await fetch_limited(session, url)


async def fetch_with_acquire(session, url, sem):
    await sem.acquire()
    try:
        return await fetch_page(session, url)
    finally:
        sem.release()


class Client:
    def __init__(self, session):
        self.session = session
        self._gate = asyncio.BoundedSemaphore(5)

    async def get(self, url):
        async with self.session.get(url) as response:
            return await response.text()

    async def get_limited(self, url):
        async with self._gate:
            return await self.get(url)

    async def get_all(self, urls):
        return await asyncio.gather(*[self.get(u) for u in urls])  # error: [unbounded-fan-out]

    async def get_all_limited(self, urls):
        return await asyncio.gather(*[self.get_limited(u) for u in urls])
