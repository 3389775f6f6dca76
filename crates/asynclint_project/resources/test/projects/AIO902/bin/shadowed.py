# --- must not trigger ---
import asyncio

from service.app import main


async def main():  # noqa: F811 (shadows the imported service)
    await asyncio.sleep(1)


asyncio.run(main())
