"""Thousands of short tasks (past the first 1000 a loop tracks one by one), then a
fire-and-forget task that fails."""

import asyncio


async def tick(i):
    await asyncio.sleep(0)
    return i


async def flaky():
    await asyncio.sleep(0)
    raise ConnectionError("reset by peer")


async def main():
    for _ in range(5):
        await asyncio.gather(*(tick(i) for i in range(1000)))
    asyncio.ensure_future(flaky())
    await asyncio.sleep(0.05)


asyncio.run(main())
