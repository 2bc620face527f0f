"""One turn of a conversation, the same for every channel.

A channel adapter translates what arrived (a Telegram update, a web POST, WeChat XML, a line in
the terminal) into a `Turn` and the `Outcome` back into its own output; everything between lives
here: the session (load and save), flood control, routing to a flow or the responder, numbered
choices for channels without buttons, logging the inquiry (redacted by the store, with the
channel), and the feedback handle.

"Commit right before the last message leaves": an `Outcome` carries `commit`, which saves the
session (and lets a webhook worker mark its update finished). The adapter awaits it just before
it sends the last part of the answer, so an answer that never left leaves the session as the
resident last saw it. Adapters whose answer is one HTTP response await it before responding.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from ..core import actions
from ..core.reply import Reply, ReplyKind
from ..core.responder import Responder
from ..core.session import Session
from ..store.base import LOGGED_KINDS, InquiryStore, now
from ..store.redact import redact
from . import texts
from .limits import FloodControl, FloodGate
from .pending import PendingInquiry, PendingLog
from .sessions import AsyncMemorySessions, AsyncSessionStore

logger = logging.getLogger(__name__)

Commit = Callable[[], Awaitable[None]]
MENU_WORDS = frozenset({"菜单", "主菜单", "menu", "/menu", "0"})
PRIVACY_COMMAND = "privacy"


@dataclass(frozen=True)
class Turn:
    """What a resident did: typed ``text``, pressed a button (``action``), or sent a ``command``.

    ``user`` is the channel's own id for the person (the store keys it before writing);
    ``chat`` the conversation it happened in when that differs (a Telegram group).
    ``numbered``: the channel shows buttons as numbered choices, so a reply "2" presses the
    second choice last offered, remembered in the session (which any worker can read).
    ``message_id`` identifies the incoming message within its channel, so a redelivery (a
    webhook retry, WeChat's three tries) is logged once.
    """

    channel: str
    user: str
    text: str = ""
    action: str | None = None
    command: str | None = None
    arg: str = ""
    chat: str | None = None
    numbered: bool = False
    message_id: str | None = None

    @property
    def session_key(self) -> str:
        return f"{self.channel}:{self.chat or self.user}:{self.user}"

    @property
    def user_key(self) -> str:
        """Whom flood control counts: one person on one channel."""
        return f"{self.channel}:{self.user}"

    @property
    def message_key(self) -> str | None:
        """The incoming message across channels (a WeChat MsgId may equal a Telegram update id)."""
        return f"{self.channel}:{self.message_id}" if self.message_id is not None else None


@dataclass
class Outcome:
    """The reply to show, the inquiry it was logged as (the 👍/👎 handle), and the commit."""

    reply: Reply | None
    inquiry_id: int | None = None
    dropped: bool = False  # flood control: nothing to answer (``notice`` once per flood)
    notice: str | None = None
    commit: Commit = field(default=lambda: _nothing())

    @property
    def feedback_id(self) -> int | None:
        return self.inquiry_id if self.reply is not None and self.reply.wants_feedback else None


async def _nothing() -> None:
    return None


@dataclass(frozen=True)
class FeedbackResult:
    recorded: bool
    message: str


@dataclass
class Conversation:
    responder: Responder
    store: InquiryStore | None = None
    sessions: AsyncSessionStore = field(default_factory=AsyncMemorySessions)
    flood: FloodControl = field(default_factory=FloodGate)
    on_commit: Callable[[Turn], Awaitable[None]] | None = None  # e.g. a webhook worker finishing its update
    retention_days: int = 0  # LEGALBOT_RETENTION_DAYS, told to residents in the privacy note
    pending: PendingLog = field(default_factory=PendingLog)  # inquiries the store could not take yet

    async def turn(self, turn: Turn, admitted: bool = False) -> Outcome:
        """Answer one turn; the caller sends ``outcome.reply`` and awaits ``outcome.commit`` right
        before the last part of it leaves.

        ``admitted``: the channel has already passed the turn through `flood` itself (Telegram
        does, before its per-user queue, so a flooder's backlog cannot hold up the queue).
        """
        if not admitted:
            admitted, warn = await self.flood.check(turn.user_key)
            if not admitted:
                notice = texts.TOO_FAST if warn else None
                return Outcome(None, dropped=True, notice=notice, commit=self._commit(turn, None, None))
        session = await self.sessions.get(turn.session_key)
        was_saved_worthy = _worth_saving(session)
        said, reply = self._step(turn, session)
        inquiry_id = await self._log(turn, said, reply)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s %s → %s %s (%.0f)", turn.channel, redact(said)[:80], reply.kind.value, reply.intent, reply.score)
        if turn.numbered:
            session.choices = [[b.label, b.action.encode()] for b in reply.flat_buttons]
        save = was_saved_worthy or _worth_saving(session)
        return Outcome(reply, inquiry_id, commit=self._commit(turn, session if save else None, reply))

    def _step(self, turn: Turn, session: Session) -> tuple[str, Reply]:
        """Route the turn; returns what the resident said (a button's label for a press) and the reply."""
        text = turn.text.strip()
        if turn.numbered and turn.action is None and turn.command is None:
            if text.lower() in MENU_WORDS:
                return text, self.responder.menu(session)
            chosen = _numbered_choice(session, text)
            if chosen is not None:
                label, action = chosen
                return label, self.responder.press(action, session)
        if turn.action is not None:
            return text, self.responder.press(turn.action, session)
        if turn.command == PRIVACY_COMMAND:
            return text or f"/{turn.command}", Reply(texts.privacy(self.retention_days), ReplyKind.MENU)
        if turn.command is not None:
            reply = self.responder.command(turn.command, turn.arg, session)
            if turn.command == "start" and reply.kind is ReplyKind.MENU:
                reply = dataclasses.replace(reply, text=f"{reply.text}\n{texts.privacy_note(self.retention_days)}")
            return text or f"/{turn.command}", reply
        return text, self.responder.respond(text, session)

    async def _log(self, turn: Turn, said: str, reply: Reply) -> int | None:
        """Write the inquiry; on a store failure the resident still gets the answer (without 👍/👎)."""
        if self.store is None or reply.kind not in LOGGED_KINDS:
            return None
        if turn.action is not None and actions.parse(turn.action) is None:
            return None  # a stale or foreign button is not a question (issue 12 row 14)
        entry = PendingInquiry(turn.channel, turn.user, said, reply, now(), turn.message_key)
        if self.pending:
            await self.pending.flush(self.store)
        if self.pending:  # still failing: keep the order, this one waits too
            self.pending.add(entry)
            return None
        try:
            return await self.store.log(entry.channel, entry.user, entry.text, entry.reply, at=entry.at, message_key=entry.message_key)
        except Exception as exc:  # noqa: BLE001 - the answer matters more than its log entry
            logger.warning("could not log an inquiry (intent %s): %s", reply.intent, type(exc).__name__)
            self.pending.add(entry)
            return None

    def _commit(self, turn: Turn, session: Session | None, reply: Reply | None) -> Commit:
        done = False

        async def commit() -> None:
            nonlocal done
            if done:
                return
            done = True
            if session is not None:
                await self.sessions.save(turn.session_key, session)
            if self.on_commit is not None:
                await self.on_commit(turn)

        return commit

    async def feedback(self, channel: str, user: str, inquiry_id: int, value: str) -> FeedbackResult:
        """👍/👎 on an answer; it counts only from the person who asked (in a group anyone can
        press the buttons under an answer)."""
        if self.store is None:
            return FeedbackResult(False, texts.FEEDBACK_FAILED)
        try:
            recorded = await self.store.set_feedback(inquiry_id, value, channel=channel, user_id=user)
            exists = recorded or await self.store.get(inquiry_id) is not None
        except Exception:  # noqa: BLE001 - say so instead of leaving the button spinning
            logger.exception("could not record feedback on inquiry %d", inquiry_id)
            return FeedbackResult(False, texts.FEEDBACK_FAILED)
        if recorded:
            logger.info("feedback %s on inquiry %d", value, inquiry_id)
            return FeedbackResult(True, texts.FEEDBACK_THANKS[value])
        return FeedbackResult(False, texts.FEEDBACK_NOT_YOURS if exists else texts.FEEDBACK_GONE)


def _worth_saving(session: Session) -> bool:
    """A session outside any flow and without numbered choices holds nothing worth a write."""
    return session.flow is not None or bool(session.choices)


def _numbered_choice(session: Session, text: str) -> tuple[str, actions.Action] | None:
    digits = text.translate(_FULL_WIDTH_DIGITS)
    if not digits.isdigit() or not session.choices:
        return None
    number = int(digits)
    if not 1 <= number <= len(session.choices):
        return None
    label, encoded = session.choices[number - 1]
    action = actions.parse(encoded)
    return (label, action) if action is not None else None


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
