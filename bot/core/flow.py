"""The contract between the core and guided flows (deadline calculator, eligibility pre-check)."""

from __future__ import annotations

from typing import Protocol

from .reply import Reply
from .session import Session


class Flow(Protocol):
    """A small state machine whose whole state lives in ``session.state``.

    ``start`` begins it (``arg`` is what followed the command, e.g. ``/deadline 2025-08-02``);
    ``press`` handles a button payload; ``handle`` handles typed text and returns None when the
    text is not an answer to the current question, so the core can treat it as a new question.
    A flow calls ``session.end_flow()`` when it finishes or the user stops.
    """

    name: str
    title: str

    def start(self, session: Session, arg: str = "") -> Reply: ...

    def press(self, session: Session, payload: str) -> Reply: ...

    def handle(self, session: Session, text: str) -> Reply | None: ...

    def entry_label(self, payload: str) -> str | None:
        """The label of a button that opens the flow at ``payload`` (an answer's "算一算：申请劳动
        仲裁"); None when the flow cannot be entered there, so a typo in an intent file is caught."""
