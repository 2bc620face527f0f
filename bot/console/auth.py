"""Logging staff in and keeping them safe: sessions, CSRF tokens, login throttling, `require`.

A session is a random token in a cookie (HttpOnly, SameSite=Strict, Secure when the console is
reached over TLS, scoped to the console's path); the database keeps only its SHA-256, beside
the account name, the session's CSRF token and when it was last used, so every worker honours
a login and a logout. A session ends after `ConsoleSettings.idle_seconds` unused or
`session_max_seconds` in all, and at once when its account is disabled or its password changed.

Every POST must carry the session's CSRF token, in the form field ``csrf_token`` or, for the
pages' JSON calls, the ``X-CSRF-Token`` header; without it the answer is 403. The login form,
before any session exists, carries the token of a short-lived cookie of its own (double submit).
Failed logins are counted per account and (more leniently: an office shares one address) per
address across workers; too many lock further tries for a while.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..store.sql import SQLStore
from .accounts import ROLE_NAMES, Account, get_account
from .settings import ConsoleSettings

SESSION_COOKIE = "legalbot_console"
LOGIN_COOKIE = "legalbot_console_login"
LOGIN_COOKIE_SECONDS = 30 * 60
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD"})

NO_CSRF = "请求缺少有效的安全令牌（CSRF），已拒绝。请刷新页面后重试。"
NOT_LOGGED_IN = "请先登录。"
FORM_TOO_LARGE = "提交的内容太大了。"
NOT_A_FORM = "提交的内容不是表单。"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def cookie_path(request: Request) -> str:
    """Where the console is mounted (``/console/``): its cookies go there only."""
    return request.scope.get("root_path", "").rstrip("/") + "/"


def same_token(given: str | None, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


@dataclass(frozen=True)
class StaffSession:
    account: Account
    csrf: str
    token: str


class Sessions:
    """Console sessions in the store."""

    def __init__(self, store: SQLStore, settings: ConsoleSettings):
        self.store = store
        self.settings = settings

    async def start(self, account: Account) -> StaffSession:
        token, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), time.time()
        await self.store.change(
            "INSERT INTO console_sessions (token, name, csrf, created_at, seen_at) VALUES (?, ?, ?, ?, ?)",
            _digest(token), account.name, csrf, now, now,
        )
        return StaffSession(account, csrf, token)

    async def find(self, token: str) -> StaffSession | None:
        """The live session for a cookie's token (touching its last use), else None (and it is removed)."""
        now = time.time()
        rows = await self.store.select("SELECT name, csrf, created_at, seen_at FROM console_sessions WHERE token = ?", _digest(token))
        if not rows:
            return None
        row = rows[0]
        account = await get_account(self.store, row["name"])
        expired = now - row["seen_at"] > self.settings.idle_seconds or now - row["created_at"] > self.settings.session_max_seconds
        if account is None or account.disabled or expired or account.changed_at > row["created_at"]:
            await self.end(token)
            return None
        if now - row["seen_at"] > self.settings.touch_seconds:
            await self.store.change("UPDATE console_sessions SET seen_at = ? WHERE token = ?", now, _digest(token))
        return StaffSession(account, row["csrf"], token)

    async def end(self, token: str) -> None:
        await self.store.change("DELETE FROM console_sessions WHERE token = ?", _digest(token))

    async def sweep(self) -> None:
        """Drop sessions past their idle time (called at each login)."""
        await self.store.change("DELETE FROM console_sessions WHERE seen_at < ?", time.time() - self.settings.idle_seconds)


class LoginThrottle:
    """Failed logins per account name and per address, each in a fixed window from its first failure."""

    def __init__(self, store: SQLStore, settings: ConsoleSettings):
        self.store = store
        self.settings = settings

    def _limits(self, name: str, address: str) -> dict[str, int]:
        return {f"user:{name}": self.settings.login_failures, f"addr:{address}": self.settings.address_failures}

    async def locked(self, name: str, address: str) -> bool:
        since = time.time() - self.settings.lockout_seconds
        for key, limit in self._limits(name, address).items():
            rows = await self.store.select("SELECT failures FROM console_login_failures WHERE key = ? AND first_at >= ?", key, since)
            if rows and rows[0]["failures"] >= limit:
                return True
        return False

    async def failed(self, name: str, address: str) -> None:
        now = time.time()
        for key in self._limits(name, address):
            await self.store.change(
                "INSERT INTO console_login_failures (key, failures, first_at) VALUES (?, 1, ?)"
                " ON CONFLICT (key) DO UPDATE SET"
                " failures = CASE WHEN console_login_failures.first_at < ? THEN 1 ELSE console_login_failures.failures + 1 END,"
                " first_at = CASE WHEN console_login_failures.first_at < ? THEN excluded.first_at ELSE console_login_failures.first_at END",
                key, now, now - self.settings.lockout_seconds, now - self.settings.lockout_seconds,
            )

    async def succeeded(self, name: str) -> None:
        """The account's count starts again (the address's does not: one right password is no alibi)."""
        await self.store.change("DELETE FROM console_login_failures WHERE key = ?", f"user:{name}")


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path=cookie_path(request), httponly=True, samesite="strict",
        secure=request.url.scheme == "https",
    )


def clear_cookie(response: Response, request: Request, name: str) -> None:
    response.delete_cookie(name, path=cookie_path(request), httponly=True, samesite="strict", secure=request.url.scheme == "https")


async def form_of(request: Request, limit: int) -> FormData:
    """The posted form (application/x-www-form-urlencoded), read once and kept on the request."""
    cached = getattr(request.state, "form", None)
    if cached is not None:
        return cached
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise HTTPException(413, FORM_TOO_LARGE)
    if raw and kind != "application/x-www-form-urlencoded":
        if kind == "application/json":
            request.state.body = bytes(raw)  # a page's JSON call: the handler reads `request.state.body`
            request.state.form = FormData()
            return request.state.form
        raise HTTPException(415, NOT_A_FORM)
    request.state.form = FormData(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    return request.state.form


def login_url(request: Request) -> str:
    """The login page, coming back to the page asked for afterwards."""
    back = request.url.path[len(request.scope.get("root_path", "")) :] or "/"
    if request.url.query:
        back += "?" + request.url.query
    return cookie_path(request) + "login?next=" + quote(back, safe="/")


Handler = Callable[[Request], Awaitable[Response]]


def require(role: str) -> Callable[[Handler], Handler]:
    """Route decorator: the request must come from a live session of an account with ``role`` or
    above (`request.state.staff` is then the `StaffSession`), and a POST must carry its CSRF token.

    Without a session a page is redirected to the login, a POST gets 403; too low a role gets 403
    with a Chinese page naming the role needed.
    """
    needed = ROLE_NAMES[role]

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(request: Request) -> Response:
            console = request.app.state.console
            token = request.cookies.get(SESSION_COOKIE, "")
            staff = await console.sessions.find(token) if token else None
            if staff is None:
                if request.method in SAFE_METHODS:
                    return RedirectResponse(login_url(request), 303)
                raise HTTPException(403, NOT_LOGGED_IN)
            request.state.staff = staff  # also for the refusal pages' menu
            if request.method not in SAFE_METHODS:
                form = await form_of(request, console.settings.max_form_bytes)
                if not same_token(form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER), staff.csrf):
                    raise HTTPException(403, NO_CSRF)
            if not staff.account.can(role):
                raise HTTPException(403, f"您的账号是{staff.account.role_name}，这里需要{needed}或更高权限。")
            return await handler(request)

        guarded.required_role = role  # type: ignore[attr-defined] - for the navigation and tests
        return guarded

    return decorate
