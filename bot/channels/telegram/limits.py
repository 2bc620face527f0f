"""Per-user fairness for the Telegram adapter: flood control in front, in-order per-user handling.

PTB runs updates concurrently (``concurrent_updates``), which keeps one slow reply from holding
up everybody else. `PerUserUpdateProcessor` adds two things PTB leaves to the bot:

* **order per user** — one user's updates are handled one at a time, in arrival order (a FIFO
  `asyncio.Lock` per user), so a flow's answers never overtake each other;
* **flood control** — a user who sends dozens of messages a second gets their first `burst`
  answered, then one message per `1/rate` seconds; the excess is dropped *before* it takes a
  lock, with one polite note per flood, so a flooder cannot starve other users.

The gate itself (`FloodGate` in one process, `SharedFloodGate` across workers) is the
conversation service's (`bot.conversation.limits`); it is checked here, before the per-user lock.

With `UpdateHooks` (the polling bot's durable intake) each update handled, or dropped by flood
control, is reported as processed; once the bot is ``closing`` an update not yet started is left
alone, still in the intake for the next start, so shutdown does not wait on a backlog.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from ...conversation.limits import FloodControl, FloodGate

logger = logging.getLogger(__name__)


class _UserLocks:
    """A FIFO lock per user, dropped again once nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def run(self, key: int, coroutine: Awaitable[Any]) -> Any:
        lock, users = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                return await coroutine
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


class UpdateHooks(Protocol):
    closing: bool

    async def processed(self, update: Update) -> None: ...


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across users, sequential within one user, with flood control in front."""

    def __init__(
        self,
        max_concurrent_updates: int,
        gate: FloodControl | None = None,
        on_dropped: OnDropped | None = None,
        hooks: UpdateHooks | None = None,
    ):
        super().__init__(max_concurrent_updates)
        self.gate = gate or FloodGate()
        self.on_dropped = on_dropped
        self.hooks = hooks
        self.locks = _UserLocks()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if self.hooks is not None and self.hooks.closing:
            coroutine.close()  # type: ignore[attr-defined]  # left in the intake for the next start
            return
        user = update.effective_user if isinstance(update, Update) else None
        ran = True
        if user is None:  # channel posts and the like: nothing to order or limit
            await coroutine
        else:
            handle, warn = await self.gate.check(f"telegram:{user.id}")
            if handle:
                ran = await self.locks.run(user.id, self._unless_closing(coroutine))
            else:
                coroutine.close()  # type: ignore[attr-defined]  # never awaited on purpose
                if self.on_dropped is not None:
                    try:
                        await self.on_dropped(update, warn)
                    except Exception:  # noqa: BLE001 - a failed note must not take the bot down
                        logger.warning("could not tell user about flood control", exc_info=True)
        if self.hooks is not None and ran and isinstance(update, Update):
            await self.hooks.processed(update)

    async def _unless_closing(self, coroutine: Awaitable[Any]) -> bool:
        """Run the handler, unless the bot began closing while it queued behind the user's others."""
        if self.hooks is not None and self.hooks.closing:
            coroutine.close()  # type: ignore[attr-defined]
            return False
        await coroutine
        return True

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
