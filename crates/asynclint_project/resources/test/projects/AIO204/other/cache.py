async def flush():
    """Same name as tools.cache.flush, but a coroutine function."""
    return None
