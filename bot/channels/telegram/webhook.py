"""The webhook's HTTP side: a Starlette app served by uvicorn (`legalbot serve`).

``POST /telegram/webhook`` takes one JSON update. A missing or wrong
``X-Telegram-Bot-Api-Secret-Token`` is refused with 403 before the body is read; otherwise the
status is the worker's (`WebhookWorker.handle`): 200 once handled (or already handled), 409 with
``Retry-After`` while another worker holds the update, and 503 when this worker cannot work (its
database is gone), which a load balancer answers by trying the next worker.
``GET /healthz`` is 200 with a small JSON report when the worker can serve, else 503.

uvicorn stops on SIGTERM or SIGINT: it stops accepting, finishes the requests in hand — every
update in hand is answered and logged — and only then does `run_worker` stop PTB and close the
store.
"""

from __future__ import annotations

import hmac
import json
import logging
import signal
import socket
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from .worker import WebhookWorker

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
HEALTH_PATH = "/healthz"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
GRACEFUL_SECONDS = 30  # updates in hand at SIGTERM get this long to finish


def _update(body: bytes) -> dict[str, Any] | None:
    """The body as an update, if it is a JSON object with an integer ``update_id``."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        return None
    return data


def create_app(worker: WebhookWorker, secret: str) -> Starlette:
    """The routes. The worker is started and stopped by the caller (`run_worker`, or a test)."""
    expected = secret.encode()

    async def webhook(request: Request) -> Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), expected):
            return PlainTextResponse("forbidden\n", 403)
        data = _update(await request.body())
        if data is None:
            return PlainTextResponse("not a Telegram update\n", 400)
        try:
            outcome = await worker.handle(data)
        except Exception:  # noqa: BLE001 - Telegram (or the next worker) will try again
            logger.exception("update %s could not be handled here", data["update_id"])
            return PlainTextResponse("unavailable\n", 503)
        headers = {"Retry-After": str(outcome.retry_after)} if outcome.retry_after else None
        return Response(status_code=outcome.status, headers=headers)

    async def healthz(request: Request) -> Response:
        health = await worker.health()
        return JSONResponse(health.details, 200 if health.ok else 503)

    return Starlette(routes=[Route(WEBHOOK_PATH, webhook, methods=["POST"]), Route(HEALTH_PATH, healthz, methods=["GET"])])


def listen_socket(host: str, port: int) -> socket.socket:
    """Bound before anything starts, so a busy port is reported plainly (`OSError`)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


async def run_worker(worker: WebhookWorker, secret: str, sock: socket.socket) -> None:
    """Start the worker, serve until SIGTERM/SIGINT, then stop it; returns normally (exit 0).

    A signal during start-up is remembered and honoured as soon as the worker has started.
    uvicorn re-raises the signal it handled once it is done; the handlers installed here take it
    then, so the process ends with the clean shutdown rather than the signal's default death.
    """
    stop_early: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, _: stop_early.append(signum)) for sig in (signal.SIGTERM, signal.SIGINT)}
    config = uvicorn.Config(
        create_app(worker, secret),
        lifespan="off",
        log_config=None,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
    )
    try:
        await worker.start()
        if stop_early:
            logger.info("stopped before serving")
            return
        host, port = sock.getsockname()[:2]
        logger.info("webhook worker listening on http://%s:%d%s", host, port, WEBHOOK_PATH)
        await uvicorn.Server(config).serve(sockets=[sock])
    finally:
        await worker.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        logger.info("webhook worker stopped")
