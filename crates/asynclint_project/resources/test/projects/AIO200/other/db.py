def fetch(key):
    """Same name as svc.db.fetch, but synchronous."""
    return key
