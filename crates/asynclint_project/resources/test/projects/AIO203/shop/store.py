from typing import overload


async def load_order(order_id):
    return {"id": order_id}


def load_order_sync(order_id):
    return {"id": order_id}


async def order_lines(order_id):
    yield order_id


def traced(fn):
    return fn


@traced
async def traced_load(order_id):
    return order_id


@overload
async def find(key: int) -> dict: ...
@overload
async def find(key: str) -> dict: ...
async def find(key):
    return {"key": key}


class Store:
    async def get(self, key):
        return key

    def get_sync(self, key):
        return key

    @classmethod
    async def open(cls):
        return cls()

    async def fetch(self, key):
        return self.get(key)  # error: [async-function-returns-coroutine]

    @classmethod
    async def connect(cls):
        return cls.open()  # error: [async-function-returns-coroutine]

    async def fetch_sync(self, key):
        return self.get_sync(key)

    @property
    def getter(self):
        return self.get_sync
