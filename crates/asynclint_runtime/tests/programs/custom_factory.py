"""The program sets its own task factories, before and while the loop runs: both keep working
under the monitor, which wraps them."""

import asyncio

calls = []


def before(loop, coro, **kwargs):
    calls.append("before")
    return asyncio.Task(coro, loop=loop, **kwargs)


def during(loop, coro, **kwargs):
    calls.append("during")
    return asyncio.Task(coro, loop=loop, **kwargs)


async def fail():
    raise ValueError("lost")


async def main():
    loop = asyncio.get_running_loop()
    loop.set_task_factory(during)
    assert loop.get_task_factory() is during
    asyncio.create_task(fail())
    await asyncio.sleep(0.01)


loop = asyncio.new_event_loop()
loop.set_task_factory(before)
loop.run_until_complete(main())
loop.close()
print(" ".join(calls))
