import asyncio


async def main():
    stop = asyncio.Event()
    await stop.wait()


async def forever_future():
    await asyncio.get_running_loop().create_future()


if __name__ == "__main__":
    asyncio.run(main())  # error: [service-without-signal-handling]
    asyncio.run(forever_future())  # error: [service-without-signal-handling]
