# --- must not trigger ---
import asyncio
import functools
import importlib

import thirdparty

from service.app import once


async def script():
    await once()


async def loop_with_break(queue):
    while True:
        item = await queue.get()
        if item is None:
            break


async def loop_with_return(queue):
    while True:
        if await queue.get() is None:
            return


async def stop_condition(stop):
    while not stop.is_set():
        await asyncio.sleep(1)


async def event_shared(register):
    stop = asyncio.Event()
    register(stop)
    await stop.wait()


async def unknown_server(make_server):
    server = make_server()
    await server.serve_forever()


async def long_sleep():
    await asyncio.sleep(3600)


def logged(fn):
    @functools.wraps(fn)
    async def wrapper():
        return await fn()

    return wrapper


@logged
async def decorated_forever():
    while True:
        await asyncio.sleep(1)


async def outer():
    asyncio.run(script())


def run_all():
    asyncio.run(script())
    asyncio.run(loop_with_break(asyncio.Queue()))
    asyncio.run(loop_with_return(asyncio.Queue()))
    asyncio.run(stop_condition(asyncio.Event()))
    asyncio.run(event_shared(print))
    asyncio.run(unknown_server(print))
    asyncio.run(long_sleep())
    asyncio.run(decorated_forever())
    asyncio.run(thirdparty.main())
    module = importlib.import_module("service.app")
    asyncio.run(module.main())
