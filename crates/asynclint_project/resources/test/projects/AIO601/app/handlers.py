import importlib

import app.files as files_mod
from app import SyncResource, opened
from app.files import DualResource as Dual
from app.files import Store, aopened
from other import files as other_files


async def handle(path):
    async with SyncResource():  # error: [async-with-sync-context-manager]
        pass
    async with opened(path):  # error: [async-with-sync-context-manager]
        pass
    async with files_mod.opened(path):  # error: [async-with-sync-context-manager]
        pass
    async with files_mod.BaseResource():  # error: [async-with-sync-context-manager]
        pass
    store = Store()
    async with store.batch():  # error: [async-with-sync-context-manager]
        pass
    resource = SyncResource()
    async with resource:  # error: [async-with-sync-context-manager]
        pass


# must not trigger


async def negatives(path, name):
    async with Dual():
        pass
    async with aopened(path):
        pass
    with opened(path):
        pass
    with SyncResource():
        pass
    # Same name in another module, but an async context manager there.
    async with other_files.opened(path):
        pass
    async with other_files.Resource():
        pass
    module = importlib.import_module(name)
    async with module.opened(path):
        pass


async def shadowed(opened, SyncResource):
    async with opened("x"):
        pass
    async with SyncResource():
        pass
