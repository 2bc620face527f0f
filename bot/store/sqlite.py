"""The inquiry log in one SQLite file, through aiosqlite.

aiosqlite runs the connection in its own thread, so a write never blocks the event loop that is
answering other residents. WAL mode lets admins read (export, stats) while the bot writes, and
``synchronous=NORMAL`` makes a commit cost no fsync (a power cut may lose the last moments, a
crash of the bot loses nothing). ``secure_delete`` overwrites purged rows, because retention
is about personal data actually leaving the disk.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any

import aiosqlite

from ..core.reply import Reply
from ..errors import UserError
from .base import FEEDBACK_VALUES, REVIEW_VALUES, ZONE, CountRow, Inquiry, InquiryFilter, now
from .pseudonym import load_or_create_secret, secret_path, user_key
from .redact import redact
from .schema import migrate

logger = logging.getLogger(__name__)

_COLUMNS = "id, time, channel, user, text, intent, score, candidates, reply, feedback, review"
_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=5000",
    "PRAGMA secure_delete=ON",
)


# Replies are the intents' guidance, a small fixed set of long texts: redacting each once saves
# most of a millisecond per logged message.
_redact_reply = lru_cache(maxsize=1024)(redact)


class StoreError(UserError):
    """The inquiry log cannot be opened (not a database, no permission, ...)."""


def _stamp(moment: dt.datetime) -> str:
    """ISO 8601 in the bureau's zone; one fixed format, so text order is time order."""
    return moment.astimezone(ZONE).isoformat(timespec="seconds")


def _where(where: InquiryFilter) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if where.since:
        clauses.append("time >= ?")
        params.append(where.since.isoformat())
    if where.until:
        clauses.append("time < ?")
        params.append((where.until + dt.timedelta(days=1)).isoformat())
    if where.intent:
        clauses.append("intent = ?")
        params.append(where.intent)
    if where.unmatched:
        clauses.append("intent IS NULL")
    if where.feedback:
        clauses.append("feedback = ?")
        params.append(where.feedback)
    if where.unreviewed or where.needs_review:
        clauses.append("review IS NULL")
    if where.needs_review:
        clauses.append("(intent IS NULL OR feedback = 'down')")
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _inquiry(row: sqlite3.Row) -> Inquiry:
    return Inquiry(
        id=row["id"],
        time=dt.datetime.fromisoformat(row["time"]).astimezone(ZONE),
        channel=row["channel"],
        user=row["user"],
        text=row["text"],
        intent=row["intent"],
        score=row["score"],
        candidates=json.loads(row["candidates"]),
        reply=row["reply"],
        feedback=row["feedback"],
        review=row["review"],
    )


