"""What the core hands back to a channel: text and buttons as plain data, nothing channel-specific."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from .actions import Action
from .matcher import Candidate


class ReplyKind(str, Enum):
    ANSWER = "answer"
    AMBIGUOUS = "ambiguous"
    FALLBACK = "fallback"
    EMERGENCY = "emergency"
    MENU = "menu"
    FLOW = "flow"
    SECTION = "section"  # a part of an answer opened by its button: not a new question


@dataclass(frozen=True)
class Button:
    """A choice under a reply; pressing it hands ``action`` back to the core (`actions`)."""

    label: str
    action: Action


@dataclass(frozen=True)
class Reply:
    text: str
    kind: ReplyKind
    buttons: tuple[tuple[Button, ...], ...] = ()
    intent: str | None = None
    score: float = 0.0
    candidates: tuple[Candidate, ...] = ()
    wants_feedback: bool = False
    extras: dict = field(default_factory=dict)

    @property
    def flat_buttons(self) -> list[Button]:
        return [b for row in self.buttons for b in row]
