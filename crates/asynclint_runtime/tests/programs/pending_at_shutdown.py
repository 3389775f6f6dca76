"""A background task is still running when `asyncio.run` shuts down: at once, or with
`--forever` when the program is interrupted."""

import asyncio
import sys


async def heartbeat():
    while True:
        await asyncio.sleep(3600)


async def main():
    background = asyncio.create_task(heartbeat())
    if "--forever" in sys.argv:
        print("running", flush=True)
        await asyncio.Event().wait()
    await asyncio.sleep(0.01)
    return background


asyncio.run(main())