class SQLiteStore:
    """`InquiryStore` over one aiosqlite connection in autocommit mode: each write is durable when awaited."""

    def __init__(self, conn: aiosqlite.Connection, path: Path, secret: bytes):
        self._conn = conn
        self.path = path
        self._secret = secret
        self._writes = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False

    @classmethod
    async def open(cls, path: Path) -> "SQLiteStore":
        """Open (creating folder, file, secret and schema as needed) and migrate to the latest schema."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder for the inquiry log {path}: {exc}") from None
        secret = load_or_create_secret(secret_path(path))
        conn: aiosqlite.Connection | None = None
        try:
            conn = await aiosqlite.connect(path, isolation_level=None)
            conn.row_factory = sqlite3.Row
            for pragma in _PRAGMAS:
                await conn.execute(pragma)
            found = await migrate(conn, str(path))
        except sqlite3.DatabaseError as exc:
            if conn is not None:
                await conn.close()
            raise StoreError(f"cannot open the inquiry log {path}: {exc}") from None
        except BaseException:
            if conn is not None:
                await conn.close()
            raise
        logger.debug("inquiry log %s open (schema was version %d)", path, found)
        return cls(conn, path, secret)

    async def _write(self, sql: str, params: tuple[Any, ...]) -> list[sqlite3.Row]:
        """Run one statement, counted so `close` can wait for it to land."""
        if self._closed:
            raise RuntimeError("the inquiry log is closed")
        self._writes += 1
        self._idle.clear()
        try:
            return list(await self._conn.execute_fetchall(sql, params))
        finally:
            self._writes -= 1
            if not self._writes:
                self._idle.set()

    async def log(self, channel: str, user_id: str, text: str, reply: Reply, at: dt.datetime | None = None) -> int:
        candidates = [{"intent": c.intent, "score": c.score} for c in reply.candidates]
        rows = await self._write(
            "INSERT INTO inquiries (time, channel, user, text, intent, score, candidates, reply)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                _stamp(at or now()),
                channel,
                user_key(self._secret, channel, user_id),
                redact(text),
                reply.intent,
                float(reply.score),
                json.dumps(candidates, ensure_ascii=False),
                _redact_reply(reply.text),
            ),
        )
        return int(rows[0][0])

    async def set_feedback(self, inquiry_id: int, value: str) -> bool:
        if value not in FEEDBACK_VALUES:
            raise ValueError(f"feedback must be one of {FEEDBACK_VALUES}, got {value!r}")
        rows = await self._write("UPDATE inquiries SET feedback = ? WHERE id = ? RETURNING id", (value, inquiry_id))
        return bool(rows)

    async def set_review(self, inquiry_id: int, value: str) -> bool:
        if value not in REVIEW_VALUES:
            raise ValueError(f"review must be one of {REVIEW_VALUES}, got {value!r}")
        rows = await self._write("UPDATE inquiries SET review = ? WHERE id = ? RETURNING id", (value, inquiry_id))
        return bool(rows)

    async def inquiries(self, where: InquiryFilter = InquiryFilter()) -> list[Inquiry]:
        clause, params = _where(where)
        order = " ORDER BY id DESC" if where.newest_first else " ORDER BY id"
        limit = f" LIMIT {int(where.limit)}" if where.limit else ""
        rows = await self._conn.execute_fetchall(f"SELECT {_COLUMNS} FROM inquiries{clause}{order}{limit}", params)
        return [_inquiry(row) for row in rows]

    async def get(self, inquiry_id: int) -> Inquiry | None:
        rows = await self._conn.execute_fetchall(f"SELECT {_COLUMNS} FROM inquiries WHERE id = ?", (inquiry_id,))
        return _inquiry(rows[0]) if rows else None

    async def counts(self, where: InquiryFilter = InquiryFilter()) -> list[CountRow]:
        clause, params = _where(where)
        rows = await self._conn.execute_fetchall(
            "SELECT substr(time, 1, 10) AS day, intent, feedback, COUNT(*) AS n FROM inquiries"
            f"{clause} GROUP BY day, intent, feedback ORDER BY day, intent, feedback",
            params,
        )
        return [CountRow(dt.date.fromisoformat(r["day"]), r["intent"], r["feedback"], r["n"]) for r in rows]

    async def purge(self, older_than_days: int, at: dt.datetime | None = None) -> int:
        if older_than_days < 0:
            raise ValueError("older_than_days must be 0 or more")
        if older_than_days == 0:
            rows = await self._write("DELETE FROM inquiries RETURNING id", ())
        else:
            cutoff = _stamp((at or now()) - dt.timedelta(days=older_than_days))
            rows = await self._write("DELETE FROM inquiries WHERE time < ? RETURNING id", (cutoff,))
        if rows:
            # Move the zeroed pages into the main file and empty the WAL, where old copies linger.
            await self._write("PRAGMA wal_checkpoint(TRUNCATE)", ())
            logger.info("purged %d inquiries older than %d days from %s", len(rows), older_than_days, self.path)
        return len(rows)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._idle.wait()
        try:
            await self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            await self._conn.close()
