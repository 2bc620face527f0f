"""What each visitor was shown, so a reload (or a second tab) shows the conversation again.

Kept in memory, bounded: at most `history_messages` messages per visitor and `history_visitors`
visitors, each forgotten `visitor_idle_seconds` after their last message. Text is redacted
before it is kept, like everything the store writes. The history also answers three questions
the API must not trust the browser with: which label a pressed button had, whether a 👍/👎 is on
an answer this visitor was given, and whether a message id was answered already (a retry).
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...store.redact import redact

Message = dict[str, Any]


@dataclass
class _Visitor:
    messages: deque[Message]
    seen: float
    answered: dict[str, Message] = field(default_factory=dict)  # message id → the answer given


class VisitorHistory:
    def __init__(self, per_visitor: int, max_visitors: int, idle_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.per_visitor = per_visitor
        self.max_visitors = max_visitors
        self.idle_seconds = idle_seconds
        self.clock = clock
        self._visitors: OrderedDict[str, _Visitor] = OrderedDict()

    def __len__(self) -> int:
        return len(self._visitors)

    def _get(self, visitor: str) -> _Visitor | None:
        self._forget_idle()
        return self._visitors.get(visitor)

    def _forget_idle(self) -> None:
        cutoff = self.clock() - self.idle_seconds
        while self._visitors and next(iter(self._visitors.values())).seen < cutoff:
            self._visitors.popitem(last=False)

    def known(self, visitor: str) -> bool:
        return self._get(visitor) is not None

    def messages(self, visitor: str) -> list[Message]:
        record = self._get(visitor)
        return list(record.messages) if record else []

    def add(self, visitor: str, said: str, answer: Message, message_id: str | None = None) -> Message:
        """Remember one exchange (what the visitor said, if anything, and the answer); returns the
        answer as kept (redacted)."""
        record = self._get(visitor)
        if record is None:
            record = self._visitors[visitor] = _Visitor(deque(maxlen=self.per_visitor), self.clock())
            while len(self._visitors) > self.max_visitors:
                self._visitors.popitem(last=False)
        record.seen = self.clock()
        self._visitors.move_to_end(visitor)
        if said:
            record.messages.append({"role": "user", "text": redact(said)})
        kept = {**answer, "role": "bot", "text": redact(answer["text"]), "feedback": None}
        record.messages.append(kept)
        if message_id:
            record.answered[message_id] = kept
            while len(record.answered) > self.per_visitor:
                del record.answered[next(iter(record.answered))]
        return kept

    def answered(self, visitor: str, message_id: str | None) -> Message | None:
        """The answer already given to this message id (a retry is answered from here)."""
        record = self._get(visitor) if message_id else None
        return record.answered.get(message_id) if record else None

    def label(self, visitor: str, action: str, menu: list[list[Message]]) -> str | None:
        """The label of the newest button with this action the visitor was shown (or on the menu)."""
        record = self._get(visitor)
        shown = [m.get("buttons") or [] for m in reversed(record.messages)] if record else []
        for rows in [*shown, menu]:
            for row in rows:
                for button in row:
                    if button["action"] == action:
                        return button["label"]
        return None

    def given(self, visitor: str, inquiry_id: int) -> Message | None:
        """The answer with this feedback id that this visitor was given (None: not theirs, or forgotten)."""
        record = self._get(visitor)
        for message in reversed(record.messages) if record else ():
            if message.get("feedback_id") == inquiry_id:
                return message
        return None
