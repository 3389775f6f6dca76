import asyncpg
import redis.asyncio as aioredis


async def get_user(dsn, user_id):
    conn = await asyncpg.connect(dsn)  # error: [connection-per-request]
    try:
        return await conn.fetchrow("SELECT * FROM users WHERE id = $1", user_id)
    finally:
        await conn.close()


async def cached(url, key):
    client = aioredis.from_url(url)  # error: [connection-per-request]
    return await client.get(key)


# must not trigger


async def export(dsn):
    """Only run from tools/export.py's `__main__` block."""
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetch("SELECT * FROM users")
    finally:
        await conn.close()


async def connect(dsn):
    return await asyncpg.connect(dsn)
