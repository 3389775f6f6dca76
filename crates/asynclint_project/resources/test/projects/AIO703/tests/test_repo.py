from unittest import mock
from unittest.mock import AsyncMock, MagicMock, Mock, patch

import pytest

from shop.repo import CachedRepository, Repository


@patch("shop.repo.fetch_order", new_callable=MagicMock)  # error: [sync-mock-for-async-function]
def test_decorated(fetch):
    pass


def test_context_manager():
    with patch("shop.repo.fetch_order", new_callable=Mock):  # error: [sync-mock-for-async-function]
        pass
    with mock.patch("shop.fetch_order", new=MagicMock(return_value=1)):  # error: [sync-mock-for-async-function]
        pass
    with patch.object(Repository, "save", new=MagicMock()):  # error: [sync-mock-for-async-function]
        pass
    with patch.object(CachedRepository, "save", new_callable=MagicMock):  # error: [sync-mock-for-async-function]
        pass


def test_pytest_mock(mocker):
    mocker.patch("shop.repo.fetch_order", new_callable=MagicMock)  # error: [sync-mock-for-async-function]


# must not trigger


def test_fine(mocker):
    with patch("shop.repo.fetch_order"):
        pass
    with patch("shop.repo.fetch_order", new_callable=AsyncMock):
        pass
    with patch("shop.repo.fetch_order_sync", new_callable=MagicMock):
        pass
    with patch.object(Repository, "validate", new=MagicMock()):
        pass
    with patch("shop.repo.stream_orders", new_callable=MagicMock):
        pass
    with patch("requests.get", new_callable=MagicMock):
        pass
    with patch("shop.repo.missing", new_callable=MagicMock):
        pass
    mocker.patch("shop.repo.fetch_order", new=AsyncMock())


def test_not_a_fixture():
    mocker = object()
    mocker.patch("shop.repo.fetch_order", new_callable=MagicMock)
