"""A background task is still running when `asyncio.run` shuts down."""

import asyncio


async def heartbeat():
    while True:
        await asyncio.sleep(3600)


async def main():
    background = asyncio.create_task(heartbeat())
    await asyncio.sleep(0.01)
    return background


asyncio.run(main())
