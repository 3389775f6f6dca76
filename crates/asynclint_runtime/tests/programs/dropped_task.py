"""A fire-and-forget task raises; nobody ever looks at its exception."""

import asyncio


async def sync_inventory():
    await asyncio.sleep(0)
    raise RuntimeError("inventory service unavailable")


async def main():
    asyncio.create_task(sync_inventory())
    await asyncio.sleep(0.05)


asyncio.run(main())
