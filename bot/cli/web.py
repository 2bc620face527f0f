"""`legalbot web`: the web chat for residents on its own (no Telegram token needed)."""

from __future__ import annotations

import argparse
import dataclasses

from ..settings import Settings
from .common import add_db_option, add_intents_option
from .serve import add_listen_option, bound, serve_until_stopped
from .telegram import add_log_level_option, configure_logging

DEFAULT_LISTEN = "127.0.0.1:8000"


def run_web(args: argparse.Namespace) -> int:
    """The web chat mounted at / beside /healthz, served like `legalbot serve` serves its channels."""
    from ..app.runtime import Runtime  # noqa: PLC0415 - keep `legalbot --help` fast
    from ..app.server import mounted  # noqa: PLC0415
    from ..channels.web import WebSettings, web_app  # noqa: PLC0415
    from ..core.knowledge import load_knowledge  # noqa: PLC0415
    from ..core.responder import Responder  # noqa: PLC0415
    from ..flows import all_flows  # noqa: PLC0415
    from ..store import open_store  # noqa: PLC0415

    settings = Settings.from_env()
    settings = dataclasses.replace(settings, db=args.db or settings.db, intents_dir=args.intents or settings.intents_dir)
    web_settings = WebSettings.from_env(settings=settings)  # checked before anything starts
    responder = Responder(load_knowledge(settings.intents_dir), all_flows())  # KnowledgeError: file:line, exit 2
    sock = bound(args.listen)
    configure_logging(args.log_level)
    runtime = Runtime(settings, responder, lambda: open_store(settings.db))  # StoreError: plain message, exit 2
    return serve_until_stopped(runtime, lambda: [mounted("web", "/", web_app(runtime.conversation(), web_settings))], sock)


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "web",
        help="serve the web chat page for residents (no Telegram needed)",
        description="Serve the web chat at http://HOST:PORT/ — the page, /embed.js for other sites and the JSON API "
        "under /api/ (see README, 网页聊天 / Web chat). Inquiries are logged with channel 'web'. "
        "Put it behind a TLS proxy for the public. Stops cleanly on SIGTERM or Ctrl-C.",
    )
    add_listen_option(parser, DEFAULT_LISTEN)
    add_intents_option(parser)
    add_db_option(parser)
    add_log_level_option(parser)
    parser.set_defaults(run=run_web)
