import importlib

import app.locks as locks_mod
from app import AsyncOnlyLock
from app.locks import DerivedLock as DL, Repo, transaction
from other.locks import AsyncOnlyLock as OtherLock
from other.locks import transaction as other_transaction


class Worker:
    def __init__(self):
        self.lock = AsyncOnlyLock()

    def step(self):
        with self.lock:  # error: [sync-with-async-context-manager]
            pass


def run_sync(lock: AsyncOnlyLock):
    with AsyncOnlyLock():  # error: [sync-with-async-context-manager]
        pass
    with DL():  # error: [sync-with-async-context-manager]
        pass
    with locks_mod.GenericLock():  # error: [sync-with-async-context-manager]
        pass
    with transaction():  # error: [sync-with-async-context-manager]
        pass
    with locks_mod.transaction():  # error: [sync-with-async-context-manager]
        pass
    repo = Repo()
    with repo.session():  # error: [sync-with-async-context-manager]
        pass
    with lock:  # error: [sync-with-async-context-manager]
        pass


# must not trigger


async def correct():
    async with AsyncOnlyLock():
        pass
    async with transaction():
        pass
    async with DL():
        pass


def negatives(name, AsyncLock):
    # Defines `__enter__` itself.
    with locks_mod.DualLock():
        pass
    # A third-party base class may provide `__enter__`.
    with locks_mod.LibraryLock():
        pass
    # An undecorated factory: what it returns is unknown.
    with locks_mod.make_lock():
        pass
    with locks_mod.sync_transaction():
        pass
    # Same names in another module, supporting plain `with`.
    with OtherLock():
        pass
    with other_transaction():
        pass
    # Dynamic imports are not guessed.
    module = importlib.import_module(name)
    with module.AsyncOnlyLock():
        pass
    with AsyncLock():
        pass


def shadowed(transaction, DL):
    with transaction():
        pass
    with DL():
        pass
