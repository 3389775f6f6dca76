"""A coroutine that is called and never awaited."""

import asyncio


async def notify(user):
    await asyncio.sleep(0)


async def main():
    notify("ada")
    await asyncio.sleep(0.01)


asyncio.run(main())
