import importlib

from textual import work


async def fetch(key):
    return key


async def stream():
    yield 1


def fetch_sync(key):
    return key


class Client:
    async def close(self):
        pass

    def reset(self):
        pass

    @classmethod
    async def create(cls):
        return cls()


class Screen:
    def __init__(self, on_done):
        self.on_done = on_done

    @work(exclusive=True)
    async def load(self):
        return 1

    async def on_done(self):
        pass

    async def refresh(self):
        pass

    def on_mount(self):
        self.load()
        self.on_done()
        self.refresh()  # error: [unawaited-coroutine]
