import asyncio

from service.app import serve

if __name__ == "__main__":
    asyncio.run(serve())  # error: [service-without-signal-handling]
