"""The store's interface, shared by both backends (SQLite, PostgreSQL).

Channels and admin tools depend on these protocols only. Text is redacted and user ids are keyed
by the store itself before anything is written, so no caller can forget to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from ..core.reply import Reply, ReplyKind
from ..errors import UserError

FEEDBACK_VALUES = ("up", "down")
REVIEW_VALUES = ("accepted", "dismissed")

# Times are stored and shown in the bureau's zone, so a "day" is a day in Wanzhou.
ZONE = ZoneInfo("Asia/Shanghai")

# Replies that answer a question are inquiries. Menus and guided-flow steps (a date, a yes/no)
# are not questions: logging them would fill the review queue with noise.
LOGGED_KINDS = frozenset({ReplyKind.ANSWER, ReplyKind.AMBIGUOUS, ReplyKind.FALLBACK, ReplyKind.EMERGENCY})


class StoreError(UserError):
    """The store cannot be opened (not a database, no permission, no server, ...)."""


class FilterError(UserError, ValueError):
    """A filter an admin typed cannot select anything sensible (e.g. since after until)."""


def now() -> dt.datetime:
    return dt.datetime.now(ZONE)


@dataclass(frozen=True)
class Inquiry:
    """One message a resident sent and what the bot answered (text already redacted)."""

    id: int
    time: dt.datetime
    channel: str
    user: str
    text: str
    intent: str | None
    score: float
    candidates: list[dict[str, Any]] = field(default_factory=list)
    reply: str = ""
    feedback: str | None = None
    review: str | None = None

    def as_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "time": self.time.isoformat(),
            "channel": self.channel,
            "user": self.user,
            "text": self.text,
            "intent": self.intent,
            "score": self.score,
            "candidates": self.candidates,
            "reply": self.reply,
            "feedback": self.feedback,
            "review": self.review,
        }


@dataclass(frozen=True)
class InquiryFilter:
    """Which inquiries to read; every condition given must hold. Dates are days in `ZONE`, both inclusive.

    ``needs_review`` is the review queue: unmatched or 👎, and not yet accepted or dismissed.
    ``limit`` keeps the first N in the chosen order (``newest_first`` for an inbox view);
    ``after_id`` with ``limit`` reads a long log page by page.
    """

    since: dt.date | None = None
    until: dt.date | None = None
    intent: str | None = None
    unmatched: bool = False
    feedback: str | None = None
    unreviewed: bool = False
    needs_review: bool = False
    limit: int | None = None
    newest_first: bool = False
    after_id: int | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise FilterError(f"--since {self.since} is after --until {self.until}")
        if self.intent and self.unmatched:
            raise FilterError("--intent and --unmatched exclude each other (unmatched inquiries have no intent)")
        if self.feedback is not None and self.feedback not in FEEDBACK_VALUES:
            raise FilterError(f"feedback must be one of {', '.join(FEEDBACK_VALUES)}, got {self.feedback!r}")
        if self.limit is not None and self.limit < 1:
            raise FilterError(f"--limit must be at least 1, got {self.limit}")


@dataclass(frozen=True)
class CountRow:
    """How many inquiries fell on one day with one intent (None: unmatched) and one feedback."""

    day: dt.date
    intent: str | None
    feedback: str | None
    count: int


@dataclass(frozen=True)
class ClaimState:
    """A message's claim: when it was last claimed or renewed, and whether it was finished."""

    claimed_at: float
    finished: bool


class InquiryStore(Protocol):
    async def log(
        self, channel: str, user_id: str, text: str, reply: Reply, at: dt.datetime | None = None, message_key: str | None = None
    ) -> int:
        """Redact `text` and the reply, key the user id, store it all; return the new inquiry id.

        With ``message_key`` (``"telegram:123"``: the channel and its id for the incoming message)
        a second log of the same message within a day returns the first one's id instead of
        adding a row, so a re-delivery or a worker's takeover is logged once.
        """

    async def set_feedback(self, inquiry_id: int, value: str, channel: str | None = None, user_id: str | None = None) -> bool:
        """Record 👍/👎 ("up"/"down"); False when the inquiry no longer exists, or when ``channel``
        and ``user_id`` are given and are not the person who asked."""

    async def inquiries(self, where: InquiryFilter = InquiryFilter()) -> list[Inquiry]: ...

    async def get(self, inquiry_id: int) -> Inquiry | None: ...

    async def counts(self, where: InquiryFilter = InquiryFilter()) -> list[CountRow]:
        """Inquiries grouped by day, intent and feedback: everything the statistics need, in one query."""

    async def set_review(self, inquiry_id: int, value: str) -> bool:
        """Mark an inquiry "accepted" or "dismissed"; False when it does not exist."""

    async def purge(self, older_than_days: int, at: dt.datetime | None = None) -> int:
        """Delete inquiries older than that many days before `at` (default now; 0 deletes all); return how many."""

    async def close(self) -> None:
        """Finish every pending write, then release the database."""


class SharedState(Protocol):
    """What several webhook workers of one bot must agree on, kept in the database (issue 6 §2).

    ``now`` is wall-clock seconds (`time.time`), given by tests; workers on several machines need
    synchronised clocks (NTP), as they do for the inquiry times anyway.
    """

    async def claim_update(self, message_key: str, now: float | None = None, lease: float = ...) -> bool:
        """True for the one worker that should handle this message (``"telegram:<update id>"``,
        ``"wechat:<MsgId>"``); False for a re-delivery (or while another worker's claim, not older
        than ``lease`` seconds, stands)."""

    async def finish_update(self, message_key: str, now: float | None = None) -> None:
        """The message is handled: re-deliveries are duplicates from now on, however late."""

    async def renew_claim(self, message_key: str, now: float | None = None) -> None:
        """The claimer is still working on the message: start its lease again."""

    async def claim_state(self, message_key: str) -> ClaimState | None:
        """How a message's claim stands (None: never claimed, or swept after a day)."""

    async def load_session(self, key: str, now: float | None = None) -> dict[str, Any] | None:
        """A session's data as last saved, or None when there is none or it has been idle too long."""

    async def save_session(self, key: str, data: dict[str, Any], updated_at: float) -> None: ...

    async def take_send_token(self, channel: str, now: float | None = None, rate: float = ..., burst: float = ...) -> float:
        """Reserve one outgoing message in the channel's bot-wide budget; return how many seconds to wait first."""

    async def hit_user_counter(self, user_key: str, window_s: float, now: float | None = None) -> int:
        """Count one message from this user; return how many they sent in the current window."""

    async def bump_knowledge_version(self) -> int:
        """Announce reloaded intents to every worker; return the new generation."""

    async def knowledge_version(self) -> int: ...


class Intake(Protocol):
    """Messages kept until answered and answers kept until sent (`bot.store.intake`)."""

    async def intake_add(self, channel: str, messages: Any, processed: Any = (), now: float | None = None) -> set[str]: ...

    async def intake_done(self, message_key: str, now: float | None = None) -> None: ...

    async def intake_keep_answer(
        self, channel: str, message_key: str, answer: list[dict[str, Any]], send_at: float, received_at: float | None = None
    ) -> None: ...

    async def intake_unanswered(self, channel: str) -> list[Any]: ...

    async def intake_due(self, channel: str, now: float | None = None, limit: int = ...) -> list[Any]: ...

    async def intake_pending_count(self, channel: str) -> int: ...

    async def intake_expire(self, now: float | None = None) -> int: ...

    async def check_writable(self) -> None:
        """Raise when the database takes no writes."""


class Store(InquiryStore, SharedState, Intake, Protocol):
    """Everything `open_store` returns."""
