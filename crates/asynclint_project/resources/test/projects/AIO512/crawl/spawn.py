import asyncio
import importlib

import crawl.fetch as f
from crawl import fetch_limited, fetch_page
from crawl.fetch import Client, fetch_via_limited, fetch_with_acquire
from crawl.fetch import fetch_page as get_page
from other import fetch as other_fetch
from other.fetch import fetch_page as sync_fetch_page


async def crawl_all(session, urls):
    pages = await asyncio.gather(*[get_page(session, u) for u in urls])  # error: [unbounded-fan-out]
    more = await asyncio.gather(*(f.fetch_page(session, u) for u in urls))  # error: [unbounded-fan-out]
    return pages, more


async def crawl_tasks(session, urls):
    async with asyncio.TaskGroup() as tg:
        for url in urls:
            tg.create_task(fetch_page(session, url))  # error: [unbounded-fan-out]


async def crawl_client(session, urls):
    client = Client(session)
    tasks = [asyncio.create_task(client.get(u)) for u in urls]  # error: [unbounded-fan-out]
    return await asyncio.gather(*tasks)


async def grown_list(session, urls):
    targets = []
    for url in urls:
        targets.append(url)
    await asyncio.gather(*[fetch_page(session, u) for u in targets])  # error: [unbounded-fan-out]


async def per_day(session, days):
    await asyncio.gather(  # error: [unbounded-fan-out]
        *(fetch_page(session, d) for d in (str(x) for x in range(days)))
    )


async def passed_on(session, prepare):
    names = [f"page-{i}" for i in range(5)]
    prepare(names)
    await asyncio.gather(*[fetch_page(session, n) for n in names])  # error: [unbounded-fan-out]


# must not trigger


async def limited(session, urls, sem):
    await asyncio.gather(*[fetch_limited(session, u) for u in urls])
    await asyncio.gather(*[fetch_via_limited(session, u) for u in urls])
    await asyncio.gather(*[fetch_with_acquire(session, u, sem) for u in urls])
    client = Client(session)
    await asyncio.gather(*[client.get_limited(u) for u in urls])


async def spawner_limits(session, urls):
    sem = asyncio.Semaphore(4)
    async with sem:
        await asyncio.gather(*[fetch_page(session, u) for u in urls])


async def same_name_elsewhere(urls):
    await asyncio.gather(*[asyncio.to_thread(sync_fetch_page, u) for u in urls])
    await asyncio.gather(*[asyncio.to_thread(other_fetch.fetch_page, u) for u in urls])


async def shadowed(get_page, f, session, urls):
    await asyncio.gather(*[get_page(session, u) for u in urls])
    await asyncio.gather(*[f.fetch_page(session, u) for u in urls])


async def dynamic(name, session, urls):
    module = importlib.import_module(name)
    await asyncio.gather(*[module.fetch_page(session, u) for u in urls])
    await asyncio.gather(*[getattr(f, name)(session, u) for u in urls])


async def unknown_objects(client, urls):
    await asyncio.gather(*[client.get(u) for u in urls])


async def batches(session, pages):
    for page in pages:
        await asyncio.gather(*[fetch_page(session, u) for u in page])


PAGES = ("index", "about", "contact")


async def fixed_local_collections(session):
    names = [f"worker-{i}" for i in range(10)]
    tasks = [asyncio.create_task(fetch_page(session, n)) for n in names]
    await asyncio.gather(*tasks)
    library: dict[str, str] = {"music": "Music", "movies": "Movies"}
    await asyncio.gather(
        *(fetch_page(session, label) for kind, label in library.items() if kind in library)
    )
    entries = [{"label": name} for name in library.values()]
    await asyncio.gather(*(fetch_page(session, e["label"]) for e in entries))
    await asyncio.gather(*[fetch_page(session, p) for p in PAGES])
    print(len(names), sorted(entries, key=str))


class Owner:
    def __init__(self, session):
        self.session = session
        self.known = {}

    async def refresh(self, online):
        selected = (self.known[key] for key in self.known if key in online)
        await asyncio.gather(*(fetch_page(self.session, item) for item in selected))
