"""The intake: every incoming message kept until it is answered (schema migration 8, issue 12 row 1).

A message a channel has fetched, but not yet answered, exists only in the bot's memory; a crash
or a power cut would lose it. So it is written here first, raw, because the raw update is what
answering needs. Once answered, the payload is dropped at once and only a marker (the key and
when) stays for a day, so a re-delivery of a message that was answered just before a crash is
recognised and not answered twice. An answer that cannot be sent yet (Telegram asked to wait, the
API is down, the bot is stopping) is kept here too, ready to send, until it has gone out.

The raw payload holds personal data (names, numbers, the text itself): it is never logged, and
an entry no one could answer is deleted after `KEEP_UNANSWERED_HOURS` whatever happened.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .sql import SQLStore

KEEP_UNANSWERED_HOURS = 48  # README's privacy section quotes this
KEEP_MARKER_SECONDS = 24 * 3600  # Telegram stops re-delivering an update after a day
CLAIM_SECONDS = 30.0  # a kept answer being sent is not picked up by another sender this long


@dataclass(frozen=True)
class IntakeEntry:
    """A message not yet answered: its raw payload, or the answer kept to send (``answer``)."""

    message_key: str
    received_at: float
    payload: dict[str, Any] | None
    answer: list[dict[str, Any]] | None
    tries: int


def _entry(row: Any) -> IntakeEntry:
    payload, answer = row["payload"], row["answer"]
    return IntakeEntry(
        row["message_key"],
        float(row["received_at"]),
        json.loads(payload) if payload else None,
        json.loads(answer) if answer else None,
        int(row["tries"]),
    )


class IntakeStore(SQLStore):
    """The ``intake`` table for both backends; each operation is one statement."""

    async def intake_add(
        self,
        channel: str,
        messages: Sequence[tuple[str, dict[str, Any]]],
        processed: Sequence[str] = (),
        now: float | None = None,
    ) -> set[str]:
        """Write fetched messages (key, raw payload) and mark ``processed`` keys answered, in one
        statement (one round trip, one commit); return the fetched keys that were new (a message
        seen before, answered or not, is not returned).

        A processed key drops its payload and keeps its marker, unless it kept an answer to send
        later (`intake_keep_answer`); a processed key the intake never saw gets a marker."""
        if not messages and not processed:
            return set()
        at = time.time() if now is None else now
        rows: dict[str, tuple[str | None, float | None]] = {key: (json.dumps(payload, ensure_ascii=False), None) for key, payload in messages}
        rows.update((key, (None, at)) for key in processed)  # a re-delivery of one answered: the mark wins
        values = ", ".join("(?, ?, ?, ?, ?)" for _ in rows)
        params: list[Any] = []
        for key, (payload, done_at) in rows.items():
            params += [key, channel, at, payload, done_at]
        # A fetched message already there is left alone (the WHERE fails: nothing returned).
        written = await self._write(
            f"INSERT INTO intake (message_key, channel, received_at, payload, done_at) VALUES {values}"
            " ON CONFLICT (message_key) DO UPDATE SET payload = NULL, done_at = excluded.done_at"
            " WHERE excluded.done_at IS NOT NULL AND intake.answer IS NULL"
            " RETURNING message_key, done_at",
            *params,
        )
        return {row["message_key"] for row in written if row["done_at"] is None}

    async def intake_done(self, message_key: str, now: float | None = None) -> None:
        """Answered (or nothing to answer): drop the payload and any kept answer, keep the marker."""
        await self._write(
            "UPDATE intake SET payload = NULL, answer = NULL, done_at = ? WHERE message_key = ?",
            time.time() if now is None else now,
            message_key,
        )

    async def intake_keep_answer(
        self, channel: str, message_key: str, answer: list[dict[str, Any]], send_at: float, received_at: float | None = None
    ) -> None:
        """Keep an answer that could not be sent, to send at ``send_at`` (inserted when the message
        never passed the intake, as on a webhook worker)."""
        await self._write(
            "INSERT INTO intake (message_key, channel, received_at, answer, next_try) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (message_key) DO UPDATE SET answer = excluded.answer, payload = NULL,"
            " next_try = excluded.next_try, tries = intake.tries + 1, done_at = NULL",
            message_key,
            channel,
            time.time() if received_at is None else received_at,
            json.dumps(answer, ensure_ascii=False),
            send_at,
        )

    async def intake_unanswered(self, channel: str) -> list[IntakeEntry]:
        """Messages fetched but never answered (a crash, a stop): to answer now, oldest first."""
        rows = await self._read(
            "SELECT message_key, received_at, payload, answer, tries FROM intake"
            " WHERE channel = ? AND payload IS NOT NULL AND answer IS NULL ORDER BY received_at, message_key",
            channel,
        )
        return [_entry(row) for row in rows]

    async def intake_due(self, channel: str, now: float | None = None, limit: int = 50) -> list[IntakeEntry]:
        """Kept answers whose time has come, claimed for `CLAIM_SECONDS` (another worker skips them)."""
        at = time.time() if now is None else now
        rows = await self._write(
            "UPDATE intake SET next_try = ? WHERE message_key IN ("
            " SELECT message_key FROM intake WHERE channel = ? AND answer IS NOT NULL AND next_try <= ?"
            " ORDER BY next_try LIMIT ?) AND next_try <= ?"
            " RETURNING message_key, received_at, payload, answer, tries",
            at + CLAIM_SECONDS,
            channel,
            at,
            limit,
            at,
        )
        return sorted((_entry(row) for row in rows), key=lambda e: e.received_at)

    async def intake_pending_count(self, channel: str) -> int:
        rows = await self._read(
            "SELECT COUNT(*) AS n FROM intake WHERE channel = ? AND (payload IS NOT NULL OR answer IS NOT NULL)", channel
        )
        return int(rows[0]["n"])

    async def intake_expire(self, now: float | None = None) -> int:
        """Delete markers older than a day and anything unanswered for `KEEP_UNANSWERED_HOURS`."""
        at = time.time() if now is None else now
        rows = await self._write(
            "DELETE FROM intake WHERE (done_at IS NOT NULL AND done_at < ?) OR received_at < ? RETURNING message_key",
            at - KEEP_MARKER_SECONDS,
            at - KEEP_UNANSWERED_HOURS * 3600,
        )
        return len(rows)

    async def check_writable(self) -> None:
        """Raise when the database takes no writes (a read-only file, a read-only replica)."""
        await self._write("DELETE FROM intake WHERE message_key = ''")
