from scripts.cli import run_renamed


async def report(url):
    return await run_renamed(url)
