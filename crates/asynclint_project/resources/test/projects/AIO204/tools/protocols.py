from typing import Awaitable, Protocol


class Fetcher(Protocol):
    def fetch(self) -> Awaitable[int]: ...

    def close(self) -> Awaitable[None]:
        raise NotImplementedError
