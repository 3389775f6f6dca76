from __future__ import annotations

import asyncio
import importlib
from typing import TYPE_CHECKING

import tools.cache as c
from other import cache as other_cache
from tools import flush
from tools.cache import Cache
from tools.cache import flush as clear_all

if TYPE_CHECKING:
    from tools.protocols import Fetcher


async def job():
    await flush()  # error: [await-non-awaitable]
    await clear_all()  # error: [await-non-awaitable]
    await c.flush()  # error: [await-non-awaitable]
    cache = Cache()
    await cache.clear()  # error: [await-non-awaitable]
    await Cache.reset()  # error: [await-non-awaitable]
    await c.explicit_none()  # error: [await-non-awaitable]


# must not trigger


async def may_return_awaitables(key):
    await c.get_value(key)
    await c.make_waiter()
    await c.lookup(key)
    await c.generate()
    await c.decorated()


async def same_name_elsewhere():
    await other_cache.flush()


async def offloaded():
    await asyncio.to_thread(flush)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, c.flush)


async def protocols(fetcher: Fetcher):
    await fetcher.fetch()
    await fetcher.close()


async def shadowed(flush, c):
    await flush()
    await c.flush()


async def dynamic(name, obj):
    module = importlib.import_module(name)
    await module.flush()
    await getattr(c, name)()
    await obj.clear()
