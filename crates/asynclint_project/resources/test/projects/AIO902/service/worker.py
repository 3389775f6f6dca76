import asyncio


class Worker:
    def __init__(self, queue):
        self.queue = queue

    async def run(self):
        while True:
            item = await self.queue.get()
            for attempt in range(3):
                if await self.process(item):
                    break

    async def process(self, item):
        await asyncio.sleep(0)
        return True


async def run_worker():
    worker = Worker(asyncio.Queue())
    await worker.run()
