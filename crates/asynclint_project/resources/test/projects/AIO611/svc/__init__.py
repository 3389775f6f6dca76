from .jobs import refresh as refresh_all
