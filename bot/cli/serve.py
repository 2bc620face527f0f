"""`legalbot serve`: one worker for every channel that is switched on (docs/deploy.md).

Telegram's webhook when ``TELEGRAM_BOT_TOKEN`` is set, the web chat with ``--web`` or
``LEGALBOT_WEB=1``, WeChat when ``LEGALBOT_WECHAT_TOKEN`` is set; ``GET /healthz`` always. No
channel needs another's secrets. Run several workers behind a load balancer: their state is in
the store they share.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import ipaddress
import logging
import socket
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..errors import UserError
from ..settings import Settings, webhook_secret
from .common import add_db_option, add_intents_option
from .telegram import add_log_level_option, bot_api_errors, command_settings, configure_logging

if TYPE_CHECKING:
    from ..app.runtime import Runtime
    from ..app.server import Channel

DEFAULT_LISTEN = "127.0.0.1:8080"
NO_CHANNEL = (
    "no channel is switched on (TELEGRAM_BOT_TOKEN is not set, no --web or LEGALBOT_WEB=1, no LEGALBOT_WECHAT_TOKEN), "
    "so there would be nothing to serve but /healthz. Set TELEGRAM_BOT_TOKEN (with LEGALBOT_WEBHOOK_SECRET) for the "
    "Telegram webhook, pass --web or set LEGALBOT_WEB=1 for the web chat, or set LEGALBOT_WECHAT_TOKEN for WeChat."
)
NO_SECRET = (
    "no webhook secret: set LEGALBOT_WEBHOOK_SECRET (or pass --secret) to the secret given to `legalbot webhook set`. "
    "Without one, anyone who finds the URL could post updates as if they came from Telegram."
)
# Where the channels built elsewhere live; imported only when switched on.
WEB_MODULE = "bot.channels.web"  # web_app(conversation, WebSettings) -> Starlette, mounted at /
WECHAT_MODULE = "bot.channels.wechat"  # wechat_app(conversation, WeChatSettings) -> Starlette; wechat_routes(app) at /wechat

logger = logging.getLogger(__name__)


def parse_listen(value: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:8080`` for IPv6) → (host, port)."""
    host, sep, port = value.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT such as {DEFAULT_LISTEN}, got {value!r}")
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{host!r} is not an IPv6 address (write it as [::1]:8080)") from None
    return host, int(port)


