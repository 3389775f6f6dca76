import asyncio
import importlib
import sys

import anyio

import app.api as api_mod
from app.api import fetch_renamed as run_renamed
from app.api import fetch_script, fetch_shared

if __name__ == "__main__":
    asyncio.run(fetch_script(sys.argv[1]))
    asyncio.run(fetch_shared(sys.argv[1]))
    asyncio.run(run_renamed(sys.argv[1]))
    anyio.run(api_mod.fetch_passed, sys.argv[1])
    module = importlib.import_module(sys.argv[2])
    asyncio.run(module.fetch_dynamic(sys.argv[1]))
