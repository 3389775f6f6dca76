import importlib
from typing import TYPE_CHECKING

import svc.health as h
from other import health as other_health
from svc import Probe, is_ready
from svc.health import is_ready as ready

if TYPE_CHECKING:
    from svc.health import is_ready as check
else:
    from other.health import is_ready as check


async def positives(flag, probes):
    if is_ready():  # error: [coroutine-in-boolean-context]
        pass
    elif ready():  # error: [coroutine-in-boolean-context]
        pass
    ok = ready() and flag  # error: [coroutine-in-boolean-context]
    mode = "on" if h.is_ready() else "off"  # error: [coroutine-in-boolean-context]
    live = [p for p in probes if Probe().alive()]  # error: [coroutine-in-boolean-context]
    probe = Probe()
    if not probe.alive():  # error: [coroutine-in-boolean-context]
        return None
    return ok, mode, live


def sync_caller():
    return not is_ready()  # error: [coroutine-in-boolean-context]


# must not trigger


async def awaited(flag):
    if await is_ready():
        pass
    ok = await ready() and flag
    if await Probe().alive():
        return ok
    return None


async def not_coroutine_functions(flag):
    if h.is_ready_sync():
        pass
    if other_health.is_ready():
        pass
    if h.ticks():
        pass
    if h.has_quota(1):
        pass
    if h.decorated_check():
        pass
    if check():
        pass
    if Probe().alive_sync():
        pass


async def value_positions(flag):
    waiter = flag and is_ready()
    fallback = flag or ready()
    await waiter
    await fallback


async def shadowed(is_ready, h):
    if is_ready():
        pass
    if h.is_ready():
        pass


async def dynamic(name, obj):
    module = importlib.import_module(name)
    if module.is_ready():
        pass
    if getattr(h, name)():
        pass
    if obj.alive():
        pass
