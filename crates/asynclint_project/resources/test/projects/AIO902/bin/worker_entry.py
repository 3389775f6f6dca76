import asyncio

from service.worker import run_worker


def cli():
    asyncio.run(run_worker())  # error: [service-without-signal-handling]
