from .api import fetch_user

__all__ = ["fetch_user"]
