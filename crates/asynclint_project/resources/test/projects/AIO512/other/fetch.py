def fetch_page(url):
    """Same name as crawl.fetch.fetch_page, but synchronous."""
    return url
