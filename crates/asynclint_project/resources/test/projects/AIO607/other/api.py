import httpx


async def fetch_script(url):
    """Same name as `app.api.fetch_script`, but nothing calls this one under `__main__`."""
    async with httpx.AsyncClient() as client:  # error: [client-per-request]
        return await client.get(url)
