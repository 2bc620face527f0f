"""Rate limiting for the Bot API: in memory for one polling process, through the store for workers.

Both limiters also run a `BeforeSend` hook given with a request, after any wait for the budget
and right before the request leaves: a reply's last message carries the moment its update counts
as answered (the session saved; for webhook workers the update's claim finished, see
`worker`). Run earlier, a worker dying while its reply queued for the budget would leave
the update finished but unanswered; run after the send, a worker dying in between would leave it
answered but open, to be answered again by another worker.

How the webhook workers share Telegram's bot-wide send limit: Telegram lets a bot send about 30 messages a second across all chats and
answers 429 with ``retry_after`` beyond that. One polling process keeps to it in memory
(`LocalRateLimiter`, an `AsyncLimiter`). Several workers must draw on one budget, so `SharedRateLimiter`
asks the store for every message: `SharedState.take_send_token` is a token bucket (30 a second,
bursts as large; ``LEGALBOT_SEND_RATE`` for a bot Telegram allows more) in one database row,
updated by one atomic statement. The bucket may go into debt:
each caller reserves the next free slot and is told how long to wait for it, so senders on all
workers queue up in the order they asked, never poll or retry, and together stay within the rate.
Only requests addressed to a chat (sendMessage, sendPhoto, sendDocument, edits) take a token;
answering a button press is not a message. The cost is one database round trip per message.
Telegram's 20 messages a minute in one group chat are paced per group, in memory.

When Telegram or the network fails anyway (issue 12 rows 5-7), both limiters do the same
(`_PacedLimiter`, tuned by `RetryPolicy`):

* a 429 pauses what Telegram asked to pause: that chat for ``retry_after`` (`Pauses`); only a
  429 on a request to no chat, or 429s for several chats within a second, pause the whole bot;
* a short ``retry_after`` is waited and the request retried, a few times; a long one, or one
  429 too many, raises `SendDeferred`;
* transient failures (5xx, resets, timeouts; not a 400) are retried with exponential backoff and
  full jitter, then `SendDeferred`;
* once `stop` is called, every wait ends at once in `SendDeferred`.

`SendDeferred` means "not sent, and not lost": the adapter keeps the answer in the store's intake
and sends it later (`durable.Outbox`), after a restart if need be.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
import time
import warnings
from abc import abstractmethod
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.constants import FloodLimit
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from ...store.base import SharedState

CHANNEL = "telegram"  # whose send budget this is (each channel has its own)

logger = logging.getLogger(__name__)

MAX_GROUP_LIMITERS = 512
MAX_PAUSED_CHATS = 4096

Result = bool | dict[str, Any] | list[dict[str, Any]]


@dataclass(frozen=True)
class RetryPolicy:
    """How long a request may be held before it is kept for later instead."""

    max_wait: float = 5.0  # longest retry_after (or pause) waited in line; longer: SendDeferred
    rate_limited_tries: int = 3  # 429s retried in line per request
    transient_tries: int = 4  # attempts in all on 5xx, resets and timeouts
    backoff: float = 0.5  # the first backoff's ceiling, doubled per failure (full jitter)
    global_chats: int = 3  # 429s for this many chats within `global_window`: the bot is paused
    global_window: float = 1.0


class SendDeferred(NetworkError):
    """Not sent now, to be sent later: ``retry_at`` is wall-clock time (`time.time`)."""

    def __init__(self, seconds: float, why: str):
        super().__init__(f"send deferred {seconds:.1f} s: {why}")
        self.retry_at = time.time() + max(0.0, seconds)
        self.why = why


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


def retry_seconds(error: RetryAfter) -> float:
    """``retry_after`` in seconds (PTB 22 gives an int with a deprecation warning, or a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class Pauses:
    """Until when each chat, and the whole bot, must not send (Telegram's ``retry_after``)."""

    def __init__(self, policy: RetryPolicy):
        self.policy = policy
        self.bot_until = 0.0
        self.chats: dict[str, float] = {}
        self._recent: deque[tuple[float, str]] = deque()

    def remaining(self, chat_id: object) -> float:
        now = time.monotonic()
        until = max(self.bot_until, self.chats.get(str(chat_id), 0.0)) if chat_id is not None else self.bot_until
        return until - now

    def pause(self, chat_id: object, seconds: float) -> None:
        now = time.monotonic()
        until = now + seconds
        if chat_id is None:
            self.bot_until = max(self.bot_until, until)
            return
        chat = str(chat_id)
        if len(self.chats) > MAX_PAUSED_CHATS:
            self.chats = {c: t for c, t in self.chats.items() if t > now}
        self.chats[chat] = max(self.chats.get(chat, 0.0), until)
        self._recent.append((now, chat))
        while self._recent and self._recent[0][0] < now - self.policy.global_window:
            self._recent.popleft()
        if len({c for _, c in self._recent}) >= self.policy.global_chats:
            self.bot_until = max(self.bot_until, until)  # the bot's limit, not one chat's
            logger.info("rate limited by Telegram in several chats: all sending paused %.1f s", seconds)


class _PacedLimiter(BaseRateLimiter[BeforeSend]):
    """Budget, pauses, retries and `SendDeferred`, shared by both limiters (module docstring)."""

    def __init__(self, policy: RetryPolicy, group_rate: float):
        self.policy = policy
        self.group_rate = group_rate
        self.pauses = Pauses(policy)
        self.stopping = asyncio.Event()
        self._groups: dict[int | str, AsyncLimiter] = {}
        self.deferred = 0  # requests given up on for now, for the log

    @abstractmethod
    async def _take(self) -> None:
        """Wait for one message of the bot-wide budget."""

    def _budget_ready(self) -> bool:
        """True when `_take` would not wait: it is then awaited as it is, without `_wait`'s two
        tasks and their turns of the event loop (most sends, at ordinary traffic)."""
        return False

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def stop(self) -> None:
        """From now on no request waits: waiting ones end in `SendDeferred`."""
        self.stopping.set()

    async def _wait(self, waiting: Awaitable[Any], why: str, seconds: float = 0.0) -> None:
        """Await ``waiting`` unless `stop` comes first (then `SendDeferred`)."""
        if self.stopping.is_set():
            if asyncio.iscoroutine(waiting):
                waiting.close()
            raise SendDeferred(seconds, f"stopping ({why})")
        task = asyncio.ensure_future(waiting)
        stop = asyncio.ensure_future(self.stopping.wait())
        try:
            await asyncio.wait((task, stop), return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
            raise SendDeferred(seconds, f"stopping ({why})")
        task.result()

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
        rate_limit_args: BeforeSend | int | None,
    ) -> Result:
        chat_id = data.get("chat_id")
        if isinstance(rate_limit_args, BeforeSend):
            callback = rate_limit_args.around(callback)
        try:
            return await self._send(callback, args, kwargs, endpoint, chat_id)
        except SendDeferred:
            self.deferred += 1
            raise

    async def _send(self, callback: Callable[..., Coroutine[Any, Any, Result]], args: Any, kwargs: dict[str, Any], endpoint: str, chat_id: object) -> Result:
        policy = self.policy
        limited = failed = 0
        while True:
            paused = self.pauses.remaining(chat_id)
            if paused > policy.max_wait:
                raise SendDeferred(paused, "Telegram asked to wait")
            if paused > 0:
                await self._wait(asyncio.sleep(paused), "paused by Telegram", paused)
            async with self._group(chat_id):
                if chat_id is not None:
                    if self._budget_ready() and not self.stopping.is_set():
                        await self._take()
                    else:
                        await self._wait(self._take(), "send budget")
                try:
                    return await callback(*args, **kwargs)
                except RetryAfter as exc:
                    seconds = retry_seconds(exc)
                    self.pauses.pause(chat_id, seconds)
                    limited += 1
                    if limited > policy.rate_limited_tries or seconds > policy.max_wait:
                        raise SendDeferred(seconds, f"rate limited {limited} times") from None
                    logger.info("%s: rate limited by Telegram; retrying in %.1f s", endpoint, seconds)
                    continue
                except BadRequest:
                    raise
                except NetworkError as exc:
                    failed += 1
                    if failed >= policy.transient_tries:
                        raise SendDeferred(policy.backoff * 2**failed, f"{failed} failed tries: {exc.message}") from None
                    delay = random.uniform(0, policy.backoff * 2 ** (failed - 1))
                    logger.info("%s failed (%s); try %d in %.2f s", endpoint, exc.message, failed + 1, delay)
            await self._wait(asyncio.sleep(delay), "backoff", delay)


class LocalRateLimiter(_PacedLimiter):
    """One polling process: the bot-wide budget in memory."""

    def __init__(
        self,
        overall_max_rate: float = FloodLimit.MESSAGES_PER_SECOND,
        policy: RetryPolicy = RetryPolicy(),
        group_rate: float = FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP,
    ):
        super().__init__(policy, group_rate)
        self._overall = AsyncLimiter(overall_max_rate, 1)

    async def _take(self) -> None:
        await self._overall.acquire()

    def _budget_ready(self) -> bool:
        return self._overall.has_capacity()


class SharedRateLimiter(_PacedLimiter):
    """Webhook workers: the bot-wide budget in the store (see the module docstring)."""

    def __init__(
        self,
        budget: SharedState,
        rate: float = FloodLimit.MESSAGES_PER_SECOND,
        policy: RetryPolicy = RetryPolicy(),
        group_rate: float = FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP,
    ):
        super().__init__(policy, group_rate)
        self.budget = budget
        self.rate = rate

    async def _take(self) -> None:
        wait = await self.budget.take_send_token(CHANNEL, rate=self.rate, burst=self.rate)
        if wait > 0:
            await asyncio.sleep(wait)
