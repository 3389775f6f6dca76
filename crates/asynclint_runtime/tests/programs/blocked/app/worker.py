import asyncio
import time


def load_settings():
    # A sync helper: static analysis of `handle` alone does not see the sleep.
    time.sleep(0.3)
    return {"ok": True}


def crunch(seconds):
    # Pure-Python work (no catalogued call) that holds the loop for `seconds`.
    deadline = time.perf_counter() + seconds
    spins = 0
    while time.perf_counter() < deadline:
        spins += 1
    return spins


async def handle():
    load_settings()
    await asyncio.sleep(0.06)
    crunch(0.3)
