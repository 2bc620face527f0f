"""`legalbot web`: the web chat for residents on its own (no Telegram token needed)."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import signal
import socket

from ..errors import UserError
from ..settings import Settings
from .common import add_db_option, add_intents_option
from .serve import parse_listen

DEFAULT_LISTEN = "127.0.0.1:8000"
GRACEFUL_SECONDS = 10  # requests in hand at SIGTERM get this long to finish

logger = logging.getLogger(__name__)


def _bind(host: str, port: int) -> socket.socket:
    """Bound before anything starts, so a busy port is reported plainly."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UserError(f"无法监听 {host}:{port}：{exc.strerror or exc}") from None
    return sock


async def _serve(settings: Settings, sock: socket.socket) -> None:
    """Runtime (store, reloads, retention), the app, uvicorn until SIGTERM/SIGINT, then a clean stop.

    uvicorn re-raises the signal it handled once it is done; the handlers installed here take it,
    so the process ends with the clean shutdown (exit 0) rather than the signal's default death.
    """
    import uvicorn  # noqa: PLC0415 - keep `legalbot --help` fast

    from ..app.runtime import Runtime  # noqa: PLC0415
    from ..channels.web import WebSettings, web_app  # noqa: PLC0415
    from ..core.knowledge import load_knowledge  # noqa: PLC0415
    from ..core.responder import Responder  # noqa: PLC0415
    from ..flows import all_flows  # noqa: PLC0415
    from ..store import open_store  # noqa: PLC0415

    responder = Responder(load_knowledge(settings.intents_dir), all_flows())  # KnowledgeError: file:line, exit 2
    runtime = Runtime(settings, responder, lambda: open_store(settings.db))
    stop_early: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, _: stop_early.append(signum)) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        await runtime.start()  # StoreError: plain message, exit 2
        if stop_early:
            return
        app = web_app(runtime.conversation(), WebSettings.from_env(settings=settings))
        config = uvicorn.Config(
            app, lifespan="off", log_config=None, access_log=False, server_header=False, timeout_graceful_shutdown=GRACEFUL_SECONDS
        )
        host, port = sock.getsockname()[:2]
        logger.info("web chat on http://%s:%d/", host if ":" not in host else f"[{host}]", port)
        await uvicorn.Server(config).serve(sockets=[sock])
    finally:
        await runtime.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        logger.info("web chat stopped")


def run_web(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    settings = dataclasses.replace(settings, db=args.db or settings.db, intents_dir=args.intents or settings.intents_dir)
    logging.basicConfig(level=getattr(logging, args.log_level), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sock = _bind(*args.listen)
    try:
        asyncio.run(_serve(settings, sock))
    finally:
        sock.close()
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "web",
        help="serve the web chat page for residents (no Telegram needed)",
        description="Serve the web chat at http://HOST:PORT/ — the page, /embed.js for other sites and the JSON API "
        "under /api/ (see README, 网页聊天 / Web chat). Inquiries are logged with channel 'web'. "
        "Put it behind a TLS proxy for the public. Stops cleanly on SIGTERM or Ctrl-C.",
    )
    parser.add_argument(
        "--listen", metavar="HOST:PORT", type=parse_listen, default=parse_listen(DEFAULT_LISTEN), help=f"default {DEFAULT_LISTEN}"
    )
    add_intents_option(parser)
    add_db_option(parser)
    parser.add_argument("--log-level", choices=("DEBUG", "INFO", "WARNING", "ERROR"), default="INFO", help="default INFO")
    parser.set_defaults(run=run_web)
