"""The inquiry log's interface, shared by every backend (SQLite now; PostgreSQL later).

Channels and admin tools depend on this interface only. Text is redacted by the store itself
before anything is written, so no caller can forget to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..core.reply import Reply

FEEDBACK_VALUES = ("up", "down")
REVIEW_VALUES = ("accepted", "dismissed")


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
    since: dt.date | None = None
    until: dt.date | None = None
    intent: str | None = None
    unmatched: bool = False
    feedback: str | None = None
    unreviewed: bool = False
    limit: int | None = None


class InquiryStore(Protocol):
    async def log(self, channel: str, user_id: str, text: str, reply: Reply, at: dt.datetime | None = None) -> int:
        """Redact `text`, store it with the reply, return the new inquiry id."""

    async def set_feedback(self, inquiry_id: int, value: str) -> bool: ...

    async def inquiries(self, where: InquiryFilter = InquiryFilter()) -> list[Inquiry]: ...

    async def get(self, inquiry_id: int) -> Inquiry | None: ...

    async def set_review(self, inquiry_id: int, value: str) -> bool: ...

    async def purge(self, older_than_days: int) -> int: ...

    async def close(self) -> None: ...
