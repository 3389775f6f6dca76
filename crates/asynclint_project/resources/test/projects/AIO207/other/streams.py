def stream_rows(query):
    """Same name as app.streams.stream_rows, but a sync generator."""
    yield from query


def fetch_all():
    """Same name as app.db.fetch_all, but synchronous."""
    return [1, 2, 3]
