"""Service settings, read from a JSON file at start-up."""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONFIG_PATH = Path(os.environ.get("ORDERS_CONFIG", "/etc/orders/config.json"))


@dataclass(frozen=True)
class Settings:
    database_url: str
    users_url: str
    webhook_url: str
    audit_db_path: str = "audit.sqlite3"
    http_port: int = 8080


def _read_json(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def load_config(path: Path = CONFIG_PATH) -> Settings:
    return Settings(**_read_json(path))


async def load_config_async(path: Path = CONFIG_PATH) -> Settings:
    # File I/O goes to a worker thread so the loop keeps serving requests.
    return await asyncio.to_thread(load_config, path)
