"""The staff console as one Starlette app, mounted at ``/console/`` (`legalbot console`, or
`legalbot serve` with ``LEGALBOT_CONSOLE=1``).

Pages are server-rendered Jinja2 templates (`templates/`, autoescaped) in Chinese, with the
console's own CSS and chart script (`static/`, no CDN). Each part of the console is a module
listed in `SECTION_MODULES` that exposes ``SECTION``: its routes and, if it has one, its entry
in the navigation with the lowest role that sees it. Every route is guarded by `auth.require`.
"""

from __future__ import annotations

import importlib
import logging
import secrets
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..core.knowledge import Knowledge
from ..store.sql import SQLStore
from . import audit
from .accounts import ROLE_NAMES, get_account, verify
from .auth import (
    CSRF_FIELD,
    LOGIN_COOKIE,
    LOGIN_COOKIE_SECONDS,
    NO_CSRF,
    SESSION_COOKIE,
    LoginThrottle,
    Sessions,
    clear_cookie,
    cookie_path,
    form_of,
    require,
    same_token,
    set_cookie,
)
from .settings import ConsoleSettings

if TYPE_CHECKING:
    from ..app.runtime import Runtime

logger = logging.getLogger(__name__)

# The console's parts, in navigation order; each module has SECTION (see `Section`).
SECTION_MODULES = ("dashboard_pages", "inbox", "knowledge_pages", "report_pages", "audit_pages", "users_pages")
STATIC_FILES = {
    "console.css": "text/css; charset=utf-8",
    "charts.js": "text/javascript; charset=utf-8",
    "knowledge.css": "text/css; charset=utf-8",
    "knowledge.js": "text/javascript; charset=utf-8",
    "inbox.js": "text/javascript; charset=utf-8",
}
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
BAD_LOGIN = "账号或密码不对。"
LOCKED = "登录失败次数太多，请 {} 分钟后再试，或请管理员帮忙。"
STATUS_TEXTS = {403: "没有权限。", 404: "没有这个页面。", 405: "不支持这种请求方式。", 413: "提交的内容太大了。"}


@dataclass(frozen=True)
class Section:
    """One part of the console: its routes, and its navigation entry (``path`` relative to the
    console, ``title`` in Chinese, ``role`` the lowest that sees it); ``title`` empty: not in the menu."""

    routes: tuple[BaseRoute, ...]
    path: str = ""
    title: str = ""
    role: str = "viewer"


