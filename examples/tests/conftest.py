from unittest.mock import AsyncMock

import pytest
import pytest_asyncio

from orders.http_client import UserServiceClient, WebhookNotifier
from orders.worker import BackgroundJobs


@pytest_asyncio.fixture
async def jobs():
    background = BackgroundJobs()
    yield background
    await background.shutdown(timeout=1)


@pytest.fixture
def users():
    client = AsyncMock(spec=UserServiceClient)
    client.get_user.return_value = {"id": 7, "active": True, "email": "ada@example.com"}
    return client


@pytest.fixture
async def notifier():
    webhook = WebhookNotifier("http://partner.test/hooks")
    await webhook.start()
    yield webhook
    await webhook.close()
