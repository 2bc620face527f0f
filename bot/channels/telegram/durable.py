"""Lose nothing (issue 12 rows 1, 5-8): the polling bot's updates and answers live in the store.

`Intake.admit` runs inside `LeanBot.get_updates`, before the updates reach PTB: PTB confirms a
batch to Telegram only with its next getUpdates call, so every update is in the store's intake
before Telegram may forget it. An update is marked processed (its payload dropped) once its
handler is through; a re-delivery of one already processed is not handed to PTB again.

The marks cost no write of their own while messages come in: they ride along with the next
fetched batch, which is one statement (`IntakeStore.intake_add`), and are written on their own
only when they have waited `MARK_EVERY` seconds. So a steady stream costs one intake write per
getUpdates instead of two per message (measured with `benchmarks/bench_telegram.py --rate 20`).

At start, what a crash or power cut left unanswered is handed to PTB first (`recover`); an
update older than `STALE_SECONDS` gets `texts.STALE_APOLOGY` instead of guidance that may no
longer fit. Only an update whose answer was leaving at the moment of the kill, or had left in
the last `MARK_EVERY` seconds (its mark not yet written: at Telegram's 30 sends/s, about three),
can be answered twice.

An answer that cannot be sent now (`ratelimit.SendDeferred`: Telegram asked to wait, the API keeps
failing, the bot is stopping) is kept in the intake, ready to send; `Outbox` sends kept answers
when due, also after a restart. Updates PTB cannot read (``{"message": {}}``) are logged once, by
update id only, and skipped.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.error import TelegramError

from ...conversation import texts
from ...store.base import Store
from .ratelimit import SendDeferred
from .render import OutgoingMessage, escape

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
STALE_SECONDS = 3600.0  # an answer this late gets an apology instead of guidance
OUTBOX_EVERY = 1.0  # seconds between looks for kept answers that are due
MARK_EVERY = 0.1  # the longest a processed mark waits for the next fetched batch to ride along
MAX_MARKS = 1000  # processed marks written in one statement at most (SQL parameter limits)
EXPIRE_EVERY = 600.0


def message_key(update_id: object) -> str:
    return f"{CHANNEL}:{update_id}"


def update_id_of(raw: object) -> int | None:
    value = raw.get("update_id") if isinstance(raw, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _chat_of(payload: dict[str, Any]) -> int | None:
    """Where to answer an update: its message's chat (a press: the pressed message's chat)."""
    for kind in ("message", "callback_query"):
        part = payload.get(kind)
        if isinstance(part, dict):
            chat = (part.get("message") or {}).get("chat") if kind == "callback_query" else part.get("chat")
            if isinstance(chat, dict) and isinstance(chat.get("id"), int):
                return chat["id"]
    return None


def _sent_at(payload: dict[str, Any], received_at: float) -> float:
    """When the resident sent it: the message's own date, else when it was fetched."""
    message = payload.get("message")
    date = message.get("date") if isinstance(message, dict) else None
    return float(date) if isinstance(date, (int, float)) and 0 < date <= received_at + 60 else received_at


def read_updates(raw: list[Any], bot: Any) -> tuple[list[Update], list[Any]]:
    """PTB's updates from the raw list, and the raw entries it cannot read (logged once each,
    by update id only: the payload holds personal data)."""
    updates: list[Update] = []
    unreadable: list[Any] = []
    for data in raw:
        try:
            update = Update.de_json(data, bot)
            if update is None:
                raise ValueError("empty update")
            bot.insert_callback_data(update)
            updates.append(update)
        except Exception as exc:  # noqa: BLE001 - one bad update must not stop polling
            logger.warning("update %s cannot be read (%s); skipped", update_id_of(data), type(exc).__name__)
            unreadable.append(data)
    return updates, unreadable


