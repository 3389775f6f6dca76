from .cache import flush
