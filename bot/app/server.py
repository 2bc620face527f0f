"""`legalbot serve`'s HTTP side: one Starlette app for whichever channels are on, served by uvicorn.

``GET /healthz`` always (the runtime's health, and the Telegram worker's when it is on), the
Telegram webhook at ``/telegram/webhook`` when ``TELEGRAM_BOT_TOKEN`` is set, WeChat's
``GET/POST /wechat`` when ``LEGALBOT_WECHAT_TOKEN`` is set, and the web chat at ``/`` when asked
(``--web`` or ``LEGALBOT_WEB=1``). The web and WeChat apps are separate Starlette apps mounted
here; their own lifespans (a WeChat access-token refresher, say) run around the serving.

Hostile clients (issue 12 row 12): idle kept-alive connections close after `KEEP_ALIVE_SECONDS`,
a request head must arrive within `httpguard.HEAD_SECONDS` and is at most
`httpguard.MAX_HEADER_BYTES` (`httpguard.GuardedHttpToolsProtocol`), a body at most
`MAX_BODY_BYTES` and must arrive within `BODY_SECONDS` (`BodyLimit`). Connections that never
finish their head are closed, so hundreds of them cannot use up the worker's file descriptors,
and /healthz and updates stay answered meanwhile.

uvicorn stops on SIGTERM or SIGINT: it stops accepting, finishes the requests in hand — every
update in hand is answered and logged — and only then are the channels and the runtime stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from .httpguard import GuardedHttpToolsProtocol
from .runtime import Health, Runtime

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
GRACEFUL_SECONDS = 30  # updates in hand at SIGTERM get this long to finish
KEEP_ALIVE_SECONDS = 5  # an idle kept-alive connection is closed after this
MAX_BODY_BYTES = 1024 * 1024  # a Telegram update is a few KB; the web chat's and WeChat's posts too
BODY_SECONDS = 10.0  # a body that has not fully arrived by then is refused (408)


class BodyLimit:
    """ASGI middleware: refuse a body over `MAX_BODY_BYTES` (413) or slower than `BODY_SECONDS` (408)."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            await _refuse(send, 413)
            return
        deadline = asyncio.get_running_loop().time() + BODY_SECONDS
        seen = 0
        started = False

        async def limited() -> dict:
            nonlocal seen
            left = deadline - asyncio.get_running_loop().time()
            try:
                message = await asyncio.wait_for(receive(), max(0.01, left))
            except asyncio.TimeoutError:
                raise _Refused(408) from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > MAX_BODY_BYTES:
                    raise _Refused(413)
            return message

        async def tracked(message: dict) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self.app(scope, limited, tracked)
        except _Refused as refused:
            if not started:
                await _refuse(send, refused.status)


class _Refused(Exception):
    def __init__(self, status: int):
        self.status = status


async def _refuse(send: Callable, status: int) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-length", b"0"), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": b""})


@dataclass
class Channel:
    """One channel as `legalbot serve` runs it: its routes, and how to start and stop it."""

    name: str
    routes: Sequence[BaseRoute]
    start: Callable[[], Awaitable[None]] | None = None
    stop: Callable[[], Awaitable[None]] | None = None
    health: Callable[[], Awaitable[Health]] | None = None
    apps: Sequence[Starlette] = field(default_factory=tuple)  # mounted apps whose lifespans to run


def mounted(name: str, path: str, app: Starlette) -> Channel:
    """A channel that is a Starlette app of its own (the web chat, WeChat), mounted at ``path``."""
    return Channel(name, [Mount(path, app=app)], apps=(app,))


def create_app(runtime: Runtime, channels: Sequence[Channel]) -> Starlette:
    """/healthz first, then each channel's routes in order (a mount at ``/`` goes last)."""

    async def healthz(request: Request) -> Response:
        health = await runtime.health()
        details = {**health.details, "channels": [c.name for c in channels]}
        ok = health.ok
        for channel in channels:
            if channel.health is not None:
                theirs = await channel.health()
                details[channel.name] = theirs.details
                ok = ok and theirs.ok
        return JSONResponse(details, 200 if ok else 503)

    routes: list[BaseRoute] = [Route(HEALTH_PATH, healthz, methods=["GET"])]
    for channel in sorted(channels, key=lambda c: any(isinstance(r, Mount) and r.path == "" for r in c.routes)):
        routes += channel.routes
    return Starlette(routes=routes)


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


async def serve(runtime: Runtime, build: Callable[[], Sequence[Channel]], sock: socket.socket) -> None:
    """Start the runtime, then the channels ``build`` makes over it, serve until SIGTERM/SIGINT,
    then stop the channels and the runtime; returns normally (exit 0).

    A signal during start-up is remembered and honoured as soon as everything has started.
    uvicorn re-raises the signal it handled once it is done; the handlers installed here take it
    then, so the process ends with the clean shutdown rather than the signal's default death.
    """
    stop_early: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, _: stop_early.append(signum)) for sig in (signal.SIGTERM, signal.SIGINT)}
    started: list[Channel] = []
    try:
        async with contextlib.AsyncExitStack() as stack:
            stack.push_async_callback(runtime.stop)
            await runtime.start()
            channels = build()
            for channel in channels:
                if channel.stop is not None:  # also when its start fails half-way
                    stack.push_async_callback(channel.stop)
                if channel.start is not None:
                    await channel.start()
                for app in channel.apps:
                    await stack.enter_async_context(app.router.lifespan_context(app))
                started.append(channel)
            if stop_early:
                logger.info("stopped before serving")
                return
            config = uvicorn.Config(
                BodyLimit(create_app(runtime, channels)),
                lifespan="off",
                timeout_keep_alive=KEEP_ALIVE_SECONDS,
                http=GuardedHttpToolsProtocol,
                log_config=None,
                access_log=False,
                server_header=False,
                timeout_graceful_shutdown=GRACEFUL_SECONDS,
            )
            host, port = sock.getsockname()[:2]
            shown = f"[{host}]" if ":" in host else host
            logger.info("serving on http://%s:%d: %s", shown, port, ", ".join(c.name for c in channels) or "no channel")
            await uvicorn.Server(config).serve(sockets=[sock])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        logger.info("stopped: %s", ", ".join(c.name for c in started) or "no channel had started")