def answer_parts(chat_id: int, parts: list[OutgoingMessage], reply_to: int | None) -> list[dict[str, Any]]:
    """Outgoing messages as JSON for the intake (the first keeps its quote of a group message)."""
    return [
        {"chat_id": chat_id, "html": p.html, "markup": p.markup, "reply_to": reply_to if n == 0 else None}
        for n, p in enumerate(parts)
    ]


@dataclass
class Intake:
    """The polling bot's side of the store's intake (see the module docstring)."""

    store: Store
    kept: int = 0  # answers kept for later since start, for the log
    marks: dict[str, None] = field(default_factory=dict)  # processed, not yet written (in order)
    _flushing: asyncio.TimerHandle | None = None
    _writes: set[asyncio.Task] = field(default_factory=set)

    async def recover(self, bot: Any) -> list[Update]:
        """At start: what a previous run left unanswered, to hand PTB first; stale ones get an apology."""
        backlog: list[dict[str, Any]] = []
        fresh = stale = 0
        for entry in await self.store.intake_unanswered(CHANNEL):
            payload = entry.payload or {}
            if await self._too_old(entry.message_key, payload, entry.received_at):
                stale += 1
            else:
                backlog.append(payload)
                fresh += 1
        if fresh or stale:
            logger.info("intake: %d unanswered updates from before the restart to answer, %d too old (apology)", fresh, stale)
        updates, unreadable = read_updates(backlog, bot)
        for data in unreadable:
            await self.store.intake_done(message_key(update_id_of(data)))
        return updates

    async def _too_old(self, key: str, payload: dict[str, Any], received_at: float) -> bool:
        """An update sent over `STALE_SECONDS` ago gets the apology (kept, sent by the outbox)."""
        now = time.time()
        if now - _sent_at(payload, received_at) <= STALE_SECONDS:
            return False
        chat = _chat_of(payload)
        if chat is None:
            await self.store.intake_done(key)
        else:
            apology = answer_parts(chat, [OutgoingMessage(escape(texts.STALE_APOLOGY))], None)
            await self.store.intake_keep_answer(CHANNEL, key, [{**apology[0], "apology": True}], now)
        return True

    async def admit(self, raw: list[Any], bot: Any) -> list[Update]:
        """Write what getUpdates fetched, then hand PTB what is new."""
        keyed = [(message_key(uid), data) for data in raw if (uid := update_id_of(data)) is not None]
        marks = self._take_marks()
        try:
            new = await self.store.intake_add(CHANNEL, keyed, marks)
        except Exception as exc:  # noqa: BLE001 - answer from memory rather than not at all
            logger.warning("intake: %d fetched updates could not be stored (%s); answered from memory", len(keyed), type(exc).__name__)
            self._put_back(marks)
            new = {key for key, _ in keyed}
        handle = []
        for key, data in keyed:
            if key in new and not await self._quietly(self._too_old(key, data, time.time())):
                handle.append(data)
        handle += [data for data in raw if update_id_of(data) is None]
        updates, unreadable = read_updates(handle, bot)
        for data in unreadable:
            if (uid := update_id_of(data)) is not None:
                await self._quietly(self.store.intake_done(message_key(uid)))
        return updates

    def processed(self, update: Update) -> None:
        """The handler is through: the payload goes (unless an answer was kept to send later),
        with the next fetched batch or within `MARK_EVERY` seconds."""
        self.marks[message_key(update.update_id)] = None
        if self._flushing is None:
            self._flushing = asyncio.get_running_loop().call_later(MARK_EVERY, self._flush_later)

    def _flush_later(self) -> None:
        self._flushing = None
        if self.marks:
            task = asyncio.get_running_loop().create_task(self.flush())
            self._writes.add(task)
            task.add_done_callback(self._writes.discard)

    async def flush(self) -> None:
        """Write the processed marks that wait (at shutdown: all of them)."""
        while marks := self._take_marks():
            try:
                await self.store.intake_add(CHANNEL, [], marks)
            except Exception as exc:  # noqa: BLE001 - kept for the next try; at worst a repeat after a crash
                logger.warning("intake: could not mark %d updates (%s)", len(marks), type(exc).__name__)
                self._put_back(marks)
                return

    async def close(self) -> None:
        """Before the store closes: marks in the air have landed, and the rest are written."""
        if self._flushing is not None:
            self._flushing.cancel()
            self._flushing = None
        if self._writes:
            await asyncio.gather(*self._writes, return_exceptions=True)
        await self.flush()

    def _take_marks(self) -> list[str]:
        taken = list(itertools.islice(self.marks, MAX_MARKS))
        for key in taken:
            del self.marks[key]
        if not self.marks and self._flushing is not None:  # the next mark waits its own `MARK_EVERY`
            self._flushing.cancel()
            self._flushing = None
        return taken

    def _put_back(self, marks: list[str]) -> None:
        self.marks = dict.fromkeys([*marks, *self.marks])
        if self._flushing is None:
            self._flushing = asyncio.get_running_loop().call_later(MARK_EVERY, self._flush_later)

    async def keep(self, update_id: int, parts: list[dict[str, Any]], deferred: SendDeferred) -> None:
        """An answer that could not leave: kept, to be sent at ``deferred.retry_at``."""
        self.kept += 1
        try:
            await self.store.intake_keep_answer(CHANNEL, message_key(update_id), parts, deferred.retry_at)
        except Exception as exc:  # noqa: BLE001
            logger.error("answer to update %d could not be kept (%s): lost", update_id, type(exc).__name__)
            return
        logger.warning(
            "answer to update %d kept to send in %.0f s (%s); %d kept since start",
            update_id,
            max(0.0, deferred.retry_at - time.time()),
            deferred.why,
            self.kept,
        )

    @staticmethod
    async def _quietly(write: Any) -> Any:
        try:
            return await write
        except Exception as exc:  # noqa: BLE001 - a marker that could not be written: at worst a repeat
            logger.warning("intake: could not mark an update (%s)", type(exc).__name__)
            return None


