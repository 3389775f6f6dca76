from .repo import fetch_order

__all__ = ["fetch_order"]
