import importlib
from typing import TYPE_CHECKING

import shop.store as st
from legacy import store as legacy_store
from shop.api import Store, load_order
from shop.store import load_order as fetch_order

if TYPE_CHECKING:
    from shop.store import load_order as resolve
else:
    from legacy.store import load_order as resolve


async def get_order(order_id):
    return load_order(order_id)  # error: [async-function-returns-coroutine]


async def get_order_aliased(order_id):
    return fetch_order(order_id)  # error: [async-function-returns-coroutine]


async def get_order_module(order_id):
    return st.load_order(order_id)  # error: [async-function-returns-coroutine]


async def get_from_store(key):
    store = Store()
    return store.get(key)  # error: [async-function-returns-coroutine]


async def conditional(order_id, cached):
    if cached:
        return cached
    return load_order(order_id)  # error: [async-function-returns-coroutine]


# must not trigger


def sync_wrapper(order_id):
    return load_order(order_id)


async def awaited(order_id):
    return await load_order(order_id)


async def not_coroutine_functions(order_id):
    if order_id:
        return st.load_order_sync(order_id)
    if order_id == 1:
        return legacy_store.load_order(order_id)
    if order_id == 2:
        return st.order_lines(order_id)
    if order_id == 3:
        return st.traced_load(order_id)
    if order_id == 4:
        return st.find(order_id)
    if order_id == 5:
        return Store().get_sync(order_id)
    if order_id == 6:
        return Store().getter(order_id)
    return resolve(order_id)


async def nested(order_id):
    def factory():
        return load_order(order_id)

    return factory


async def shadowed(load_order, st):
    if st:
        return st.load_order(1)
    return load_order(1)


async def dynamic(name, obj):
    module = importlib.import_module(name)
    if obj:
        return obj.get(name)
    return module.load_order(name)
