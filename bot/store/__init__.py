"""The inquiry log: `open_store` picks the backend for a database setting (``LEGALBOT_DB``).

Redaction lives in `bot.store.redact`; every backend applies it before writing.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UserError
from .base import Inquiry, InquiryFilter, InquiryStore
from .sqlite import SQLiteStore

__all__ = ["Inquiry", "InquiryFilter", "InquiryStore", "open_store"]


async def open_store(db: str) -> InquiryStore:
    """The store for ``db``: a path to an SQLite file (created with its folder if missing)."""
    if db.startswith(("postgres://", "postgresql://")):
        raise UserError(f"LEGALBOT_DB={db.split('://')[0]}://…: the PostgreSQL backend is not available yet; use an SQLite file path")
    return await SQLiteStore.open(Path(db).expanduser())