@dataclass
class Console:
    """What every page handler reaches through ``request.app.state.console``."""

    runtime: "Runtime"
    settings: ConsoleSettings
    templates: Environment
    sections: list[Section] = field(default_factory=list)

    @property
    def store(self) -> SQLStore:
        store = self.runtime.store
        if store is None:
            raise RuntimeError("start the runtime before the console")
        return store  # type: ignore[return-value] - both backends are SQLStores

    @property
    def knowledge(self) -> Knowledge:
        return self.runtime.responder.knowledge

    @property
    def sessions(self) -> Sessions:
        return Sessions(self.store, self.settings)

    @property
    def throttle(self) -> LoginThrottle:
        return LoginThrottle(self.store, self.settings)

    def render(self, request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        """A page: the template with the console's base path, the signed-in staff member, their
        CSRF token and the menu they may see."""
        staff = getattr(request.state, "staff", None)
        menu = [s for s in self.sections if s.title and staff is not None and staff.account.can(s.role)]
        html = self.templates.get_template(template).render(
            base=cookie_path(request),
            staff=staff,
            csrf_field=CSRF_FIELD,
            csrf=staff.csrf if staff else "",
            menu=menu,
            current=request.url.path[len(request.scope.get("root_path", "")) :].strip("/"),
            role_names=ROLE_NAMES,
            **context,
        )
        return HTMLResponse(html, status, headers={"Cache-Control": "no-store"})


def templates() -> Environment:
    env = Environment(loader=PackageLoader(__package__, "templates"), autoescape=select_autoescape(default=True))
    env.filters["shown"] = audit.shown
    env.filters["percent"] = lambda value: f"{value:.1%}"
    env.filters["when"] = lambda moment: moment.strftime("%Y-%m-%d %H:%M")
    return env


class _SecurityHeaders:
    """On every response: only the console's own files may load, and nobody may frame it."""

    def __init__(self, app: ASGIApp):
        self.app = app
        self.headers = [
            (b"content-security-policy", POLICY.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"x-frame-options", b"DENY"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)


def _console(request: Request) -> Console:
    return request.app.state.console


def _next_page(request: Request, value: str | None) -> str:
    """Where to go after login: a page of this console only (never another site)."""
    parts = urlsplit(value or "/")
    if parts.scheme or parts.netloc or not (value or "/").startswith("/") or (value or "").startswith("//"):
        return cookie_path(request)
    return cookie_path(request) + (value or "/").lstrip("/")


async def login_page(request: Request, error: str = "", status: int = 200, username: str = "", next_page: str = "") -> Response:
    """The login form (with its own CSRF cookie); after a refusal it keeps the name typed."""
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
    back = next_page or request.query_params.get("next", "/")
    response = _console(request).render(request, "login.html", status, login_csrf=token, error=error, next=back, username=username)
    set_cookie(response, request, LOGIN_COOKIE, token, LOGIN_COOKIE_SECONDS)
    return response


async def login(request: Request) -> Response:
    console = _console(request)
    form = await form_of(request, console.settings.max_form_bytes)
    if not same_token(form.get(CSRF_FIELD), request.cookies.get(LOGIN_COOKIE, "")):
        raise HTTPException(403, NO_CSRF)
    name, password = (form.get("username") or "").strip(), form.get("password") or ""
    address = request.client.host if request.client else "unknown"
    if await console.throttle.locked(name, address):
        return await login_page(request, LOCKED.format(console.settings.lockout_seconds // 60), 429, name, form.get("next") or "")
    account = await verify(console.store, name, password) if name and password else None
    if account is None:
        await console.throttle.failed(name, address)
        # An unknown name is not written down: it may be a password typed into the wrong field.
        known = name if await get_account(console.store, name) is not None else "（不存在的账号）"
        await audit.record(console.store, known, "login.failed", "控制台")
        return await login_page(request, BAD_LOGIN, 401, name, form.get("next") or "")
    await console.throttle.succeeded(name)
    await console.sessions.sweep()
    staff = await console.sessions.start(account)
    await audit.record(console.store, account.name, "login", "控制台")
    response = RedirectResponse(_next_page(request, form.get("next")), 303)
    set_cookie(response, request, SESSION_COOKIE, staff.token, console.settings.session_max_seconds)
    clear_cookie(response, request, LOGIN_COOKIE)
    return response


@require("viewer")
async def logout(request: Request) -> Response:
    console = _console(request)
    staff = request.state.staff
    await console.sessions.end(staff.token)
    await audit.record(console.store, staff.account.name, "logout", "控制台")
    response = RedirectResponse(cookie_path(request) + "login", 303)
    clear_cookie(response, request, SESSION_COOKIE)
    return response


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in STATIC_FILES:
        raise HTTPException(404)
    data = (resources.files(__package__) / "static" / name).read_bytes()
    return Response(data, media_type=STATIC_FILES[name], headers={"Cache-Control": "no-cache"})


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = exc.detail if exc.detail and not exc.detail.isascii() else STATUS_TEXTS.get(exc.status_code, "出错了。")
    if exc.status_code == 405 or "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"error": message}, exc.status_code)
    return _console(request).render(request, "error.html", exc.status_code, message=message, code=exc.status_code)


async def _server_error(request: Request, exc: Exception) -> Response:
    logger.exception("console request failed", exc_info=exc)
    return HTMLResponse("<!doctype html><meta charset=utf-8><p>服务器出错了，请稍后再试。</p>", 500)


def console_app(runtime: "Runtime", settings: ConsoleSettings | None = None) -> Starlette:
    """The console over a started-or-starting runtime (its store, knowledge and reloader); mount it
    at ``/console`` (every link is relative to where it is mounted)."""
    console = Console(runtime, settings or ConsoleSettings(), templates())
    console.sections = [importlib.import_module(f"{__package__}.{name}").SECTION for name in SECTION_MODULES]
    routes: list[BaseRoute] = [
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/static/{name}", static, methods=["GET"]),
    ]
    for section in console.sections:
        routes += section.routes
    app = Starlette(
        routes=routes,
        middleware=[Middleware(_SecurityHeaders)],
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )
    app.state.console = console
    return app
