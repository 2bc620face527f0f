"""Who is asking: an anonymous random id in a cookie, nothing else.

The id is made here, never derived from anything about the person; the store keys it again
before writing, as it does Telegram ids. Anyone can make up an id, so an id the server has not
seen counts against its network address (`AddressGate`): one address cannot start visitors
without end to dodge the per-visitor flood control. Turns of one visitor (several tabs) run one
at a time (`TurnLocks`), so their session saves cannot overwrite each other.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

from ...conversation.limits import FloodGate

COOKIE = "legalbot_visitor"
_ID = re.compile(r"[A-Za-z0-9_-]{22}")


def new_visitor_id() -> str:
    return secrets.token_urlsafe(16)  # 128 random bits, 22 characters


def cookie_visitor(request: Request) -> str | None:
    """The visitor id the browser sent, if it has the shape of one we hand out."""
    value = request.cookies.get(COOKIE, "")
    return value if _ID.fullmatch(value) else None


def cookie_path(request: Request) -> str:
    """Where the app is mounted (``/`` or e.g. ``/chat/``): the cookie is sent to the chat only."""
    return request.scope.get("root_path", "").rstrip("/") + "/"


def give_cookie(response: Response, request: Request, visitor: str, max_age: int) -> None:
    response.set_cookie(
        COOKIE,
        visitor,
        max_age=max_age,
        path=cookie_path(request),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def address(request: Request) -> str:
    """The client address (uvicorn puts the proxy's X-Forwarded-For here when the proxy is trusted)."""
    return request.client.host if request.client else "unknown"


@dataclass
class AddressGate:
    """New visitors per network address: a burst, then a steady trickle (a token bucket per address)."""

    burst: int
    per_second: float
    _gate: FloodGate = field(init=False)

    def __post_init__(self) -> None:
        self._gate = FloodGate(burst=self.burst, rate=self.per_second)

    def admit(self, addr: str) -> bool:
        return self._gate.admit(addr)[0]


class TurnLocks:
    """One lock per visitor while they have a turn in hand; forgotten when nobody waits."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    def __len__(self) -> int:
        return len(self._locks)

    @asynccontextmanager
    async def hold(self, visitor: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(visitor, (asyncio.Lock(), 0))
        self._locks[visitor] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[visitor]
            if users == 1:
                del self._locks[visitor]
            else:
                self._locks[visitor] = (lock, users - 1)
