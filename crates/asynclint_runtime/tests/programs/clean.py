"""Well-behaved asyncio: nothing to report."""

import asyncio


async def work(i, queue):
    await asyncio.sleep(0.001)
    await queue.put(i)


async def main():
    queue = asyncio.Queue(maxsize=100)
    tasks = [asyncio.create_task(work(i, queue)) for i in range(50)]
    await asyncio.gather(*tasks)
    while not queue.empty():
        queue.get_nowait()
    try:
        await asyncio.wait_for(asyncio.sleep(1), timeout=0.01)
    except asyncio.TimeoutError:
        pass


asyncio.run(main())
