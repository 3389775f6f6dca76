import asyncio
from unittest.mock import AsyncMock, patch

import pytest

from orders.worker import customer_summaries, on_order_paid


@pytest.mark.asyncio
async def test_finished_task_is_released(jobs):
    task = jobs.spawn(asyncio.sleep(0, result="done"))
    assert await task == "done"
    await asyncio.sleep(0)  # done callbacks run on the next loop iteration
    assert len(jobs) == 0


@pytest.mark.asyncio
async def test_shutdown_cancels_running_tasks(jobs):
    never = asyncio.Event()
    task = jobs.spawn(never.wait(), name="stuck")
    await asyncio.sleep(0)
    await jobs.shutdown(timeout=0.5)
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_customer_summaries_skip_missing_orders():
    with (
        patch("orders.repository.fetch_order", side_effect=[{"customer_id": 7}, None]),
        patch("orders.worker.fetch_user", new_callable=AsyncMock) as fetch_user,
    ):
        fetch_user.return_value = {"email": "ada@example.com"}
        assert await customer_summaries(["a1", "b2"]) == []


@pytest.mark.asyncio
async def test_paid_order_sends_receipt(notifier):
    with (
        patch("orders.repository.set_status", new_callable=AsyncMock),
        patch("orders.repository.fetch_order", return_value={"total_cents": 1999}),
        patch.object(notifier, "send", new_callable=AsyncMock) as send,
    ):
        await on_order_paid(notifier, "a1")
        await asyncio.sleep(0.01)
    send.assert_awaited_once_with("receipt", {"order_id": "a1", "total_cents": 1999})