def add_listen_option(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument("--listen", metavar="HOST:PORT", type=parse_listen, default=parse_listen(default), help=f"default {default}")


def bound(address: tuple[str, int]) -> socket.socket:
    """The listening socket, bound before anything starts so that a busy port is a plain message."""
    from ..app.server import listen_socket  # noqa: PLC0415 - keep `legalbot --help` fast

    host, port = address
    try:
        return listen_socket(host, port)
    except OSError as exc:
        raise UserError(f"无法监听 {host}:{port}：{exc.strerror or exc}") from None


def serve_until_stopped(runtime: Runtime, build: Callable[[], Sequence[Channel]], sock: socket.socket) -> int:
    """`app.server.serve` (the runtime, the channels, uvicorn until SIGTERM/SIGINT, a clean stop),
    then the socket closed however it ended; the command's exit status."""
    from ..app.server import serve as serve_channels  # noqa: PLC0415

    try:
        asyncio.run(serve_channels(runtime, build, sock))
    finally:
        sock.close()
    return 0


def _factory(module: str, name: str, switch: str):
    """A channel's app factory from its package, or a plain message when it is not installed."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise UserError(f"{switch} is set, but this legalbot has no {module}.{name} ({exc})") from None


def _channels(args: argparse.Namespace, settings: Settings) -> tuple[str | None, bool, bool]:
    """(Telegram webhook secret or None, web on, WeChat on); refuses a configuration serving nothing."""
    web = args.web or settings.web
    wechat = bool(settings.wechat_token)
    secret = None
    if settings.telegram_token:
        secret = webhook_secret(args.secret, "--secret") if args.secret else settings.webhook_secret
        if not secret:
            raise UserError(NO_SECRET)
    if secret is None and not web and not wechat and not settings.console:
        raise UserError(NO_CHANNEL)
    return secret, web, wechat


def serve(args: argparse.Namespace) -> int:
    settings = command_settings(args)
    secret, web, wechat = _channels(args, settings)
    web_app = _factory(WEB_MODULE, "web_app", "--web / LEGALBOT_WEB") if web else None
    web_settings = _factory(WEB_MODULE, "WebSettings", "--web / LEGALBOT_WEB").from_env(settings=settings) if web else None
    if wechat:
        wechat_app = _factory(WECHAT_MODULE, "wechat_app", "LEGALBOT_WECHAT_TOKEN")
        wechat_routes = _factory(WECHAT_MODULE, "wechat_routes", "LEGALBOT_WECHAT_TOKEN")
        wechat_settings = _factory(WECHAT_MODULE, "WeChatSettings", "LEGALBOT_WECHAT_TOKEN").from_env()  # checked now

    from ..app.runtime import Runtime  # noqa: PLC0415 - keep `legalbot --help` fast
    from ..app.server import Channel, mounted  # noqa: PLC0415
    from ..core.knowledge import load_knowledge  # noqa: PLC0415
    from ..core.responder import Responder  # noqa: PLC0415
    from ..flows import all_flows  # noqa: PLC0415
    from ..store import is_postgres_url, open_store  # noqa: PLC0415

    responder = Responder(load_knowledge(settings.intents_dir), all_flows())  # KnowledgeError: file:line, exit 2
    sock = bound(args.listen)
    configure_logging(args.log_level)
    if not is_postgres_url(settings.db):
        logger.info("inquiry log in SQLite (%s): fine for workers on this one machine; several machines need PostgreSQL", settings.db)
    runtime = Runtime(settings, responder, lambda: open_store(settings.db), shared=True)  # StoreError: plain message, exit 2

    def build() -> list[Channel]:
        channels = []
        if secret is not None:
            from ..channels.telegram import webhook  # noqa: PLC0415 - PTB only when Telegram is on
            from ..channels.telegram.worker import WebhookWorker  # noqa: PLC0415

            channels.append(webhook.channel(WebhookWorker(settings, responder, runtime.store, runtime), secret))
        if wechat:
            app = wechat_app(runtime.conversation(), wechat_settings)
            channels.append(Channel("wechat", wechat_routes(app), apps=(app,)))
        if settings.console:
            from ..console.serving import console_channel  # noqa: PLC0415 - argon2 and Jinja2 only when on

            channels.append(console_channel(runtime))
        if web_app is not None:
            channels.append(mounted("web", "/", web_app(runtime.conversation(), web_settings)))
        return channels

    with bot_api_errors(settings):
        return serve_until_stopped(runtime, build, sock)


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "serve",
        help="run one worker for the channels switched on: Telegram webhook, web chat, WeChat (see docs/deploy.md)",
        description="Serve GET /healthz for load balancers and every channel that is switched on: the Telegram "
        "webhook at /telegram/webhook when TELEGRAM_BOT_TOKEN is set (with the webhook secret, LEGALBOT_WEBHOOK_SECRET "
        "or --secret; register the URL once with `legalbot webhook set`), the web chat at / with --web or "
        "LEGALBOT_WEB=1, WeChat at /wechat when LEGALBOT_WECHAT_TOKEN is set, the staff console at /console/ when LEGALBOT_CONSOLE=1. "
        "No channel needs another's secrets. "
        "All workers share LEGALBOT_DB, a postgresql:// URL when they run on several machines. Intent reload and "
        "retention (LEGALBOT_RETENTION_DAYS) run whichever channels are on. Stops cleanly on SIGTERM, after "
        "answering the messages in hand.",
    )
    add_listen_option(parser, DEFAULT_LISTEN)
    parser.add_argument("--web", action="store_true", help="serve the web chat at / too (or set LEGALBOT_WEB=1)")
    parser.add_argument("--secret", help="the webhook secret (default: $LEGALBOT_WEBHOOK_SECRET; the variable keeps it out of `ps`)")
    add_intents_option(parser)
    add_db_option(parser)
    add_log_level_option(parser)
    parser.set_defaults(run=serve)
