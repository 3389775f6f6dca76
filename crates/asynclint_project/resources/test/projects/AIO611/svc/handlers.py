import asyncio
import functools
import importlib

import anyio.to_thread

import svc.jobs as jobs
from legacy import jobs as legacy_jobs
from legacy.jobs import refresh as legacy_refresh
from svc import refresh_all
from svc.jobs import Cache, compute
from svc.jobs import refresh as do_refresh


async def handler(key, executor):
    await asyncio.to_thread(do_refresh, key)  # error: [to-thread-with-coroutine-function]
    await asyncio.to_thread(refresh_all, key)  # error: [to-thread-with-coroutine-function]
    await asyncio.to_thread(jobs.refresh, key)  # error: [to-thread-with-coroutine-function]
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(executor, functools.partial(jobs.refresh, key))  # error: [to-thread-with-coroutine-function]
    await anyio.to_thread.run_sync(lambda: do_refresh(key))  # error: [to-thread-with-coroutine-function]
    cache = Cache()
    await asyncio.to_thread(cache.warm, key)  # error: [to-thread-with-coroutine-function]
    await asyncio.to_thread(Cache.rebuild)  # error: [to-thread-with-coroutine-function]


# must not trigger


async def fine(key, executor):
    await asyncio.to_thread(compute, key)
    await asyncio.to_thread(legacy_refresh, key)
    await asyncio.to_thread(legacy_jobs.refresh, key)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(executor, Cache().size)
    await do_refresh(key)
    await Cache().warm(key)


async def shadowed(do_refresh, jobs, key):
    await asyncio.to_thread(do_refresh, key)
    await asyncio.to_thread(jobs.refresh, key)


async def dynamic(name, key):
    module = importlib.import_module(name)
    await asyncio.to_thread(module.refresh, key)
    await asyncio.to_thread(getattr(jobs, name), key)


async def unknown_objects(client, key):
    await asyncio.to_thread(client.refresh, key)
    await asyncio.to_thread(client.warm, key)
