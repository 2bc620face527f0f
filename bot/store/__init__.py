"""The inquiry log: `open_store` picks the backend for a database setting (``LEGALBOT_DB``).

Redaction lives in `bot.store.redact`; every backend applies it before writing.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UserError
from .base import Inquiry, InquiryFilter, InquiryStore
from .sqlite import SQLiteStore

__all__ = ["Inquiry", "InquiryFilter", "InquiryStore", "open_store"]


async def open_store(db: str, create: bool = True) -> InquiryStore:
    """The store for ``db``: a path to an SQLite file, created with its folder if missing and ``create``.

    Admin tools pass ``create=False``, so a mistyped path is reported instead of becoming an empty log.
    """
    if db.startswith(("postgres://", "postgresql://")):
        raise UserError(f"LEGALBOT_DB={db.split('://')[0]}://…: the PostgreSQL backend is not available yet; use an SQLite file path")
    path = Path(db).expanduser()
    if not create and not path.exists():
        raise UserError(f"no inquiry log at {path} (set LEGALBOT_DB or --db; the bot creates it when it first starts)")
    return await SQLiteStore.open(path)
