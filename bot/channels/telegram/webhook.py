"""The Telegram webhook's HTTP side: a route on `legalbot serve`'s Starlette app (`bot.app.server`).

``POST /telegram/webhook`` takes one JSON update. A missing or wrong
``X-Telegram-Bot-Api-Secret-Token`` is refused with 403 before the body is read; otherwise the
status is the worker's (`WebhookWorker.handle`): 200 once handled (or already handled), 409 with
``Retry-After`` while another worker holds the update, and 503 when this worker cannot work (its
database is gone), which a load balancer answers by trying the next worker.
`create_app` is the webhook with its own ``GET /healthz``, for a worker on its own (tests).
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ...app.server import HEALTH_PATH, Channel
from .worker import WebhookWorker

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


MAX_UPDATE_ID = 2**63 - 1  # a BIGINT; Telegram's ids are far below
MALFORMED = "malformed"  # JSON an update can't be read from: acknowledged so Telegram stops re-sending


def _update(body: bytes) -> dict[str, Any] | str | None:
    """The body as an update (a JSON object with an integer ``update_id``); `MALFORMED` for one
    nested too deep to read or with an id out of range; None for anything else."""
    try:
        data = json.loads(body)
    except RecursionError:
        return MALFORMED
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        return None
    if not 0 <= data["update_id"] <= MAX_UPDATE_ID:
        return MALFORMED
    return data


def webhook_route(worker: WebhookWorker, secret: str) -> Route:
    """``POST /telegram/webhook``; the worker is started and stopped by the caller."""
    expected = secret.encode()

    async def webhook(request: Request) -> Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), expected):
            return PlainTextResponse("forbidden\n", 403)
        data = _update(await request.body())
        if data is None:
            return PlainTextResponse("not a Telegram update\n", 400)
        if data == MALFORMED:
            logger.warning("a malformed update (nested too deep or an id out of range) was acknowledged and dropped")
            return Response(status_code=200)
        try:
            outcome = await worker.handle(data)
        except Exception:  # noqa: BLE001 - Telegram (or the next worker) will try again
            logger.exception("update %s could not be handled here", data["update_id"])
            return PlainTextResponse("unavailable\n", 503)
        headers = {"Retry-After": str(outcome.retry_after)} if outcome.retry_after else None
        return Response(status_code=outcome.status, headers=headers)

    return Route(WEBHOOK_PATH, webhook, methods=["POST"])


def channel(worker: WebhookWorker, secret: str) -> Channel:
    """The webhook as one of `legalbot serve`'s channels."""
    return Channel("telegram", [webhook_route(worker, secret)], worker.start, worker.stop, worker.health)


def create_app(worker: WebhookWorker, secret: str) -> Starlette:
    """The webhook and ``GET /healthz`` for one worker (started and stopped by the caller)."""

    async def healthz(request: Request) -> Response:
        health = await worker.health()
        return JSONResponse(health.details, 200 if health.ok else 503)

    return Starlette(routes=[webhook_route(worker, secret), Route(HEALTH_PATH, healthz, methods=["GET"])])


