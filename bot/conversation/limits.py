"""Flood control per person, for every channel: a resident who sends dozens of messages a second
gets the first `FLOOD_BURST` answered, then one message per `1/FLOOD_RATE` seconds, and one polite
note per flood. Keys are ``channel:user`` strings.

One process counts in memory (`FloodGate`, a token bucket per user). Workers that share one bot
count in the store (`SharedFloodGate`), since a person's next message may reach another worker.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

from ..store.base import SharedState

FLOOD_BURST = 20
FLOOD_RATE = 1.0  # tokens per second once the burst is spent


class FloodControl(Protocol):
    async def check(self, user_key: str) -> tuple[bool, bool]:
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
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def admit(self, user_key: str, now: float | None = None) -> tuple[bool, bool]:
        """(handle it?, send the 'too fast' note?) — the note once per flood, not per dropped message."""
        now = time.monotonic() if now is None else now
        bucket = self._buckets.get(user_key)
        if bucket is None:
            if len(self._buckets) > 50_000:
                self._forget_full(now)
            bucket = self._buckets[user_key] = _Bucket(self.burst, now)
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

    async def check(self, user_key: str) -> tuple[bool, bool]:
        return self.admit(user_key)

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

    async def check(self, user_key: str) -> tuple[bool, bool]:
        hits = await self.store.hit_user_counter(user_key, self.window)
        return hits <= self.limit, hits == self.limit + 1
