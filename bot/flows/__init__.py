"""Guided flows: multi-step dialogues whose state is plain data in the session."""

from __future__ import annotations

from ..core.flow import Flow
from .deadline_flow import DeadlineFlow
from .eligibility import EligibilityFlow


def all_flows() -> list[Flow]:
    """Every flow the bot offers, in menu order."""
    return [EligibilityFlow(), DeadlineFlow()]
