"""`legalbot webhook set|info|delete`: register the workers' URL with Telegram, once per bot."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
from urllib.parse import urlsplit

from ..errors import UserError
from ..settings import webhook_secret
from .telegram import bot_api_errors, telegram_settings

MAX_CONNECTIONS = 100  # Telegram's range is 1–100
DEFAULT_CONNECTIONS = 40
NO_SECRET = (
    "no webhook secret: pass --secret or set LEGALBOT_WEBHOOK_SECRET (the workers check it on every update); "
    "make one with e.g. `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`"
)


def connections(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= MAX_CONNECTIONS:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 to {MAX_CONNECTIONS}, got {value!r}")
    return int(value)


def webhook_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"expected a URL such as https://bot.example.org/telegram/webhook, got {value!r}")
    return value


def _refused(settings, action):
    """Run one Bot API call; Telegram's objection (a bad URL, a port it won't use) in plain words."""
    from telegram.error import BadRequest  # noqa: PLC0415 - keep `legalbot --help` fast

    with bot_api_errors(settings):
        try:
            return asyncio.run(action)
        except BadRequest as exc:
            raise UserError(f"Telegram refused: {exc.message}") from None


def set_webhook(args: argparse.Namespace) -> int:
    from ..channels.telegram import registration  # noqa: PLC0415
    from ..channels.telegram.adapter import ALLOWED_UPDATES  # noqa: PLC0415

    settings = telegram_settings(args)
    secret = webhook_secret(args.secret, "--secret") if args.secret else settings.webhook_secret
    if not secret:
        raise UserError(NO_SECRET)
    _refused(settings, registration.set_webhook(settings, args.url, secret, args.max_connections, args.drop_pending_updates))
    print(f"webhook set: {args.url}")
    print(f"  up to {args.max_connections} connections at once; updates: {', '.join(ALLOWED_UPDATES)}; secret checked by every worker")
    if args.drop_pending_updates:
        print("  pending updates dropped")
    return 0


def _when(value: dt.datetime | int | None) -> str:
    if value is None:
        return ""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromtimestamp(value, dt.timezone.utc)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def show_info(args: argparse.Namespace) -> int:
    from ..channels.telegram import registration  # noqa: PLC0415

    settings = telegram_settings(args)
    info = _refused(settings, registration.webhook_info(settings))
    if not info.url:
        print("no webhook set: Telegram keeps updates for `legalbot run` (long polling)")
        print(f"pending updates:  {info.pending_update_count}")
        return 0
    rows = [
        ("url", info.url),
        ("pending updates", str(info.pending_update_count)),
        ("max connections", str(info.max_connections or "")),
        ("allowed updates", ", ".join(info.allowed_updates or ()) or "all but chat_member (Telegram's default)"),
        ("last error", f"{_when(info.last_error_date)}  {info.last_error_message}" if info.last_error_message else "none"),
    ]
    if info.ip_address:
        rows.insert(1, ("ip address", info.ip_address))
    width = max(len(label) for label, _ in rows) + 2
    for label, value in rows:
        print(f"{label + ':':<{width}}{value}")
    return 0


def delete_webhook(args: argparse.Namespace) -> int:
    from ..channels.telegram import registration  # noqa: PLC0415

    settings = telegram_settings(args)
    _refused(settings, registration.delete_webhook(settings, args.drop_pending_updates))
    print("webhook deleted: Telegram keeps updates until `legalbot run` (long polling) or a new `webhook set`")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    webhook = commands.add_parser(
        "webhook",
        help="register, show or delete the webhook URL with Telegram (once per bot, not per worker)",
        description="Tell Telegram where the webhook workers (`legalbot serve`) are. Uses TELEGRAM_BOT_TOKEN and "
        "TELEGRAM_API_BASE_URL.",
    )
    actions = webhook.add_subparsers(dest="action", metavar="ACTION", required=True)
    set_ = actions.add_parser("set", help="register the URL, the secret and the updates the bot handles")
    set_.add_argument("--url", required=True, type=webhook_url, help="public HTTPS URL of the load balancer, ending in /telegram/webhook")
    set_.add_argument("--secret", help="sent by Telegram with every update (default: $LEGALBOT_WEBHOOK_SECRET)")
    set_.add_argument(
        "--max-connections",
        type=connections,
        default=DEFAULT_CONNECTIONS,
        metavar="N",
        help=f"updates Telegram delivers at once, 1-{MAX_CONNECTIONS} (default {DEFAULT_CONNECTIONS})",
    )
    set_.add_argument("--drop-pending-updates", action="store_true", help="discard updates waiting at Telegram")
    set_.set_defaults(run=set_webhook)
    info = actions.add_parser("info", help="show the URL, pending updates and the last delivery error")
    info.set_defaults(run=show_info)
    delete = actions.add_parser("delete", help="stop webhook delivery (back to `legalbot run`)")
    delete.add_argument("--drop-pending-updates", action="store_true", help="discard updates waiting at Telegram")
    delete.set_defaults(run=delete_webhook)
