"""Per-user `Session` objects behind a small interface.

In memory for now (one polling process). A later issue moves them to the database so several
webhook workers can serve one bot; `Session` is plain data (`to_dict`/`from_dict`) for that.
"""

from __future__ import annotations

import time
from collections.abc import Hashable
from typing import Protocol

from ..core.session import Session

IDLE_SECONDS = 24 * 3600
MAX_SESSIONS = 100_000


class SessionStore(Protocol):
    def get(self, key: Hashable) -> Session:
        """The user's session, a fresh one if none (or it was dropped as idle)."""

    def save(self, key: Hashable, session: Session) -> None:
        """Persist changes made to a session returned by `get` (a no-op in memory)."""


class MemorySessions:
    """Sessions in a dict. Abandoned ones are forgotten after `idle_seconds` so memory stays bounded;
    abandoned *flows* inside a live session are ended by `Session.expire` in the core."""

    def __init__(self, idle_seconds: float = IDLE_SECONDS, max_sessions: int = MAX_SESSIONS):
        self.idle_seconds = idle_seconds
        self.max_sessions = max_sessions
        self._sessions: dict[Hashable, Session] = {}
        self._next_prune = 0.0

    def __len__(self) -> int:
        return len(self._sessions)

    def get(self, key: Hashable) -> Session:
        now = time.time()
        if now >= self._next_prune or len(self._sessions) >= self.max_sessions:
            self.prune(now)
        session = self._sessions.get(key)
        if session is None:
            session = self._sessions[key] = Session(updated_at=now)
        return session

    def save(self, key: Hashable, session: Session) -> None:
        self._sessions[key] = session

    def prune(self, now: float | None = None) -> int:
        """Forget idle sessions (and the oldest ones if still over the cap); returns how many."""
        now = time.time() if now is None else now
        self._next_prune = now + 600
        before = len(self._sessions)
        self._sessions = {k: s for k, s in self._sessions.items() if now - s.updated_at <= self.idle_seconds}
        if len(self._sessions) >= self.max_sessions:
            keep = sorted(self._sessions.items(), key=lambda kv: kv[1].updated_at)[-(self.max_sessions // 2) :]
            self._sessions = dict(keep)
        return before - len(self._sessions)
