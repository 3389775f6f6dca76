"""Background worker: payment events, shipment polling, receipts, and the service entry point."""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Coroutine
from typing import Any

from aiohttp import web

from orders import repository
from orders.api import build_app
from orders.config import Settings, load_config_async
from orders.http_client import UserServiceClient, WebhookNotifier, fetch_user

log = logging.getLogger(__name__)

POLL_INTERVAL = 30.0


class BackgroundJobs:
    """Keeps a strong reference to every background task until it finishes."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def __len__(self) -> int:
        return len(self._tasks)

    def spawn(self, coro: Coroutine[Any, Any, Any], *, name: str | None = None) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._on_done)
        return task

    def _on_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())

    async def shutdown(self, timeout: float = 5.0) -> None:
        if not self._tasks:
            return
        for task in self._tasks:
            task.cancel()
        _, pending = await asyncio.wait(self._tasks, timeout=timeout)
        for task in pending:
            log.warning("task %s still running after %.1fs", task.get_name(), timeout)


async def send_receipt(notifier: WebhookNotifier, order_id: str) -> None:
    order = await repository.fetch_order(order_id)
    if order is not None:
        await notifier.send("receipt", {"order_id": order_id, "total_cents": order["total_cents"]})


async def on_order_paid(notifier: WebhookNotifier, order_id: str) -> None:
    await repository.set_status(order_id, "paid")
    asyncio.create_task(send_receipt(notifier, order_id))


async def consume_payment_events(queue: asyncio.Queue[str], notifier: WebhookNotifier) -> None:
    while True:
        try:
            order_id = await queue.get()
            await on_order_paid(notifier, order_id)
            queue.task_done()
        except asyncio.CancelledError:
            log.info("payment consumer stopping, %d events left", queue.qsize())
            break


async def poll_shipments(stop: asyncio.Event, settings: Settings) -> None:
    """Every POLL_INTERVAL seconds, push paid orders to the carrier."""
    while not stop.is_set():
        for order_id in await repository.list_unshipped():
            await repository.set_status(order_id, "handed_to_carrier")
            await repository.record_audit_event(settings.audit_db_path, order_id, "shipped")
        time.sleep(POLL_INTERVAL)


async def _customer_summary(order_id: str) -> dict[str, Any]:
    order = await repository.fetch_order(order_id)
    if order is None:
        raise ValueError(f"unknown order {order_id}")
    user = await fetch_user(order["customer_id"])
    return {"order_id": order_id, "email": user["email"]}


async def customer_summaries(order_ids: list[str]) -> list[dict[str, Any]]:
    try:
        async with asyncio.TaskGroup() as tg:
            tasks = [tg.create_task(_customer_summary(order_id)) for order_id in order_ids]
    except ValueError:
        log.warning("some orders have disappeared")
        return []
    return [task.result() for task in tasks]


async def receipt_recipients(order_ids: list[str]) -> list[str]:
    summaries = await asyncio.gather(
        *(_customer_summary(order_id) for order_id in order_ids), return_exceptions=True
    )
    return [summary["email"] for summary in summaries]


async def main() -> None:
    settings = await load_config_async()
    await repository.init_pool(settings.database_url)
    notifier = WebhookNotifier(settings.webhook_url)
    await notifier.start()
    jobs = BackgroundJobs()
    payments: asyncio.Queue[str] = asyncio.Queue(maxsize=1000)
    stop = asyncio.Event()

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    async with UserServiceClient(settings.users_url) as users:
        runner = web.AppRunner(build_app(users, payments))
        await runner.setup()
        await web.TCPSite(runner, port=settings.http_port).start()
        jobs.spawn(consume_payment_events(payments, notifier), name="payments")
        jobs.spawn(poll_shipments(stop, settings), name="shipments")
        log.info("orders service listening on :%d", settings.http_port)
        try:
            await stop.wait()
        finally:
            log.info("shutting down, %d background tasks running", len(jobs))
            await runner.cleanup()
            await jobs.shutdown(timeout=10)
            await notifier.close()
            await repository.close_pool()
