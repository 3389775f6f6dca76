"""A task waits on a future nobody else references: the garbage collector destroys both."""

import asyncio
import gc


async def wait_for_reply(reply):
    await reply


async def main():
    loop = asyncio.get_running_loop()
    asyncio.create_task(wait_for_reply(loop.create_future()))
    await asyncio.sleep(0.01)
    gc.collect()
    await asyncio.sleep(0.01)


asyncio.run(main())
