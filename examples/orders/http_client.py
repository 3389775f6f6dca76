"""Clients for the upstream services: users, inventory and the partner webhook."""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

import aiohttp
import httpx
import requests

log = logging.getLogger(__name__)

USERS_URL = "https://users.internal.example"
INVENTORY_URL = "https://inventory.internal.example"


class UserServiceClient:
    """One pooled client for the whole process; closed on shutdown."""

    def __init__(self, base_url: str = USERS_URL, timeout: float = 5.0) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(timeout, connect=2.0),
            limits=httpx.Limits(max_connections=50),
        )

    async def get_user(self, user_id: int, attempts: int = 3) -> dict[str, Any]:
        delay = 0.2
        for attempt in range(1, attempts + 1):
            try:
                response = await self._client.get(f"/users/{user_id}")
                response.raise_for_status()
                return response.json()
            except httpx.TransportError:
                if attempt == attempts:
                    raise
                log.warning("users service unreachable, retry %d/%d", attempt, attempts)
                await asyncio.sleep(delay + random.uniform(0, delay))
                delay *= 2
        raise AssertionError("unreachable")

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> UserServiceClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


async def fetch_user(user_id: int) -> dict[str, Any]:
    """Convenience helper for scripts."""
    async with httpx.AsyncClient(base_url=USERS_URL, timeout=5.0) as client:
        response = await client.get(f"/users/{user_id}")
        response.raise_for_status()
        return response.json()


async def check_stock(sku: str) -> int:
    # Inventory still only has the old REST endpoint.
    response = requests.get(f"{INVENTORY_URL}/stock/{sku}", timeout=3)
    response.raise_for_status()
    return int(response.json()["available"])


class WebhookNotifier:
    """Posts order events to the partner's webhook endpoint."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(raise_for_status=True)

    async def send(self, event: str, payload: dict[str, Any]) -> None:
        if self._session is None:
            raise RuntimeError("WebhookNotifier.start() was not awaited")
        async with self._session.post(self._url, json={"event": event, **payload}) as response:
            log.debug("webhook %s delivered: HTTP %d", event, response.status)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
