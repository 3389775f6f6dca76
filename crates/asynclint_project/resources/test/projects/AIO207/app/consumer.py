import importlib

import app.db as db
import app.streams
from app import Repo, fetch_all, rows
from app.streams import Feed, count_rows, stream_rows
from app.streams import stream_rows as rows_of
from other import streams as other_streams
from other.streams import stream_rows as sync_rows


async def positives(query):
    for row in stream_rows(query):  # error: [async-iteration-mismatch]
        print(row)
    for row in rows_of(query):  # error: [async-iteration-mismatch]
        print(row)
    for row in app.streams.stream_rows(query):  # error: [async-iteration-mismatch]
        print(row)
    async for value in db.fetch_all():  # error: [async-iteration-mismatch]
        print(value)
    async for value in fetch_all():  # error: [async-iteration-mismatch]
        print(value)
    async for n in count_rows(query):  # error: [async-iteration-mismatch]
        print(n)
    everything = await rows(query)  # error: [async-iteration-mismatch]
    repo = Repo()
    for row in repo.iter_rows():  # error: [async-iteration-mismatch]
        print(row)
    async for value in repo.get(1):  # error: [async-iteration-mismatch]
        print(value)
    squares = [row * row for row in Repo().iter_rows()]  # error: [async-iteration-mismatch]
    feed = Feed()
    first = await feed.events()  # error: [async-iteration-mismatch]
    return everything, squares, first


def sync_caller(query):
    return [row for row in stream_rows(query)]  # error: [async-iteration-mismatch]


# must not trigger


async def correct(query):
    async for row in stream_rows(query):
        print(row)
    for value in await db.fetch_all():
        print(value)
    total = await count_rows(query)
    async for row in Repo().iter_rows():
        print(row)
    values = [value async for value in rows(query)]
    return total, values


async def same_name_elsewhere(query):
    for row in sync_rows(query):
        print(row)
    for row in other_streams.stream_rows(query):
        print(row)
    for value in other_streams.fetch_all():
        print(value)


async def shadowed(stream_rows, db, query):
    for row in stream_rows(query):
        print(row)
    async for value in db.fetch_all():
        print(value)


async def local_shadow(query):
    def stream_rows(items):
        return list(items)

    for row in stream_rows(query):
        print(row)


async def dynamic(name, query):
    module = importlib.import_module(name)
    for row in module.stream_rows(query):
        print(row)
    for row in getattr(app.streams, name)(query):
        print(row)


async def unknown_objects(client, query):
    for row in client.stream_rows(query):
        print(row)
    async for value in client.fetch_all():
        print(value)
