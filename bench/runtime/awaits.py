"""1M awaited coroutine calls in one task: the cost the monitor adds per coroutine (origin
tracking), with no task creation at all."""

import asyncio
import json
import sys
import time

CALLS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000


async def add(a, b):
    return a + b


async def main():
    total = 0
    for i in range(CALLS):
        total = await add(total, i)
    return total


started = time.perf_counter()
cpu = time.process_time()
asyncio.run(main())
print(
    json.dumps(
        {
            "workload": "awaits",
            "n": CALLS,
            "seconds": time.perf_counter() - started,
            "cpu": time.process_time() - cpu,
        }
    )
)
