"""All configuration in one place, read once at the edge (CLI entry) and passed inward.

Sources, later ones winning: built-in defaults, a ``.env`` file in the working directory (or the
file named by ``LEGALBOT_ENV_FILE``), then the process environment.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from .core.knowledge import default_intents_dir
from .errors import UserError

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_DB = "data/inquiries.sqlite3"
DEFAULT_SEND_RATE = 30.0  # messages a second for the whole bot: Telegram's limit for ordinary bots
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as secret_token


class SettingsError(UserError, ValueError):
    """A configuration value is unusable; the message names the variable."""


def _int_list(name: str, value: str) -> frozenset[int]:
    try:
        return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
    except ValueError:
        raise SettingsError(f"{name} must be comma-separated Telegram user ids, got {value!r}") from None


def webhook_secret(value: str, name: str = "LEGALBOT_WEBHOOK_SECRET") -> str:
    """The secret Telegram sends with every update, checked against what Telegram allows."""
    if value and not WEBHOOK_SECRET.fullmatch(value):
        raise SettingsError(f"{name} must be 1 to 256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule for a webhook secret)")
    return value


def _number(name: str, value: str, kind: type = float) -> float:
    try:
        return kind(value)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {value!r}") from None


def _positive(name: str, value: str) -> float:
    number = _number(name, value)
    if not number > 0:
        raise SettingsError(f"{name} must be more than 0, got {value!r}")
    return number


@dataclass(frozen=True)
class Settings:
    telegram_token: str = ""
    api_base_url: str = DEFAULT_API_BASE_URL
    proxy_url: str = ""
    db: str = DEFAULT_DB
    admin_ids: frozenset[int] = field(default_factory=frozenset)
    intents_dir: Path = field(default_factory=default_intents_dir)
    retention_days: int = 0
    webhook_secret: str = ""
    send_rate: float = DEFAULT_SEND_RATE

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        env_file = (environ or os.environ).get("LEGALBOT_ENV_FILE", ".env")
        merged = {k: v for k, v in dotenv_values(env_file).items() if v is not None} if Path(env_file).is_file() else {}
        merged.update(environ if environ is not None else os.environ)
        get = lambda name, default="": (merged.get(name) or default).strip()  # noqa: E731
        return cls(
            telegram_token=get("TELEGRAM_BOT_TOKEN"),
            api_base_url=get("TELEGRAM_API_BASE_URL", DEFAULT_API_BASE_URL),
            proxy_url=get("LEGALBOT_PROXY") or get("HTTPS_PROXY") or get("https_proxy"),
            db=get("LEGALBOT_DB", DEFAULT_DB),
            admin_ids=_int_list("LEGALBOT_ADMIN_IDS", get("LEGALBOT_ADMIN_IDS")),
            intents_dir=Path(get("LEGALBOT_INTENTS")) if get("LEGALBOT_INTENTS") else default_intents_dir(),
            retention_days=int(_number("LEGALBOT_RETENTION_DAYS", get("LEGALBOT_RETENTION_DAYS", "0"), int)),
            webhook_secret=webhook_secret(get("LEGALBOT_WEBHOOK_SECRET")),
            send_rate=_positive("LEGALBOT_SEND_RATE", get("LEGALBOT_SEND_RATE", str(DEFAULT_SEND_RATE))),
        )
