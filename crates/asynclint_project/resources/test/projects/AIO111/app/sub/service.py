import asyncio
import functools

import app
from app import config as cfg
from app.helpers import render
from ..config import retry_forever, pure, recursive_a
from .. import load_settings
from ..dual import (
    drain_all,
    drain_early_return,
    drain_inverted,
    drain_try,
    drain_with_name,
    make_stream,
    read_all,
    read_chunks,
)


class Base:
    def fetch_sync(self):
        return cfg.load_config("base.json")

    async def fetch(self):
        return 1


class Service(Base):
    def __init__(self):
        self.cache = {}

    def compute(self):
        return pure(2)

    async def handle(self):
        self.fetch_sync()  # error: [transitive-blocking-call]
        self.compute()
        super().fetch_sync()  # error: [transitive-blocking-call]
        await self.fetch()
        self.fetch()  # error: [unawaited-coroutine]


async def handler():
    render("index")  # error: [transitive-blocking-call]
    load_settings("x.json")  # error: [transitive-blocking-call]
    app.read_template("x")  # error: [transitive-blocking-call]
    retry_forever(pure)  # error: [transitive-blocking-call]
    pure(1)
    recursive_a(3)
    svc = Service()
    svc.fetch_sync()  # error: [transitive-blocking-call]
    svc.compute()
    Service().fetch()  # error: [unawaited-coroutine]
    cfg.sleep(1)  # error: [transitive-blocking-call]


async def offloaded():
    await asyncio.to_thread(cfg.load_config, "x.json")
    await asyncio.get_running_loop().run_in_executor(None, functools.partial(render, "x"))
    await asyncio.to_thread(lambda: render("x"))


async def shadowed(render):
    render("x")


async def main():
    await asyncio.sleep(1)
    await asyncio.sleep(cfg.pure(1))


def sync_caller():
    handler()  # error: [unawaited-coroutine]
    return render("x")


async def unknown_object(client):
    client.fetch_sync()
    client.sleep(1)


async def a_handler_whose_name_is_long_enough_to_be_shortened_elsewhere():
    render("long")  # error: [transitive-blocking-call]


async def dual_mode(futures):
    await drain_all(futures)
    drain_all(futures)
    drain_early_return(futures)
    drain_with_name(futures)
    drain_try(futures)
    drain_inverted(futures)  # error: [transitive-blocking-call]


async def generators(path, respond):
    respond(read_chunks(path))
    stream = make_stream(path)
    for chunk in read_chunks(path):  # error: [transitive-blocking-call]
        respond(chunk)
    respond(list(read_chunks(path)))  # error: [transitive-blocking-call]
    respond(read_all(path))  # error: [transitive-blocking-call]
    return stream
