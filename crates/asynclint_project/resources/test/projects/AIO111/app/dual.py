import asyncio
import concurrent.futures
import time


def get_running_loop():
    """Like `asyncio._get_running_loop()`: the running loop, or `None`."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def drain_all(futures):
    """Awaitable when called on a loop, blocking only from plain threads."""
    if get_running_loop() is not None:
        return asyncio.wait([asyncio.wrap_future(f) for f in futures])
    else:
        return concurrent.futures.wait(futures)


def drain_early_return(futures):
    if get_running_loop() is not None:
        return asyncio.wait([asyncio.wrap_future(f) for f in futures])
    return concurrent.futures.wait(futures)


def drain_with_name(futures):
    loop = asyncio._get_running_loop()
    if loop is None:
        time.sleep(0.1)
        return concurrent.futures.wait(futures)
    return asyncio.wait([asyncio.wrap_future(f) for f in futures])


def drain_try(futures):
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return concurrent.futures.wait(futures)
    return asyncio.wait([asyncio.wrap_future(f) for f in futures])


def drain_inverted(futures):
    """The blocking branch is the one taken on a running loop."""
    if get_running_loop() is None:
        return asyncio.wait([asyncio.wrap_future(f) for f in futures])
    return concurrent.futures.wait(futures)


def read_chunks(path):
    with open(path, "rb") as f:
        yield f.read(1024)


def make_stream(path):
    return read_chunks(path)


def read_all(path):
    return b"".join(read_chunks(path))
