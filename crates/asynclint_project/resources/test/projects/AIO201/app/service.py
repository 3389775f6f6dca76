import importlib
from typing import TYPE_CHECKING

import app.db as m
from app import Repository, fetch_user
from app.db import Repo
from app.db import save as persist
from other import db as other_db

if TYPE_CHECKING:
    from app.db import fetch_user as lookup
else:
    from other.db import fetch_user as lookup


async def positives(user_id):
    user = fetch_user(user_id)  # error: [coroutine-assigned-never-awaited]
    saved = persist(user_id)  # error: [coroutine-assigned-never-awaited]
    via_module = m.fetch_user(user_id)  # error: [coroutine-assigned-never-awaited]
    repo = Repo()
    item = repo.get(user_id)  # error: [coroutine-assigned-never-awaited]
    other = Repository()
    value: dict = other.get(user_id)  # error: [coroutine-assigned-never-awaited]
    made = Repo.create()  # error: [coroutine-assigned-never-awaited]


def sync_caller(user_id):
    user = fetch_user(user_id)  # error: [coroutine-assigned-never-awaited]


# must not trigger


async def used_later(user_id, tg, pending):
    user = fetch_user(user_id)
    result = await user
    to_schedule = persist(result)
    tg.create_task(to_schedule)
    kept = m.fetch_user(user_id)
    pending.append(kept)
    returned = Repo().get(user_id)
    return returned


def returns_coroutine(user_id):
    coro = fetch_user(user_id)
    return coro


async def not_coroutine_functions(user_id):
    value = other_db.fetch_user(user_id)
    loaded = m.load_sync(user_id)
    generator = m.stream_users()
    sync_value = Repo().get_sync(user_id)
    flaky = m.flaky_fetch(user_id)
    overloaded = m.load(user_id)
    ambiguous = lookup(user_id)


async def shadowed(fetch_user, m):
    user = fetch_user(1)
    other = m.fetch_user(1)


async def local_shadow():
    def persist(user):
        return user

    saved = persist(1)


async def dynamic(name, obj):
    module = importlib.import_module(name)
    user = module.fetch_user(1)
    function = getattr(m, name)
    result = function(1)
    unknown = obj.get(1)


class Handler:
    def __init__(self, callback):
        self.on_event = callback

    async def on_event(self):
        return None

    async def run(self):
        outcome = self.on_event()
