"""Per-conversation state as plain data, so any store (memory, SQLite, PostgreSQL) can keep it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

FLOW_TIMEOUT_SECONDS = 15 * 60


@dataclass
class Session:
    """Which guided flow a user is in (if any), its answers so far, when they last spoke, the
    choices last offered as numbers ([label, encoded action]) on channels without buttons, and the
    messages a channel shows again after a reload (the web chat's, redacted and bounded there):
    in the session, so every worker sharing the store sees the same conversation."""

    flow: str | None = None
    state: dict[str, Any] = field(default_factory=dict)
    updated_at: float = 0.0
    choices: list[list[str]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)

    def end_flow(self) -> None:
        self.flow, self.state = None, {}

    def expire(self, now: float, timeout: float = FLOW_TIMEOUT_SECONDS) -> bool:
        """Drop an abandoned flow; True when one was dropped."""
        if self.flow and now - self.updated_at > timeout:
            self.end_flow()
            return True
        return False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Session":
        choices = [list(c) for c in data.get("choices") or [] if isinstance(c, (list, tuple)) and len(c) == 2]
        history = [dict(m) for m in data.get("history") or [] if isinstance(m, dict)]
        return cls(data.get("flow"), dict(data.get("state") or {}), float(data.get("updated_at") or 0.0), choices, history)
