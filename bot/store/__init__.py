"""The store: the inquiry log and the state webhook workers share, in SQLite or PostgreSQL.

`open_store` picks the backend for a database setting (``LEGALBOT_DB``): a ``postgresql://`` or
``postgres://`` URL selects PostgreSQL, anything else is an SQLite file path. Redaction lives in
`bot.store.redact`; every backend applies it before writing.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UserError
from .base import Inquiry, InquiryFilter, InquiryStore, SharedState, Store
from .sqlite import SQLiteStore

__all__ = ["Inquiry", "InquiryFilter", "InquiryStore", "SharedState", "Store", "is_postgres_url", "open_store"]

URL_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_url(db: str) -> bool:
    return db.startswith(URL_SCHEMES)


async def open_store(db: str, create: bool = True) -> Store:
    """The store for ``db``, migrated to the latest schema.

    An SQLite file is created with its folder if missing and ``create``; admin tools pass
    ``create=False``, so a mistyped path (or a database the bot never used) is reported instead
    of becoming an empty log.
    """
    if is_postgres_url(db):
        from .postgres import PostgresStore  # noqa: PLC0415 - asyncpg only where PostgreSQL is used

        return await PostgresStore.open(db, create)
    path = Path(db).expanduser()
    if not create and not path.exists():
        raise UserError(f"no inquiry log at {path} (set LEGALBOT_DB or --db; the bot creates it when it first starts)")
    return await SQLiteStore.open(path)
