"""The web chat's limits and options, named in one place (`WebSettings`).

Everything has a sensible default; only the retention period (shown in the privacy note) and
the other sites allowed to embed the page and call the API come from the environment.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from ...settings import Settings, SettingsError, http_url

ORIGINS_VARIABLE = "LEGALBOT_WEB_ORIGINS"
_SEPARATOR = re.compile(r"[\s,]+")


@dataclass(frozen=True)
class WebSettings:
    """Limits of the web chat; the defaults suit one district's residents on one worker."""

    retention_days: int = 0  # LEGALBOT_RETENTION_DAYS: what the privacy note promises
    allowed_origins: tuple[str, ...] = ()  # other sites that may frame the chat (`/embed.js`) and call its API
    max_text_chars: int = 1000  # a longer question is refused (413)
    max_body_bytes: int = 16 * 1024  # a request body larger than this is refused (413)
    history_messages: int = 60  # messages per visitor shown again after a reload (kept in their session)
    visitor_idle_seconds: int = 24 * 3600  # cookie lifetime; the session (and history) lasts as long idle
    new_visitors_burst: int = 30  # new visitors one address may start at once ...
    new_visitors_per_second: float = 30 / 600  # ... and then 30 more per ten minutes

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, settings: Settings | None = None) -> "WebSettings":
        environ = os.environ if environ is None else environ
        settings = settings or Settings.from_env(environ)
        return cls(retention_days=settings.retention_days, allowed_origins=origins(environ.get(ORIGINS_VARIABLE, "")))


def origins(value: str) -> tuple[str, ...]:
    """``https://www.wz.gov.cn, https://x.gov.cn`` → the origins, each a scheme and host only."""
    found = []
    for part in filter(None, _SEPARATOR.split(value.strip())):
        url = http_url(ORIGINS_VARIABLE, part).rstrip("/")
        if url.count("/") != 2:
            raise SettingsError(f"{ORIGINS_VARIABLE} 只写网站的来源（如 https://www.example.gov.cn），不带路径，实际是 {part!r}")
        found.append(url)
    return tuple(found)
