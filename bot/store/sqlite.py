"""The store in one SQLite file, through aiosqlite: the embedded default for a single machine.

aiosqlite runs the connection in its own thread, so a write never blocks the event loop that is
answering other residents. WAL mode lets admins read (export, stats) while the bot writes, and
``synchronous=NORMAL`` makes a commit cost no fsync (a power cut may lose the last moments, a
crash of the bot loses nothing). ``secure_delete`` overwrites purged rows, because retention
is about personal data actually leaving the disk. The user-key secret is a file beside the database.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from .base import StoreError
from .dialect import SQLITE
from .pseudonym import load_or_create_secret, secret_path
from .schema import migrate
from .shared_state import SharedStateStore
from .sql import Row

SIDE_FILES = ("-wal", "-shm")  # SQLite's write-ahead log and its shared-memory index

_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=5000",
    "PRAGMA secure_delete=ON",
)


class SQLiteStore(SharedStateStore):
    """The store over one aiosqlite connection in autocommit mode: each write is durable when awaited."""

    dialect = SQLITE

    def __init__(self, conn: aiosqlite.Connection, path: Path, secret: bytes):
        super().__init__(str(path), secret)
        self._conn = conn
        self.path = path

    @classmethod
    async def open(cls, path: Path) -> "SQLiteStore":
        """Open (creating folder, file, secret and schema as needed) and migrate to the latest schema."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder for the inquiry log {path}: {exc}") from None
        _check_side_files(path)
        secret = load_or_create_secret(secret_path(path))
        conn: aiosqlite.Connection | None = None
        try:
            conn = await aiosqlite.connect(path, isolation_level=None)
            conn.row_factory = sqlite3.Row
            for pragma in _PRAGMAS:
                await conn.execute(pragma)
            await migrate(lambda: _immediate(conn), SQLITE, str(path))
        except sqlite3.DatabaseError as exc:
            if conn is not None:
                await conn.close()
            raise StoreError(f"cannot open the inquiry log {path}: {exc}") from None
        except BaseException:
            if conn is not None:
                await conn.close()
            raise
        return cls(conn, path, secret)

    async def _fetch(self, sql: str, params: Sequence[Any]) -> list[Row]:
        return list(await self._conn.execute_fetchall(sql, params))

    async def _after_purge(self) -> None:
        # Move the zeroed pages into the main file and empty the WAL, where old copies linger.
        await self._write("PRAGMA wal_checkpoint(TRUNCATE)")

    async def last_id(self) -> int:
        """The highest inquiry id ever given out, purged ones included."""
        rows = await self._read("SELECT seq FROM sqlite_sequence WHERE name = 'inquiries'")
        return int(rows[0]["seq"]) if rows else 0

    async def _release(self) -> None:
        try:
            await self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            await self._conn.close()


def _check_side_files(path: Path) -> None:
    """The -wal and -shm files a crash left beside the database must be writable: SQLite maps the
    -shm file into memory, and one it cannot write leaves every write refused (or, if it is cut
    short under SQLite, the process killed by SIGBUS)."""
    for suffix in SIDE_FILES:
        side = Path(f"{path}{suffix}")
        try:
            fd = os.open(side, os.O_RDWR)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise StoreError(
                f"cannot write {side} ({exc.strerror}): SQLite needs the files beside the inquiry log writable;"
                " give them back to the bot's user (chown, chmod u+w, chattr -i)"
            ) from None
        os.close(fd)


class _Immediate:
    """A migration step's transaction: BEGIN IMMEDIATE takes SQLite's write lock up front."""

    def __init__(self, conn: aiosqlite.Connection):
        self._conn = conn

    async def execute(self, sql: str) -> None:
        await self._conn.execute(sql)

    async def fetchval(self, sql: str) -> Any:
        rows = list(await self._conn.execute_fetchall(sql))
        return rows[0][0] if rows else None


@asynccontextmanager
async def _immediate(conn: aiosqlite.Connection) -> AsyncIterator[_Immediate]:
    await conn.execute("BEGIN IMMEDIATE")
    try:
        yield _Immediate(conn)
    except BaseException:
        await conn.rollback()
        raise
    await conn.commit()
