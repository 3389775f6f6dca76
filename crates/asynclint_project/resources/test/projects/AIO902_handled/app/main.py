# --- must not trigger --- (another module of the project installs a SIGTERM handler)
import asyncio

from app.signals import install_handlers


async def main():
    install_handlers()
    while True:
        await asyncio.sleep(1)


asyncio.run(main())
