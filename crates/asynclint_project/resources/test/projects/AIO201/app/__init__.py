from .db import Repo as Repository
from .db import fetch_user

__all__ = ["Repository", "fetch_user"]
