"""Per-user fairness for the Telegram adapter: a token bucket and in-order, per-user handling.

PTB runs updates concurrently (``concurrent_updates``), which keeps one slow reply from holding
up everybody else. `PerUserUpdateProcessor` adds two things PTB leaves to the bot:

* **order per user** — one user's updates are handled one at a time, in arrival order (a FIFO
  `asyncio.Lock` per user), so a flow's answers never overtake each other;
* **flood control** — a user who sends dozens of messages a second gets their first `burst`
  answered, then one message per `1/rate` seconds; the excess is dropped *before* it takes a
  lock, with one polite note per flood, so a flooder cannot starve other users.

One polling process counts in memory (`FloodGate`, a token bucket per user). Webhook workers
count in the store (`SharedFloodGate`), since a user's next message may reach another worker.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from ..store.base import SharedState

logger = logging.getLogger(__name__)

FLOOD_BURST = 20
FLOOD_RATE = 1.0  # tokens per second once the burst is spent


class FloodControl(Protocol):
    async def check(self, user_id: int) -> tuple[bool, bool]:
        """(handle this message?, send the 'too fast' note?) — the note once per flood."""


@dataclass
class _Bucket:
    tokens: float
    stamp: float
    warned: bool = False


@dataclass
class FloodGate:
    """Token bucket per user. `admit` says whether to handle a message and whether to warn."""

    burst: float = FLOOD_BURST
    rate: float = FLOOD_RATE
    _buckets: dict[int, _Bucket] = field(default_factory=dict)

    def admit(self, user_id: int, now: float | None = None) -> tuple[bool, bool]:
        """(handle it?, send the 'too fast' note?) — the note once per flood, not per dropped message."""
        now = time.monotonic() if now is None else now
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) > 50_000:
                self._forget_full(now)
            bucket = self._buckets[user_id] = _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            if bucket.tokens >= self.burst / 2:
                bucket.warned = False  # calmed down: a later flood gets a fresh note
            return True, False
        warn = not bucket.warned
        bucket.warned = True
        return False, warn

    async def check(self, user_id: int) -> tuple[bool, bool]:
        return self.admit(user_id)

    def _forget_full(self, now: float) -> None:
        self._buckets = {
            k: b for k, b in self._buckets.items() if b.tokens + (now - b.stamp) * self.rate < self.burst
        }


@dataclass
class SharedFloodGate:
    """Flood control across webhook workers: `limit` messages per fixed window of `window` seconds,
    counted in the store (one atomic upsert per message).

    The same budget as `FloodGate` on average (20 in 20 s); a flood that spans two windows may get
    up to twice the limit answered and a second note, the price of a counter that is one row.
    """

    store: SharedState
    limit: int = FLOOD_BURST
    window: float = FLOOD_BURST / FLOOD_RATE

    async def check(self, user_id: int) -> tuple[bool, bool]:
        hits = await self.store.hit_user_counter(str(user_id), self.window)
        return hits <= self.limit, hits == self.limit + 1


class _UserLocks:
    """A FIFO lock per user, dropped again once nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def run(self, key: int, coroutine: Awaitable[Any]) -> None:
        lock, users = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


# Called for a dropped update: (update, whether this is the first drop of the flood).
OnDropped = Callable[[Update, bool], Awaitable[None]]


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across users, sequential within one user, with flood control in front."""

    def __init__(self, max_concurrent_updates: int, gate: FloodControl | None = None, on_dropped: OnDropped | None = None):
        super().__init__(max_concurrent_updates)
        self.gate = gate or FloodGate()
        self.on_dropped = on_dropped
        self.locks = _UserLocks()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        user = update.effective_user if isinstance(update, Update) else None
        if user is None:  # channel posts and the like: nothing to order or limit
            await coroutine
            return
        handle, warn = await self.gate.check(user.id)
        if not handle:
            coroutine.close()  # type: ignore[attr-defined]  # never awaited on purpose
            if self.on_dropped is not None:
                try:
                    await self.on_dropped(update, warn)
                except Exception:  # noqa: BLE001 - a failed note must not take the bot down
                    logger.warning("could not tell user about flood control", exc_info=True)
            return
        await self.locks.run(user.id, coroutine)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
