"""Order intake service: an aiohttp API in front of Postgres plus a background worker."""

from orders.http_client import UserServiceClient, WebhookNotifier

__all__ = ["UserServiceClient", "WebhookNotifier"]
__version__ = "0.3.0"
