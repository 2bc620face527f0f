"""All configuration in one place, read once at the edge (CLI entry) and passed inward.

Sources, later ones winning: built-in defaults, a ``.env`` file in the working directory (or the
file named by ``LEGALBOT_ENV_FILE``), then the process environment. Every value is checked here,
at start-up, and a bad one stops the program with a message naming the variable: a setting that
is quietly misread is worse than none (``LEGALBOT_ADMIN_IDS="999 1000"`` once became the id
9991000, locking out both admins and letting a stranger in).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

from .core.knowledge import default_intents_dir
from .errors import UserError

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_DB = "data/inquiries.sqlite3"
DEFAULT_ENV_FILE = ".env"
DEFAULT_SEND_RATE = 30.0  # messages a second for the whole bot: Telegram's limit for ordinary bots
MAX_SEND_RATE = 1000.0  # far above anything Telegram grants; a bigger number is a typo
MAX_RETENTION_DAYS = 36500  # a hundred years; more overflows date arithmetic
MAX_TELEGRAM_ID = 2**52  # Telegram: user ids have at most 52 significant bits
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as secret_token
TELEGRAM_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")  # what @BotFather hands out: <bot id>:<secret>
ID_LIST_SEPARATOR = re.compile(r"\s*,\s*|\s+")  # commas, spaces, or both
WHOLE_NUMBER = re.compile(r"[0-9]+")  # ASCII digits only: int() would also take "1_000" or "٣"
DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")
CREDENTIALS = re.compile(r"//[^/@]*@")
POSTGRES_SCHEMES = ("postgresql", "postgres")
PROXY_SCHEMES = ("http", "https", "socks4", "socks5", "socks5h")  # socks is refused later, with advice


class SettingsError(UserError, ValueError):
    """A configuration value is unusable; the message names the variable."""


def id_list(name: str, value: str) -> frozenset[int]:
    """Telegram user ids separated by commas, spaces or both; anything else is refused."""
    if not value.strip():
        return frozenset()
    parts = ID_LIST_SEPARATOR.split(value.strip())
    if not all(WHOLE_NUMBER.fullmatch(p) and 0 < int(p) < MAX_TELEGRAM_ID for p in parts):
        raise SettingsError(f"{name} 必须是用逗号或空格分隔的 Telegram 用户 id（如 999,1000 或 999 1000），实际是 {value!r}")
    return frozenset(int(p) for p in parts)


def switch(name: str, value: str) -> bool:
    """On or off: 1/0, true/false, yes/no, on/off (any case); empty is off."""
    word = value.strip().lower()
    if word in ("", "0", "false", "no", "off"):
        return False
    if word in ("1", "true", "yes", "on"):
        return True
    raise SettingsError(f"{name} 只能是 1 或 0（也可写 true/false、yes/no、on/off），实际是 {value!r}")


def webhook_secret(value: str, name: str = "LEGALBOT_WEBHOOK_SECRET") -> str:
    """The secret Telegram sends with every update, checked against what Telegram allows."""
    if value and not WEBHOOK_SECRET.fullmatch(value):
        raise SettingsError(f"{name} must be 1 to 256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule for a webhook secret)")
    return value


def whole_number(name: str, value: str, low: int, high: int) -> int:
    if not WHOLE_NUMBER.fullmatch(value) or not low <= int(value) <= high:
        raise SettingsError(f"{name} 必须是 {low} 到 {high} 之间的整数，实际是 {value!r}")
    return int(value)


def rate(name: str, value: str, high: float) -> float:
    number = float(value) if DECIMAL.fullmatch(value) else math.nan
    if not 0 < number <= high:
        raise SettingsError(f"{name} 必须是大于 0、不超过 {high:g} 的数，实际是 {value!r}")
    return number


def http_url(name: str, value: str, schemes: tuple[str, ...] = ("http", "https")) -> str:
    """A URL with one of ``schemes`` and a host (a typo such as ``htps://`` or a bare host is refused)."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in schemes or not parts.hostname or any(c.isspace() for c in value):
        shown = CREDENTIALS.sub("//…@", value)  # a proxy URL may carry a password
        raise SettingsError(f"{name} 必须是以 {' 或 '.join(s + '://' for s in schemes)} 开头、带主机名的网址，实际是 {shown!r}")
    return value


def telegram_token(name: str, value: str) -> str:
    if value and not TELEGRAM_TOKEN.fullmatch(value):
        raise SettingsError(f"{name} 的格式不对：@BotFather 给的令牌形如 123456789:AAE…（数字、冒号、字母数字）")
    return value


def database(name: str, value: str) -> str:
    """An SQLite file path, or a PostgreSQL URL with a host and a database name."""
    if "://" not in value:
        return value
    parts = urlsplit(value)
    if parts.scheme not in POSTGRES_SCHEMES or not parts.path.strip("/"):
        raise SettingsError(f"{name} 必须是 SQLite 文件路径，或 postgresql://用户:密码@主机:端口/数据库 这样的网址，实际是 {parts.scheme}://…")
    return value


def intents_folder(name: str, value: str) -> Path:
    if not value:
        return default_intents_dir()
    path = Path(value).expanduser()
    if not path.is_dir():
        raise SettingsError(f"{name} 指向的知识目录不存在：{path}")
    return path


def read_env_file(environ: Mapping[str, str]) -> dict[str, str]:
    """The ``.env`` values; a file named explicitly by ``LEGALBOT_ENV_FILE`` must exist."""
    named = environ.get("LEGALBOT_ENV_FILE", "").strip()
    path = Path(named or DEFAULT_ENV_FILE)
    if named and not path.exists():
        raise SettingsError(f"LEGALBOT_ENV_FILE 指向的文件不存在：{path}")
    if not path.is_file():
        return {}
    try:
        return {k: v for k, v in dotenv_values(path).items() if v is not None}
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"无法读取 {path}：{exc}") from None


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
    web: bool = False  # LEGALBOT_WEB: `legalbot serve` serves the web chat too
    wechat_token: str = ""  # LEGALBOT_WECHAT_TOKEN: `legalbot serve` serves WeChat (/wechat)
    console: bool = False  # LEGALBOT_CONSOLE: `legalbot serve` serves the staff console (/console/)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        environ = os.environ if environ is None else environ
        merged = {**read_env_file(environ), **environ}
        get = lambda name, default="": (merged.get(name) or default).strip()  # noqa: E731
        proxy_name = next((n for n in ("LEGALBOT_PROXY", "HTTPS_PROXY", "https_proxy") if get(n)), "LEGALBOT_PROXY")
        return cls(
            telegram_token=telegram_token("TELEGRAM_BOT_TOKEN", get("TELEGRAM_BOT_TOKEN")),
            api_base_url=http_url("TELEGRAM_API_BASE_URL", get("TELEGRAM_API_BASE_URL", DEFAULT_API_BASE_URL)),
            proxy_url=http_url(proxy_name, get(proxy_name), PROXY_SCHEMES) if get(proxy_name) else "",
            db=database("LEGALBOT_DB", get("LEGALBOT_DB", DEFAULT_DB)),
            admin_ids=id_list("LEGALBOT_ADMIN_IDS", get("LEGALBOT_ADMIN_IDS")),
            intents_dir=intents_folder("LEGALBOT_INTENTS", get("LEGALBOT_INTENTS")),
            retention_days=whole_number("LEGALBOT_RETENTION_DAYS", get("LEGALBOT_RETENTION_DAYS", "0"), 0, MAX_RETENTION_DAYS),
            webhook_secret=webhook_secret(get("LEGALBOT_WEBHOOK_SECRET")),
            send_rate=rate("LEGALBOT_SEND_RATE", get("LEGALBOT_SEND_RATE", str(DEFAULT_SEND_RATE)), MAX_SEND_RATE),
            web=switch("LEGALBOT_WEB", get("LEGALBOT_WEB")),
            wechat_token=get("LEGALBOT_WECHAT_TOKEN"),
            console=switch("LEGALBOT_CONSOLE", get("LEGALBOT_CONSOLE")),
        )
