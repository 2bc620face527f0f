"""`SharedState` in SQL for both backends: what webhook workers of one bot must agree on.

Every operation is one statement, so it is atomic on its own: a conditional upsert or an
``UPDATE … RETURNING`` on a row that PostgreSQL locks for the statement and SQLite for its write.
Ids that identify people (session keys, flood counters) are keyed with the store's secret first,
like the inquiry log's user keys. Old rows are swept every few minutes by whichever worker writes.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

from .base import ZONE, ClaimState
from .intake import IntakeStore

CLAIM_KEEP_SECONDS = 24 * 3600  # Telegram stops re-delivering an update after a day (WeChat after seconds)
CLAIM_LEASE_SECONDS = 60.0  # an unfinished claim this old belongs to a worker that died
SESSION_IDLE_SECONDS = 24 * 3600
COUNTER_KEEP_SECONDS = 3600
SWEEP_SECONDS = 600
SEND_RATE = 30.0  # messages per second per bot and channel (Telegram's limit for all chats together)
SEND_BURST = 30.0


def _clock(now: float | None) -> float:
    return time.time() if now is None else float(now)


class SharedStateStore(IntakeStore):
    """`SQLStore` plus the intake and `SharedState` (tables from schema migrations 3 and 8)."""

    _next_sweep = 0.0

    async def claim_update(self, message_key: str, now: float | None = None, lease: float = CLAIM_LEASE_SECONDS) -> bool:
        """True for the first claimer of ``message_key``; False while it is claimed or once it is finished.

        A claim that was never finished and is older than ``lease`` can be taken over: its worker
        died mid-message, and the channel's later re-delivery should then be answered after all.
        """
        now = _clock(now)
        await self._sweep(now)
        rows = await self._write(
            "INSERT INTO message_claims (message_key, claimed_at) VALUES (?, ?)"
            " ON CONFLICT (message_key) DO UPDATE SET claimed_at = excluded.claimed_at"
            " WHERE message_claims.finished_at IS NULL AND message_claims.claimed_at < ?"
            " RETURNING message_key",
            message_key,
            now,
            now - lease,
        )
        return bool(rows)

    async def finish_update(self, message_key: str, now: float | None = None) -> None:
        await self._write("UPDATE message_claims SET finished_at = ? WHERE message_key = ?", _clock(now), message_key)

    async def renew_claim(self, message_key: str, now: float | None = None) -> None:
        """Move an unfinished claim's start to ``now``, so a long update (a queue for the send budget,
        an export) keeps it while a short lease still frees the update of a worker that died."""
        await self._write(
            "UPDATE message_claims SET claimed_at = ? WHERE message_key = ? AND finished_at IS NULL", _clock(now), message_key
        )

    async def claim_state(self, message_key: str) -> ClaimState | None:
        rows = await self._read("SELECT claimed_at, finished_at FROM message_claims WHERE message_key = ?", message_key)
        return ClaimState(float(rows[0]["claimed_at"]), rows[0]["finished_at"] is not None) if rows else None

    async def load_session(self, key: str, now: float | None = None) -> dict[str, Any] | None:
        """The session last saved under ``key``, unless idle for over `SESSION_IDLE_SECONDS`."""
        rows = await self._read(
            "SELECT data FROM sessions WHERE session_key = ? AND updated_at >= ?",
            self._key("session", key),
            _clock(now) - SESSION_IDLE_SECONDS,
        )
        return json.loads(rows[0]["data"]) if rows else None

    async def save_session(self, key: str, data: dict[str, Any], updated_at: float) -> None:
        await self._sweep(time.time())
        await self._write(
            "INSERT INTO sessions (session_key, data, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (session_key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
            self._key("session", key),
            json.dumps(data, ensure_ascii=False),
            float(updated_at),
        )

    async def take_send_token(
        self, channel: str, now: float | None = None, rate: float = SEND_RATE, burst: float = SEND_BURST
    ) -> float:
        """Reserve one message in the channel's bot-wide token bucket; return the seconds to wait
        before sending it.

        The bucket may go into debt: each caller reserves its own future slot, so concurrent senders
        on all workers queue up in order of asking instead of retrying. A clock running behind on one
        worker never refills the bucket twice (the stamp only moves forward). A channel's first
        message finds its bucket full.
        """
        now = _clock(now)
        rows = await self._write(
            "INSERT INTO send_budgets (channel, tokens, stamp) VALUES (?, ?, ?)"
            " ON CONFLICT (channel) DO UPDATE SET"
            " tokens = {least}(?, send_budgets.tokens + ({greatest}(?, send_budgets.stamp) - send_budgets.stamp) * ?) - 1,"
            " stamp = {greatest}(?, send_budgets.stamp) RETURNING tokens",
            channel,
            float(burst) - 1,
            now,
            float(burst),
            now,
            float(rate),
            now,
        )
        return max(0.0, -float(rows[0]["tokens"]) / rate)

    async def hit_user_counter(self, user_key: str, window_s: float, now: float | None = None) -> int:
        """Count one message in the user's current fixed window of ``window_s`` seconds; return the count.

        ``user_key`` may be a raw id: it is keyed before it is written.
        """
        now = _clock(now)
        await self._sweep(now)
        rows = await self._write(
            "INSERT INTO user_counters (user_key, window_seconds, period, hits) VALUES (?, ?, ?, 1)"
            " ON CONFLICT (user_key, window_seconds) DO UPDATE SET"
            " hits = CASE WHEN user_counters.period = excluded.period THEN user_counters.hits + 1 ELSE 1 END,"
            " period = excluded.period"
            " RETURNING hits",
            self._key("counter", user_key),
            float(window_s),
            int(now // window_s),
        )
        return int(rows[0]["hits"])

    async def bump_knowledge_version(self) -> int:
        rows = await self._write("UPDATE knowledge_version SET version = version + 1 WHERE id = 1 RETURNING version")
        return int(rows[0]["version"])

    async def knowledge_version(self) -> int:
        rows = await self._read("SELECT version FROM knowledge_version WHERE id = 1")
        return int(rows[0]["version"])

    async def _sweep(self, now: float) -> None:
        """At most every `SWEEP_SECONDS` per process: drop day-old claims (and the message keys
        kept on inquiries for as long), idle sessions, past windows."""
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_SECONDS
        await self._write("DELETE FROM message_claims WHERE claimed_at < ?", now - CLAIM_KEEP_SECONDS)
        await self._write(
            "UPDATE inquiries SET message_key = NULL WHERE message_key IS NOT NULL AND time < ?",
            self.dialect.time_param(dt.datetime.fromtimestamp(now - CLAIM_KEEP_SECONDS, ZONE)),
        )
        await self._write("DELETE FROM sessions WHERE updated_at < ?", now - SESSION_IDLE_SECONDS)
        await self._write("DELETE FROM user_counters WHERE (period + 1) * window_seconds < ?", now - COUNTER_KEEP_SECONDS)
