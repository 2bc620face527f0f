"""No log level writes personal data (issue 12 row 4): library loggers are scrubbed.

python-telegram-bot logs whole requests and updates at DEBUG (texts, first names, Telegram ids),
aiohttp, httpx and uvicorn log addresses and URLs (a Bot API URL holds the token). Our own
loggers write redacted text and update ids only; the libraries' records are rewritten by
`LibraryScrubber` before any handler sees them: every argument that is not plainly harmless
(a short identifier such as a method name, a small number such as a status code or a count)
becomes ``[…]``; a message formatted before logging loses quoted or bracketed parts, long digit
runs and non-ASCII text; an exception keeps its type, not its message.
"""

from __future__ import annotations

import logging
import re

LIBRARIES = ("telegram", "httpx", "httpcore", "aiohttp", "uvicorn", "asyncio", "hpack", "h11", "aiosqlite", "asyncpg", "starlette")
PLACEHOLDER = "[…]"
MAX_SAFE_NUMBER = 99_999  # status codes, counts, ports; a Telegram id is longer
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,63}\Z")
_SAFE_TEXT = re.compile(r"[A-Za-z0-9 _.,:;()`'=/-]*\Z")  # no digit runs of ids, no non-ASCII names
_LONG_DIGITS = re.compile(r"\d{6,}")
_TOKEN = re.compile(r"bot\d+:[A-Za-z0-9_-]+")
_QUOTED = re.compile(r"(['\"]).*?\1|[{\[].*", re.S)


def _safe(value: object) -> object:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return value if abs(value) <= MAX_SAFE_NUMBER else PLACEHOLDER
    if isinstance(value, str) and _IDENTIFIER.match(value):
        return value
    return PLACEHOLDER


def scrub_text(text: str) -> str:
    """A message formatted by the library itself: tokens, long digit runs and anything quoted or
    bracketed (dumped data) removed; non-ASCII text (names, messages) goes too."""
    text = _TOKEN.sub("bot" + PLACEHOLDER, text)
    text = _QUOTED.sub(PLACEHOLDER, text)
    text = _LONG_DIGITS.sub(PLACEHOLDER, text)
    return text if _SAFE_TEXT.match(text) else re.sub(r"[^\x20-\x7e]+", PLACEHOLDER, text)


class LibraryScrubber(logging.Filter):
    """Rewrites records of `LIBRARIES` loggers in place (see the module docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(LIBRARIES):
            return True
        if isinstance(record.args, dict):
            record.args = {k: _safe(v) for k, v in record.args.items()}
        elif record.args:  # the message is the library's own format string: only the arguments carry data
            record.args = tuple(_safe(a) for a in record.args)
        else:
            record.msg = scrub_text(str(record.msg))
        if record.exc_info and record.exc_info[1] is not None:
            # the traceback's last line repeats the exception's message, which may quote data
            kind = type(record.exc_info[1])
            record.msg = f"{record.msg} ({kind.__name__})"
            record.exc_info = None
            record.exc_text = None
        return True


def install(handler_owner: logging.Logger | None = None) -> None:
    """Put the scrubber on every handler of the root logger (records from all loggers pass there)."""
    root = handler_owner or logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, LibraryScrubber) for f in handler.filters):
            handler.addFilter(LibraryScrubber())
