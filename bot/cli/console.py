"""`legalbot console`: the staff console on its own (`legalbot serve` mounts it with LEGALBOT_CONSOLE=1)."""

from __future__ import annotations

import argparse

from .common import add_db_option, add_intents_option
from .serve import add_listen_option, bound, serve_until_stopped
from .telegram import add_log_level_option, command_settings, configure_logging

DEFAULT_LISTEN = "127.0.0.1:8090"


def run_console(args: argparse.Namespace) -> int:
    from ..app.runtime import Runtime  # noqa: PLC0415 - keep `legalbot --help` fast
    from ..console.serving import console_channel  # noqa: PLC0415
    from ..core.knowledge import load_knowledge  # noqa: PLC0415
    from ..core.responder import Responder  # noqa: PLC0415
    from ..flows import all_flows  # noqa: PLC0415
    from ..store import open_store  # noqa: PLC0415

    settings = command_settings(args)
    responder = Responder(load_knowledge(settings.intents_dir), all_flows())  # KnowledgeError: file:line, exit 2
    sock = bound(args.listen)
    configure_logging(args.log_level)
    # Shared like `serve`: a change made here reaches the workers that answer residents.
    runtime = Runtime(settings, responder, lambda: open_store(settings.db), shared=True)
    return serve_until_stopped(runtime, lambda: [console_channel(runtime, redirect_root=True)], sock)


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "console",
        help="serve the staff console (dashboard, reports, review, knowledge editor) at /console/",
        description="Serve the staff console at http://HOST:PORT/console/ over the same database and intents as the "
        "bot (create accounts first with `legalbot users add`). Put it behind TLS for anything but this machine: the "
        "session cookie is then marked Secure. Stops cleanly on SIGTERM or Ctrl-C.",
    )
    add_listen_option(parser, DEFAULT_LISTEN)
    add_db_option(parser)
    add_intents_option(parser)
    add_log_level_option(parser)
    parser.set_defaults(run=run_console)
