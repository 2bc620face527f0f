"""Per-user `Session` objects behind one small async interface, `AsyncSessionStore`.

`MemorySessions` serves one polling process. Several webhook workers must share sessions, so a
flow started on one continues on another: `DatabaseSessions` keeps them in the store. Reading the
database is I/O, hence the async interface; `AsyncMemorySessions` puts the in-memory store behind
it, so the Telegram handlers are written once and run on either.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Protocol

from ..core.session import Session
from ..store.base import SharedState

IDLE_SECONDS = 24 * 3600
MAX_SESSIONS = 100_000


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


class AsyncSessionStore(Protocol):
    async def get(self, key: Hashable) -> Session:
        """The user's session, a fresh one if none (or it was dropped as idle)."""

    async def save(self, key: Hashable, session: Session) -> None:
        """Persist changes made to a session returned by `get`; other workers see them from then on."""


class AsyncMemorySessions:
    """`MemorySessions` behind `AsyncSessionStore` (one process; nothing is awaited)."""

    def __init__(self, sessions: MemorySessions | None = None):
        self.sessions = sessions or MemorySessions()

    async def get(self, key: Hashable) -> Session:
        return self.sessions.get(key)

    async def save(self, key: Hashable, session: Session) -> None:
        self.sessions.save(key, session)


class DatabaseSessions:
    """Sessions in the store, shared by every worker. Keys are keyed-hashed by the store (``str(key)``
    first, so a (chat, user) tuple works); sessions idle for a day are fresh again and swept."""

    def __init__(self, store: SharedState, clock: Callable[[], float] = time.time):
        self.store = store
        self.clock = clock

    async def get(self, key: Hashable) -> Session:
        now = self.clock()
        data = await self.store.load_session(str(key), now)
        return Session.from_dict(data) if data is not None else Session(updated_at=now)

    async def save(self, key: Hashable, session: Session) -> None:
        await self.store.save_session(str(key), session.to_dict(), session.updated_at)
