import asyncio


async def refresh(key):
    await asyncio.sleep(0)
    return key


def compute(key):
    return key * 2


class Cache:
    async def warm(self, key):
        await asyncio.sleep(0)
        return key

    def size(self):
        return 0

    @classmethod
    async def rebuild(cls):
        await asyncio.sleep(0)
        return cls

    async def warm_in_thread(self, key):
        return await asyncio.to_thread(self.warm, key)  # error: [to-thread-with-coroutine-function]

    @classmethod
    async def rebuild_in_thread(cls):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, cls.rebuild)  # error: [to-thread-with-coroutine-function]

    async def size_in_thread(self):
        return await asyncio.to_thread(self.size)
