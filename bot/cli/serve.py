"""`legalbot serve`: one webhook worker (run several behind a load balancer; docs/deploy.md)."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging

from ..errors import UserError
from ..settings import webhook_secret
from .common import add_db_option, add_intents_option
from .telegram import add_log_level_option, bot_api_errors, configure_logging, telegram_settings

DEFAULT_LISTEN = "127.0.0.1:8080"
NO_TOKEN = "TELEGRAM_BOT_TOKEN is not set: a webhook worker sends its replies through the Bot API with it."
NO_SECRET = (
    "no webhook secret: set LEGALBOT_WEBHOOK_SECRET (or pass --secret) to the secret given to `legalbot webhook set`. "
    "Without one, anyone who finds the URL could post updates as if they came from Telegram."
)

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


def serve(args: argparse.Namespace) -> int:
    settings = telegram_settings(args, NO_TOKEN)
    secret = webhook_secret(args.secret, "--secret") if args.secret else settings.webhook_secret
    if not secret:
        raise UserError(NO_SECRET)

    from ..channels.telegram.webhook import listen_socket, run_worker  # noqa: PLC0415 - keep `legalbot --help` fast
    from ..channels.telegram.worker import WebhookWorker  # noqa: PLC0415
    from ..core.knowledge import load_knowledge  # noqa: PLC0415
    from ..core.responder import Responder  # noqa: PLC0415
    from ..flows import all_flows  # noqa: PLC0415
    from ..store import is_postgres_url, open_store  # noqa: PLC0415

    responder = Responder(load_knowledge(settings.intents_dir), all_flows())  # KnowledgeError: file:line, exit 2
    host, port = args.listen
    try:
        sock = listen_socket(host, port)
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    configure_logging(args.log_level)
    if not is_postgres_url(settings.db):
        logger.info("inquiry log in SQLite (%s): fine for workers on this one machine; several machines need PostgreSQL", settings.db)

    async def main() -> None:
        store = await open_store(settings.db)  # StoreError: plain message, exit 2
        with bot_api_errors(settings):
            await run_worker(WebhookWorker(settings, responder, store), secret, sock)

    try:
        asyncio.run(main())
    finally:
        sock.close()
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "serve",
        help="run one webhook worker (several behind a load balancer; see docs/deploy.md)",
        description="Answer Telegram updates POSTed to /telegram/webhook (GET /healthz for load balancers). "
        "Needs TELEGRAM_BOT_TOKEN and the webhook secret (LEGALBOT_WEBHOOK_SECRET or --secret); all workers of "
        "one bot share LEGALBOT_DB, a postgresql:// URL when they run on several machines. Register the URL once "
        "with `legalbot webhook set`. Stops cleanly on SIGTERM, after answering the updates in hand.",
    )
    parser.add_argument(
        "--listen", metavar="HOST:PORT", type=parse_listen, default=parse_listen(DEFAULT_LISTEN), help=f"default {DEFAULT_LISTEN}"
    )
    parser.add_argument("--secret", help="the webhook secret (default: $LEGALBOT_WEBHOOK_SECRET; the variable keeps it out of `ps`)")
    add_intents_option(parser)
    add_db_option(parser)
    add_log_level_option(parser)
    parser.set_defaults(run=serve)
