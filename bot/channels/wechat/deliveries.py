"""One answer per WeChat message, however often WeChat delivers it.

WeChat sends a message again when it has no answer after five seconds, three tries in all. The
first delivery starts the answer (a task, so it runs on even if that request is dropped); a retry
finds it here by the message's key and shares it: it waits for the same answer, or says
"success" when the answer is already going out through the customer-service API. A key is
remembered for `WeChatSettings.remember_seconds`, well past WeChat's last retry.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

MAX_REMEMBERED = 20_000  # keys kept at once; beyond that the oldest finished ones are forgotten early

Commit = Callable[[], Awaitable[None]]


class Mode(str, Enum):
    PENDING = "pending"  # nobody has decided yet how the answer leaves
    PASSIVE = "passive"  # as the HTTP reply (its first part; the rest by the API)
    API = "api"  # wholly by the customer-service API, WeChat got "success"


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class Answer:
    """An answer's WeChat messages in order, the turn's commit (await it before the last leaves),
    and ``release``, for an answer that will never leave: the resident's next turn need not wait."""

    parts: list[str]
    commit: Commit
    release: Callable[[], None] = _nothing


@dataclass
class Delivery:
    answer: asyncio.Task[Answer]
    started: float
    mode: Mode = Mode.PENDING


@dataclass
class Deliveries:
    remember_seconds: float
    clock: Callable[[], float] = time.monotonic
    _known: dict[str, Delivery] = field(default_factory=dict)

    def start(self, key: str, answer: Callable[[], Coroutine[Any, Any, Answer]]) -> Delivery:
        """The delivery of ``key``: the one already under way, else a new one running ``answer()``."""
        now = self.clock()
        known = self._known.get(key)
        if known is not None and (now - known.started <= self.remember_seconds or not known.answer.done()):
            return known
        self._known.pop(key, None)  # re-inserted at the end: the dict stays in age order
        self._forget_old(now)
        delivery = self._known[key] = Delivery(asyncio.create_task(answer()), now)
        return delivery

    def _forget_old(self, now: float) -> None:
        if not self._known:
            return
        oldest = next(iter(self._known.values()))
        if now - oldest.started <= self.remember_seconds and len(self._known) < MAX_REMEMBERED:
            return  # insertion order is age order: nothing has expired yet
        keep = {k: d for k, d in self._known.items() if now - d.started <= self.remember_seconds or not d.answer.done()}
        if len(keep) >= MAX_REMEMBERED:
            keep = dict(list(keep.items())[MAX_REMEMBERED // 2 :])
        self._known = keep

    def __len__(self) -> int:
        return len(self._known)
