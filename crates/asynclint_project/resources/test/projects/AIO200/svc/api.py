import asyncio
import importlib

from svc import db
from svc.db import Client, fetch as get
from other import db as other_db


async def handler(key):
    db.fetch(key)  # error: [unawaited-coroutine]
    get(key)  # error: [unawaited-coroutine]
    client = Client()
    client.close()  # error: [unawaited-coroutine]
    Client.create()  # error: [unawaited-coroutine]


def sync_entry(key):
    db.fetch(key)  # error: [unawaited-coroutine]


# must not trigger


async def fine(key, tg):
    await db.fetch(key)
    other_db.fetch(key)
    db.fetch_sync(key)
    db.stream()
    task = asyncio.create_task(db.fetch(key))
    tg.create_task(get(key))
    coros = [db.fetch(k) for k in key]
    await asyncio.gather(*coros)
    Client().reset()
    await task


def returns_coroutine(key):
    return db.fetch(key)


async def shadowed(db, fetch):
    db.fetch(1)
    fetch(1)


async def dynamic(name):
    module = importlib.import_module(name)
    module.fetch(1)
    getattr(db, name)(1)


async def local_shadow():
    def get(key):
        return key

    get(1)
