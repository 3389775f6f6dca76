from shop.store import Store, load_order

__all__ = ["Store", "load_order"]
