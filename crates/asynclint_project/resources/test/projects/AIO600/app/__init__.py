from .locks import AsyncOnlyLock

__all__ = ["AsyncOnlyLock"]
