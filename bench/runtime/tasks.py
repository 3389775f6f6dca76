"""100k short tasks: create, schedule, finish (each awaits once), in batches of 1000."""

import asyncio
import json
import sys
import time

TASKS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
BATCH = 1000


async def work(i):
    await asyncio.sleep(0)
    return i


async def main():
    total = 0
    for start in range(0, TASKS, BATCH):
        tasks = [asyncio.create_task(work(i)) for i in range(start, start + BATCH)]
        total += sum(await asyncio.gather(*tasks))
    return total


started = time.perf_counter()
cpu = time.process_time()
asyncio.run(main())
print(
    json.dumps(
        {
            "workload": "tasks",
            "n": TASKS,
            "seconds": time.perf_counter() - started,
            "cpu": time.process_time() - cpu,
        }
    )
)
