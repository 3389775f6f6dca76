"""Persistence: orders live in Postgres (asyncpg), the audit trail in a local SQLite file."""

from __future__ import annotations

import sqlite3
from typing import Any

import asyncpg

from orders.config import load_config

_pool: asyncpg.Pool | None = None


async def init_pool(dsn: str) -> asyncpg.Pool:
    """Create the connection pool once, at start-up."""
    global _pool
    if _pool is None:
        _pool = await asyncpg.create_pool(dsn, min_size=2, max_size=10, command_timeout=10)
    return _pool


async def init_pool_from_config() -> asyncpg.Pool:
    settings = load_config()
    return await init_pool(settings.database_url)


async def close_pool() -> None:
    global _pool
    if _pool is not None:
        await _pool.close()
        _pool = None


def _pool_or_fail() -> asyncpg.Pool:
    if _pool is None:
        raise RuntimeError("init_pool() has not been awaited")
    return _pool


async def save_order(order_id: str, customer_id: int, total_cents: int) -> None:
    async with _pool_or_fail().acquire() as conn:
        await conn.execute(
            "INSERT INTO orders (id, customer_id, total_cents, status) VALUES ($1, $2, $3, 'new')",
            order_id,
            customer_id,
            total_cents,
        )


async def fetch_order(order_id: str) -> dict[str, Any] | None:
    async with _pool_or_fail().acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM orders WHERE id = $1", order_id)
    return dict(row) if row is not None else None


async def list_unshipped(limit: int = 100) -> list[str]:
    async with _pool_or_fail().acquire() as conn:
        rows = await conn.fetch(
            "SELECT id FROM orders WHERE status = 'paid' ORDER BY created_at LIMIT $1", limit
        )
    return [row["id"] for row in rows]


async def set_status(order_id: str, status: str) -> None:
    async with _pool_or_fail().acquire() as conn, conn.transaction():
        await conn.execute("UPDATE orders SET status = $2 WHERE id = $1", order_id, status)
        await conn.execute(
            "INSERT INTO order_events (order_id, status) VALUES ($1, $2)", order_id, status
        )


async def record_audit_event(db_path: str, order_id: str, event: str) -> None:
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("INSERT INTO audit (order_id, event) VALUES (?, ?)", (order_id, event))
        conn.commit()
    finally:
        conn.close()
