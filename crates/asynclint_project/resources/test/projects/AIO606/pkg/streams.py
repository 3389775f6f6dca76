import asyncio


async def tail(path):
    handle = await asyncio.to_thread(open, path)
    try:
        while True:
            line = await asyncio.to_thread(handle.readline)
            if not line:
                return
            yield line
    finally:
        await asyncio.to_thread(handle.close)


async def rows(pool, query):
    async with pool.acquire() as conn:
        async for row in conn.cursor(query):
            yield row


async def numbers():
    yield 1
    yield 2


class Reader:
    def __init__(self):
        self.lock = asyncio.Lock()

    async def chunks(self):
        async with self.lock:
            yield b"chunk"

    @classmethod
    async def open_all(cls):
        try:
            yield cls()
        finally:
            await asyncio.sleep(0)

    async def first_chunk(self):
        async for chunk in self.chunks():  # error: [async-generator-not-closed]
            return chunk
        return None

    @classmethod
    async def first_reader(cls):
        async for reader in cls.open_all():  # error: [async-generator-not-closed]
            return reader
        return None
