import asyncio
from unittest.mock import AsyncMock, MagicMock, patch

import pytest
from aiohttp import web

from orders import api

pytestmark = pytest.mark.asyncio


async def test_place_order_saves_the_order(users):
    with (
        patch("orders.api.check_stock", new_callable=AsyncMock, return_value=3),
        patch("orders.repository.save_order", new_callable=AsyncMock) as save_order,
    ):
        order_id = await api.place_order(users, customer_id=7, sku="MUG-1", total_cents=1999)
    users.get_user.assert_awaited_once_with(7)
    save_order.assert_awaited_once_with(order_id, 7, 1999)


async def test_place_order_gives_up_when_users_service_hangs(users):
    async def hang(*_args):
        await asyncio.Event().wait()

    users.get_user.side_effect = hang
    with pytest.raises(web.HTTPGatewayTimeout):
        await api.place_order(users, customer_id=7, sku="MUG-1", total_cents=1999, timeout=0.05)


async def test_unknown_order_has_no_invoice():
    with patch("orders.repository.fetch_order", new_callable=MagicMock) as fetch_order:
        fetch_order.return_value = None
        with pytest.raises(web.HTTPNotFound):
            await api.load_invoice("missing")
