"""A producer fills an unbounded queue much faster than the consumer drains it."""

import asyncio


async def producer(queue):
    for i in range(5000):
        await queue.put(i)


async def consumer(queue):
    for _ in range(100):
        await queue.get()
        await asyncio.sleep(0)


async def main():
    queue = asyncio.Queue()
    bounded = asyncio.Queue(maxsize=10)
    await asyncio.gather(producer(queue), consumer(queue))
    bounded.put_nowait(1)


asyncio.run(main())
