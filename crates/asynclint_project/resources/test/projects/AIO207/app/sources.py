import abc


class Source(abc.ABC):
    @abc.abstractmethod
    async def items(self):
        """Yield the items; subclasses implement this as an async generator."""

    async def drain(self):
        async for item in self.items():
            print(item)


class ListSource(Source):
    def __init__(self, values):
        self.values = values

    async def items(self):
        for value in self.values:
            yield value

    async def drain_sync(self):
        for item in self.items():  # error: [async-iteration-mismatch]
            print(item)
