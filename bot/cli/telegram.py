"""`legalbot run`: the bot on Telegram (long polling); and what every Telegram command shares."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import logging
from collections.abc import Iterator
from urllib.parse import urlsplit

from ..errors import UserError
from ..settings import Settings
from .common import add_db_option, add_intents_option, db_path

NO_TOKEN = (
    "TELEGRAM_BOT_TOKEN is not set. Get a token from @BotFather and set it in the environment "
    "(or in .env), or try the bot in the terminal with `legalbot chat`."
)


def configure_logging(level: str) -> None:
    from ..app import logfilter  # noqa: PLC0415

    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logfilter.install()  # at any level, library records carry no personal data (issue 12 row 4)


def add_log_level_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="default INFO")


def command_settings(args: argparse.Namespace) -> Settings:
    """The environment's settings with the command's ``--intents``/``--db`` options applied, and
    a usable proxy when there is a Telegram token to use it with."""
    settings = Settings.from_env()
    settings = dataclasses.replace(
        settings,
        intents_dir=getattr(args, "intents", None) or settings.intents_dir,
        db=db_path(args, settings) if hasattr(args, "db") else settings.db,
    )
    scheme = urlsplit(settings.proxy_url).scheme if settings.proxy_url else "http"
    if settings.telegram_token and scheme not in ("http", "https"):
        raise UserError(
            f"the proxy setting (LEGALBOT_PROXY / HTTPS_PROXY) is a {scheme}:// proxy; only http:// and https:// "
            "proxies are supported (most clients, e.g. Clash, also offer an HTTP port such as http://127.0.0.1:7890)"
        )
    return settings


def telegram_settings(args: argparse.Namespace, no_token: str = NO_TOKEN) -> Settings:
    """Settings for a command that talks to the Bot API: a token, a usable proxy, and the
    ``--intents``/``--db`` options where the command has them."""
    settings = command_settings(args)
    if not settings.telegram_token:
        raise UserError(no_token)
    return settings


@contextlib.contextmanager
def bot_api_errors(settings: Settings) -> Iterator[None]:
    """A rejected token or an unreachable Bot API as one plain sentence (never the token)."""
    from telegram.error import InvalidToken, NetworkError  # noqa: PLC0415 - keep `legalbot --help` fast

    try:
        yield
    except InvalidToken:
        raise UserError("Telegram rejected TELEGRAM_BOT_TOKEN (check it with @BotFather).") from None
    except NetworkError as exc:
        raise UserError(f"cannot reach the Telegram Bot API at {settings.api_base_url}: {exc.message}") from None


def run_bot(args: argparse.Namespace) -> int:
    settings = telegram_settings(args)

    from ..channels.telegram import adapter as telegram  # noqa: PLC0415 - keep `legalbot --help` fast
    from ..core.knowledge import load_knowledge  # noqa: PLC0415
    from ..core.responder import Responder  # noqa: PLC0415
    from ..flows import all_flows  # noqa: PLC0415
    from ..store import open_store  # noqa: PLC0415

    responder = Responder(load_knowledge(settings.intents_dir), all_flows())  # KnowledgeError: file:line, exit 2
    configure_logging(args.log_level)

    async def opener():
        return await open_store(settings.db)

    with bot_api_errors(settings):
        telegram.run(settings, responder, opener)
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser(
        "run",
        help="run the bot on Telegram (needs TELEGRAM_BOT_TOKEN; without one use `legalbot chat`)",
        description="Long-poll the Telegram Bot API and answer residents. Configuration: TELEGRAM_BOT_TOKEN, "
        "TELEGRAM_API_BASE_URL, LEGALBOT_PROXY, LEGALBOT_DB, LEGALBOT_ADMIN_IDS, LEGALBOT_INTENTS, "
        "LEGALBOT_RETENTION_DAYS (see README). Stop with Ctrl-C or SIGTERM. Deletes a webhook set with "
        "`legalbot webhook set` (a bot has one or the other).",
    )
    add_intents_option(run)
    add_db_option(run)
    add_log_level_option(run)
    run.set_defaults(run=run_bot)
