"""The inquiry log written once in SQL for both backends; they only add a connection and a dialect.

A backend implements `_fetch` (run one statement, return its rows) and `_release`. Rows are read by
column name, which sqlite3.Row and asyncpg.Record both allow.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any, ClassVar

from ..core.reply import Reply
from .base import FEEDBACK_VALUES, REVIEW_VALUES, CountRow, Inquiry, InquiryFilter, now
from .dialect import Dialect
from .pseudonym import user_key
from .redact import redact

logger = logging.getLogger(__name__)

Row = Mapping[str, Any]

COLUMNS = 'id, time, channel, "user", text, intent, score, candidates, reply, feedback, review'

# Replies are the intents' guidance, a small fixed set of long texts: redacting each once saves
# most of a millisecond per logged message.
_redact_reply = lru_cache(maxsize=1024)(redact)


def _where(where: InquiryFilter, dialect: Dialect) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if where.since:
        clauses.append("time >= ?")
        params.append(dialect.day_start(where.since))
    if where.until:
        clauses.append("time < ?")
        params.append(dialect.day_start(where.until + dt.timedelta(days=1)))
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
    if where.after_id is not None:
        clauses.append("id > ?")
        params.append(where.after_id)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


class SQLStore(ABC):
    """`InquiryStore` over SQL. Writes are counted, so `close` can wait until every one has landed."""

    dialect: ClassVar[Dialect]

    def __init__(self, name: str, secret: bytes):
        self.name = name  # for messages: a path, or a URL without its password
        self._secret = secret
        self._writes = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False

    @abstractmethod
    async def _fetch(self, sql: str, params: Sequence[Any]) -> list[Row]:
        """Run one statement (already in this dialect) and return its rows."""

    @abstractmethod
    async def _release(self) -> None:
        """Give the database back (called once, after the last write)."""

    async def _after_purge(self) -> None:
        """Backend clean-up once personal data was deleted (none by default)."""

    @property
    def user_key_secret(self) -> bytes:
        """The key behind the pseudonymous user keys; a copied log takes it along."""
        return self._secret

    def _key(self, scope: str, raw_id: str) -> str:
        return user_key(self._secret, scope, raw_id)

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[None]:
        if self._closed:
            raise RuntimeError("the inquiry log is closed")
        self._writes += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._writes -= 1
            if not self._writes:
                self._idle.set()

    async def _read(self, template: str, *params: Any) -> list[Row]:
        return await self._fetch(self.dialect.sql(template), params)

    async def _write(self, template: str, *params: Any) -> list[Row]:
        async with self._writing():
            return await self._fetch(self.dialect.sql(template), params)

    async def select(self, template: str, *params: Any) -> list[Row]:
        """Run a read in this dialect, for modules that keep tables of their own (the staff console)."""
        return await self._read(template, *params)

    async def change(self, template: str, *params: Any) -> list[Row]:
        """Run a write in this dialect (counted, so `close` waits for it), for the same modules."""
        return await self._write(template, *params)

    def _inquiry(self, row: Row) -> Inquiry:
        return Inquiry(
            id=row["id"],
            time=self.dialect.time_value(row["time"]),
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

    async def log(
        self, channel: str, user_id: str, text: str, reply: Reply, at: dt.datetime | None = None, message_key: str | None = None
    ) -> int:
        candidates = [{"intent": c.intent, "score": c.score} for c in reply.candidates]
        # With a message key, logging the same message again returns the first row (NULLs never conflict).
        rows = await self._write(
            'INSERT INTO inquiries (time, channel, "user", text, intent, score, candidates, reply, message_key)'
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (message_key) DO UPDATE SET message_key = excluded.message_key RETURNING id",
            self.dialect.time_param(at or now()),
            channel,
            self._key(channel, user_id),
            redact(text),
            reply.intent,
            float(reply.score),
            json.dumps(candidates, ensure_ascii=False),
            _redact_reply(reply.text),
            message_key,
        )
        return int(rows[0]["id"])

    async def set_feedback(self, inquiry_id: int, value: str, channel: str | None = None, user_id: str | None = None) -> bool:
        if value not in FEEDBACK_VALUES:
            raise ValueError(f"feedback must be one of {FEEDBACK_VALUES}, got {value!r}")
        if (channel is None) != (user_id is None):
            raise ValueError("give both the channel and the user who pressed, or neither")
        if channel is None:
            return bool(await self._write("UPDATE inquiries SET feedback = ? WHERE id = ? RETURNING id", value, inquiry_id))
        return bool(
            await self._write(
                'UPDATE inquiries SET feedback = ? WHERE id = ? AND channel = ? AND "user" = ? RETURNING id',
                value,
                inquiry_id,
                channel,
                self._key(channel, user_id),
            )
        )

    async def set_review(self, inquiry_id: int, value: str) -> bool:
        if value not in REVIEW_VALUES:
            raise ValueError(f"review must be one of {REVIEW_VALUES}, got {value!r}")
        return bool(await self._write("UPDATE inquiries SET review = ? WHERE id = ? RETURNING id", value, inquiry_id))

    async def inquiries(self, where: InquiryFilter = InquiryFilter()) -> list[Inquiry]:
        clause, params = _where(where, self.dialect)
        order = " ORDER BY id DESC" if where.newest_first else " ORDER BY id"
        if where.limit:
            order += " LIMIT ?"
            params.append(where.limit)
        rows = await self._read(f"SELECT {COLUMNS} FROM inquiries{clause}{order}", *params)
        return [self._inquiry(row) for row in rows]

    async def get(self, inquiry_id: int) -> Inquiry | None:
        rows = await self._read(f"SELECT {COLUMNS} FROM inquiries WHERE id = ?", inquiry_id)
        return self._inquiry(rows[0]) if rows else None

    async def counts(self, where: InquiryFilter = InquiryFilter()) -> list[CountRow]:
        clause, params = _where(where, self.dialect)
        rows = await self._read(
            "SELECT {day} AS day, intent, feedback, COUNT(*) AS n FROM inquiries"
            f"{clause} GROUP BY day, intent, feedback ORDER BY day, intent NULLS FIRST, feedback NULLS FIRST",
            *params,
        )
        return [CountRow(dt.date.fromisoformat(r["day"]), r["intent"], r["feedback"], int(r["n"])) for r in rows]

    async def purge(self, older_than_days: int, at: dt.datetime | None = None) -> int:
        if older_than_days < 0:
            raise ValueError("older_than_days must be 0 or more")
        if older_than_days == 0:
            rows = await self._write("DELETE FROM inquiries RETURNING id")
        else:
            cutoff = self.dialect.time_param((at or now()) - dt.timedelta(days=older_than_days))
            rows = await self._write("DELETE FROM inquiries WHERE time < ? RETURNING id", cutoff)
        if rows:
            await self._after_purge()
            logger.info("purged %d inquiries older than %d days from %s", len(rows), older_than_days, self.name)
        return len(rows)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        await self._idle.wait()
        await self._release()
