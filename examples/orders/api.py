"""HTTP API (aiohttp.web): order intake, invoices and operational endpoints."""

from __future__ import annotations

import asyncio
import json
import subprocess
import uuid
from typing import Any

from aiohttp import web

from orders import config as cfg
from orders import repository
from orders.http_client import UserServiceClient, check_stock

routes = web.RouteTableDef()

USERS = web.AppKey("users", UserServiceClient)
PAYMENTS = web.AppKey("payments", asyncio.Queue)


async def place_order(
    users: UserServiceClient, customer_id: int, sku: str, total_cents: int, timeout: float = 2.0
) -> str:
    try:
        async with asyncio.timeout(timeout):
            user = await users.get_user(customer_id)
    except TimeoutError:
        raise web.HTTPGatewayTimeout(text="users service timed out") from None
    if not user.get("active", False):
        raise web.HTTPForbidden(text="customer account is disabled")
    if await check_stock(sku) < 1:
        raise web.HTTPConflict(text=f"{sku} is out of stock")

    order_id = uuid.uuid4().hex
    repository.save_order(order_id, customer_id, total_cents)
    return order_id


@routes.post("/orders")
async def create_order(request: web.Request) -> web.Response:
    body = await request.json()
    order_id = await place_order(
        request.app[USERS], int(body["customer_id"]), body["sku"], int(body["total_cents"])
    )
    return web.json_response({"id": order_id}, status=201)


@routes.post("/webhooks/payments")
async def payment_webhook(request: web.Request) -> web.Response:
    event = await request.json()
    if event.get("type") == "payment.succeeded":
        await request.app[PAYMENTS].put(event["order_id"])
    return web.Response(status=204)


def _render_invoice(order: dict[str, Any]) -> bytes:
    lines = [f"Invoice for order {order['id']}", f"Total: {order['total_cents'] / 100:.2f} EUR"]
    return "\n".join(lines).encode()


async def load_invoice(order_id: str) -> bytes:
    order = await repository.fetch_order(order_id)
    if order is None:
        raise web.HTTPNotFound(text=f"no order {order_id}")
    loop = asyncio.get_event_loop()
    return await loop.run_in_executor(None, _render_invoice, order)


@routes.get("/orders/{order_id}/invoice")
async def get_invoice(request: web.Request) -> web.Response:
    invoice = await load_invoice(request.match_info["order_id"])
    return web.Response(body=invoice, content_type="text/plain")


async def _reship_stuck_orders() -> int:
    order_ids = await repository.list_unshipped(limit=500)
    for order_id in order_ids:
        await repository.set_status(order_id, "reship")
    return len(order_ids)


@routes.post("/admin/reship")
async def reship(request: web.Request) -> web.Response:
    # Same helper the nightly cron job uses.
    count = asyncio.run(_reship_stuck_orders())
    return web.json_response({"reshipped": count})


@routes.get("/health")
async def health(request: web.Request) -> web.Response:
    settings = cfg.load_config()
    return web.json_response({"status": "ok", "users_url": settings.users_url})


@routes.get("/version")
async def version(request: web.Request) -> web.Response:
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return web.Response(text=json.dumps({"commit": git.stdout.strip() or "unknown"}))


def build_app(users: UserServiceClient, payments: asyncio.Queue[str]) -> web.Application:
    app = web.Application()
    app[USERS] = users
    app[PAYMENTS] = payments
    app.add_routes(routes)
    return app
