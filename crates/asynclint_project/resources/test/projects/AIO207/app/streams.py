import asyncio


async def stream_rows(query):
    for row in query:
        yield row
        await asyncio.sleep(0)


async def count_rows(query):
    await asyncio.sleep(0)
    return len(query)


class Feed:
    async def events(self):
        yield "event"

    async def load(self):
        await asyncio.sleep(0)
        return ["a", "b"]

    @classmethod
    async def stream_all(cls):
        yield cls

    async def run(self):
        for event in self.events():  # error: [async-iteration-mismatch]
            print(event)
        async for item in self.load():  # error: [async-iteration-mismatch]
            print(item)

    @classmethod
    async def replay(cls):
        for feed in cls.stream_all():  # error: [async-iteration-mismatch]
            print(feed)
        async for event in cls().events():
            print(event)
