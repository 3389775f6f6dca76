"""The event loop is blocked by `time.sleep` in a sync helper of another module."""

import asyncio

from app.worker import handle


async def main():
    await asyncio.sleep(0.06)
    await handle()
    await asyncio.sleep(0.06)


asyncio.run(main())
