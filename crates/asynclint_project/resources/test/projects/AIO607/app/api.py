import asyncio

import aiohttp
import httpx


async def fetch_user(user_id):
    async with httpx.AsyncClient() as client:  # error: [client-per-request]
        return await client.get(f"https://api.example.com/users/{user_id}")


async def fetch_shared(url):
    """Called under `__main__` in scripts/cli.py, but also by app/views.py."""
    async with httpx.AsyncClient() as client:  # error: [client-per-request]
        return await client.get(url)


async def fetch_local(url):
    """Called under `__main__` below, and by `caller()`."""
    async with aiohttp.ClientSession() as session:  # error: [client-per-request]
        return await session.get(url)


async def caller():
    return await fetch_local("https://example.com")


async def fetch_dynamic(url):
    """Only called through a dynamic import, which is not guessed."""
    async with httpx.AsyncClient() as client:  # error: [client-per-request]
        return await client.get(url)


async def fetch_renamed(url):
    """Called under the guard of scripts/cli.py as `run_renamed`, which app/report.py imports
    from there under that name."""
    async with httpx.AsyncClient() as client:  # error: [client-per-request]
        return await client.get(url)


class Api:
    async def get(self, path):
        async with httpx.AsyncClient() as client:  # error: [client-per-request]
            return await client.get(path)


# must not trigger


async def fetch_script(url):
    """Only called under `if __name__ == "__main__":` in scripts/cli.py."""
    async with httpx.AsyncClient() as client:
        return await client.get(url)


async def fetch_passed(url):
    """Only passed to `anyio.run` under the guard in scripts/cli.py."""
    async with httpx.AsyncClient() as client:
        return await client.get(url)


async def fetch_demo(url):
    """Only called under the guard of this module."""
    async with httpx.AsyncClient() as client:
        return await client.get(url)


if __name__ == "__main__":
    asyncio.run(fetch_demo("https://example.com"))
    asyncio.run(fetch_local("https://example.com"))