@dataclass
class Outbox:
    """Sends kept answers when they are due, until cancelled (also a previous run's)."""

    store: Store
    intake: Intake | None = None
    sent: int = 0

    async def run(self, bot: Any) -> None:
        next_expiry = 0.0
        while True:
            try:
                if time.monotonic() >= next_expiry:
                    next_expiry = time.monotonic() + EXPIRE_EVERY
                    if expired := await self.store.intake_expire():
                        logger.info("intake: %d old entries deleted", expired)
                for entry in await self.store.intake_due(CHANNEL):
                    await self._send(bot, entry)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - try again next round
                logger.warning("outbox: %s", type(exc).__name__)
            await asyncio.sleep(OUTBOX_EVERY)

    async def _send(self, bot: Any, entry: Any) -> None:
        parts = list(entry.answer or [])
        if parts and time.time() - entry.received_at > STALE_SECONDS and not parts[0].get("apology"):
            chat = parts[0]["chat_id"]
            parts = [{"chat_id": chat, "html": escape(texts.STALE_APOLOGY), "markup": None, "reply_to": None, "apology": True}]
        for n, part in enumerate(parts):
            try:
                await bot.send_html(part["chat_id"], part["html"], part.get("markup"), _reply(part.get("reply_to")))
            except SendDeferred as deferred:
                await self.store.intake_keep_answer(CHANNEL, entry.message_key, parts[n:], deferred.retry_at)
                return
            except TelegramError as exc:
                logger.warning("kept answer %s could not be delivered (%s); dropped", entry.message_key, type(exc).__name__)
                break
        await self.store.intake_done(entry.message_key)
        self.sent += 1
        pending = await self.store.intake_pending_count(CHANNEL)
        logger.info("outbox: kept answer sent after %d tries (%d sent since start, %d still kept or unanswered)", entry.tries, self.sent, pending)


def _reply(message_id: int | None) -> Any:
    if message_id is None:
        return None
    from telegram import ReplyParameters  # noqa: PLC0415

    return ReplyParameters(message_id, allow_sending_without_reply=True)
