"""What a button does, in one typed form that every channel builds and parses here.

A pressed button comes back from a channel as a short string (Telegram's callback data is at
most 64 bytes; the terminal and WeChat keep the string of a numbered choice in the session).
Keeping the string format in one module means a typo in an intent file (``flow:eligibilty``)
is caught when the knowledge loads, and no channel invents actions of its own.

Forms:
- ``menu``                      the main menu
- ``intent:<id>``               an intent's guidance (its first message)
- ``sec:<id>:<n>``              section n (0-based) of an intent's answer
- ``flow:<name>[:<payload>]``   start a guided flow, or one of its steps
- ``fb:<up|down>:<inquiry>``    👍/👎 on a logged answer
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
FEEDBACK_VALUES = ("up", "down")


class ActionKind(str, Enum):
    MENU = "menu"
    INTENT = "intent"
    SECTION = "sec"
    FLOW = "flow"
    FEEDBACK = "fb"


@dataclass(frozen=True)
class Action:
    kind: ActionKind
    target: str = ""  # intent id, flow name, or feedback value
    payload: str = ""  # section number, flow step, or inquiry id

    def encode(self) -> str:
        return ":".join(part for part in (self.kind.value, self.target, self.payload) if part)

    def __str__(self) -> str:
        return self.encode()

    @property
    def section(self) -> int:
        return int(self.payload)

    @property
    def inquiry_id(self) -> int:
        return int(self.payload)


MENU = Action(ActionKind.MENU)


def intent(intent_id: str) -> Action:
    return Action(ActionKind.INTENT, intent_id)


def section(intent_id: str, number: int) -> Action:
    return Action(ActionKind.SECTION, intent_id, str(number))


def flow(name: str, payload: str = "") -> Action:
    return Action(ActionKind.FLOW, name, payload)


def feedback(value: str, inquiry_id: int) -> Action:
    return Action(ActionKind.FEEDBACK, value, str(inquiry_id))


def parse(data: str) -> Action | None:
    """The action a channel handed back, or None when it is not one (stale, foreign, mangled)."""
    kind, _, rest = data.partition(":")
    if kind == ActionKind.MENU.value:
        return MENU if not rest else None
    target, _, payload = rest.partition(":")
    if not ID_PATTERN.fullmatch(target):
        return None
    if kind == ActionKind.INTENT.value:
        return intent(target) if not payload else None
    if kind == ActionKind.SECTION.value:
        return section(target, int(payload)) if payload.isdigit() else None
    if kind == ActionKind.FLOW.value:
        return flow(target, payload)
    if kind == ActionKind.FEEDBACK.value and target in FEEDBACK_VALUES and payload.isdigit():
        return feedback(target, int(payload))
    return None


def parse_reference(ref: str) -> Action | None:
    """A button as intent files write it: an intent id, or ``flow:<name>[:<payload>]``."""
    if ID_PATTERN.fullmatch(ref):
        return intent(ref)
    action = parse(ref)
    return action if action is not None and action.kind is ActionKind.FLOW else None
