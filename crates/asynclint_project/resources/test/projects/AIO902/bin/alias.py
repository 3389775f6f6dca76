import asyncio

from service import run_app as entry

asyncio.run(entry())  # error: [service-without-signal-handling]
