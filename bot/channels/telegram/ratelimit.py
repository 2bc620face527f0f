"""Rate limiting for the Bot API: in memory for one polling process, through the store for workers.

Both limiters also run a `BeforeSend` hook given with a request, after any wait for the budget
and right before the request leaves: a reply's last message carries the moment its update counts
as answered (the session saved; for webhook workers the update's claim finished, see
`worker`). Run earlier, a worker dying while its reply queued for the budget would leave
the update finished but unanswered; run after the send, a worker dying in between would leave it
answered but open, to be answered again by another worker.

How the webhook workers share Telegram's bot-wide send limit: Telegram lets a bot send about 30 messages a second across all chats and
answers 429 with ``retry_after`` beyond that. One polling process keeps to it with PTB's
`AIORateLimiter`, in memory. Several workers must draw on one budget, so `SharedRateLimiter`
asks the store for every message: `SharedState.take_send_token` is a token bucket (30 a second,
bursts as large; ``LEGALBOT_SEND_RATE`` for a bot Telegram allows more) in one database row,
updated by one atomic statement. The bucket may go into debt:
each caller reserves the next free slot and is told how long to wait for it, so senders on all
workers queue up in the order they asked, never poll or retry, and together stay within the rate.
Only requests addressed to a chat (sendMessage, sendPhoto, sendDocument, edits) take a token, as
with `AIORateLimiter`; answering a button press is not a message. The cost is one database round
trip per message.

Two things stay per worker. Telegram's 20 messages a minute in one group chat are paced by an
in-memory limiter per group (with N workers a busy group could be offered N times that; Telegram's
429 then paces it). And a 429 that gets through anyway (another bot on the token, a limit Telegram
changed) is retried after its ``retry_after`` up to `max_retries` times, while this worker holds
its other sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from typing import Any

from dataclasses import dataclass

from aiolimiter import AsyncLimiter
from telegram.constants import FloodLimit
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from ...store.base import SharedState

CHANNEL = "telegram"  # whose send budget this is (each channel has its own)

logger = logging.getLogger(__name__)

MAX_GROUP_LIMITERS = 512

Result = bool | dict[str, Any] | list[dict[str, Any]]


@dataclass
class BeforeSend:
    """``rate_limit_args`` for one request: run `action` once, just before the request leaves."""

    action: Callable[[], Awaitable[None]]
    done: bool = False

    def around(self, callback: Callable[..., Coroutine[Any, Any, Result]]) -> Callable[..., Coroutine[Any, Any, Result]]:
        async def run(*args: Any, **kwargs: Any) -> Result:
            if not self.done:  # a retry after a 429 does not run it again
                self.done = True
                await self.action()
            return await callback(*args, **kwargs)

        return run


class LocalRateLimiter(AIORateLimiter):
    """PTB's in-memory limiter (one polling process), plus `BeforeSend`."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | BeforeSend | None,
    ) -> Result:
        if isinstance(rate_limit_args, BeforeSend):
            callback, rate_limit_args = rate_limit_args.around(callback), None
        return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)


def retry_seconds(error: RetryAfter) -> float:
    """``retry_after`` in seconds (PTB 22 gives an int with a deprecation warning, or a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class SharedRateLimiter(BaseRateLimiter[BeforeSend]):
    """PTB's rate-limiter hook over the store's bot-wide send budget (see the module docstring)."""

    def __init__(
        self,
        budget: SharedState,
        rate: float = FloodLimit.MESSAGES_PER_SECOND,
        max_retries: int = 3,
        group_rate: float = FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP,
    ):
        self.budget = budget
        self.rate = rate
        self.max_retries = max_retries
        self.group_rate = group_rate
        self._groups: dict[int | str, AsyncLimiter] = {}
        self._not_paused = asyncio.Event()
        self._not_paused.set()

    async def initialize(self) -> None:
        """Nothing to set up: the budget lives in the store."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def _group(self, chat_id: object) -> AbstractAsyncContextManager[Any]:
        """The per-minute limiter of a group or channel (negative or @name ids), else nothing."""
        with contextlib.suppress(TypeError, ValueError):
            chat_id = int(chat_id)  # type: ignore[arg-type]
        if not ((isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str)):
            return contextlib.nullcontext()
        if len(self._groups) > MAX_GROUP_LIMITERS:  # forget groups whose minute has passed
            self._groups = {k: v for k, v in self._groups.items() if not v.has_capacity(v.max_rate)}
        limiter = self._groups.get(chat_id)
        if limiter is None:
            limiter = self._groups[chat_id] = AsyncLimiter(self.group_rate, 60)
        return limiter

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: BeforeSend | None,
    ) -> Result:
        chat_id = data.get("chat_id")
        if rate_limit_args is not None:
            callback = rate_limit_args.around(callback)
        retries = self.max_retries
        attempt = 0
        while True:
            async with self._group(chat_id):
                if chat_id is not None:
                    wait = await self.budget.take_send_token(CHANNEL, rate=self.rate, burst=self.rate)
                    if wait > 0:
                        await asyncio.sleep(wait)
                await self._not_paused.wait()
                try:
                    return await callback(*args, **kwargs)
                except RetryAfter as exc:
                    if attempt >= retries:
                        logger.warning("%s: still rate limited after %d retries", endpoint, retries)
                        raise
                    pause = retry_seconds(exc) + 0.1
            attempt += 1
            logger.info("%s: rate limited by Telegram; retrying in %.1f s", endpoint, pause)
            self._not_paused.clear()
            try:
                await asyncio.sleep(pause)
            finally:
                self._not_paused.set()
