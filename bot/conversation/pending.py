"""Inquiries the store could not take (a full disk, a database away), held in memory until it can.

The resident is answered either way (issue 12 row 13); the inquiry waits here, in order, at most
`MAX_PENDING` of them (the oldest go first when more come), and is written as soon as the store
takes writes again: at the next inquiry, every `RETRY_SECONDS` from the runtime, and at shutdown.
The log says when inquiries start waiting, how many were dropped, and when they are written.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import deque
from dataclasses import dataclass, field

from ..core.reply import Reply
from ..store.base import InquiryStore

logger = logging.getLogger(__name__)

MAX_PENDING = 5000  # about 5 MB of memory at most
RETRY_SECONDS = 5.0


@dataclass(frozen=True)
class PendingInquiry:
    channel: str
    user: str
    text: str
    reply: Reply
    at: dt.datetime
    message_key: str | None


@dataclass
class PendingLog:
    limit: int = MAX_PENDING
    entries: deque[PendingInquiry] = field(default_factory=deque)
    dropped: int = 0
    _next_try: float = 0.0

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, entry: PendingInquiry) -> None:
        if not self.entries:
            logger.warning("the inquiry log takes no writes: inquiries are kept in memory (at most %d) until it does", self.limit)
            self._next_try = time.monotonic() + RETRY_SECONDS
        if len(self.entries) >= self.limit:
            self.entries.popleft()
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 100 == 0:
                logger.error("inquiries kept in memory exceed %d: %d oldest dropped", self.limit, self.dropped)
        self.entries.append(entry)

    async def flush(self, store: InquiryStore, force: bool = False) -> int:
        """Write what waits, in order, until the store fails again; returns how many were written.
        Tried at most every `RETRY_SECONDS` unless ``force``."""
        if not self.entries or (not force and time.monotonic() < self._next_try):
            return 0
        written = 0
        try:
            while self.entries:
                e = self.entries[0]
                await store.log(e.channel, e.user, e.text, e.reply, at=e.at, message_key=e.message_key)
                self.entries.popleft()
                written += 1
        except Exception as exc:  # noqa: BLE001 - still failing: try again later
            self._next_try = time.monotonic() + RETRY_SECONDS
            if written:
                logger.info("%d inquiries kept in memory written; %d still waiting (%s)", written, len(self.entries), type(exc).__name__)
            return written
        logger.info("the inquiry log takes writes again: %d inquiries kept in memory written", written)
        return written
