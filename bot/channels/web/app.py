"""The web chat as one Starlette app: the page, its assets, the embed script and the JSON API.

Every path is relative, so the app can be served at ``/`` (`legalbot web`) or mounted under a
prefix beside other channels (`legalbot serve`). The API (README "网页聊天 / Web chat"):

- ``GET  api/welcome``  → ``{"answer", "privacy", "max_text_chars"}`` (the welcome and service menu)
- ``GET  api/history``  → ``{"messages": [...]}`` what this visitor was shown (redacted)
- ``POST api/message``  ``{"text", "message_id"?}`` → ``{"answer"}``; ``/deadline`` etc. are commands
- ``POST api/press``    ``{"action", "message_id"?}`` → ``{"answer"}``
- ``POST api/feedback`` ``{"inquiry_id", "value": "up"|"down"}`` → ``{"recorded", "message"}``

An answer is ``{"text", "kind", "buttons": [[{"label", "action"}]], "feedback_id", "intent"}``.
Errors are ``{"error": "<中文说明>"}`` with the HTTP status. Each turn is committed (session
saved) before its response leaves, as `Conversation` asks.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ...conversation import Conversation, Turn
from ...conversation import texts
from ...core.session import Session
from . import history
from .render import Answer, answer, outcome_answer, privacy_note
from .settings import WebSettings
from .visitors import AddressGate, TurnLocks, address, cookie_visitor, give_cookie, new_visitor_id

logger = logging.getLogger(__name__)

CHANNEL = "web"
ASSETS = ("chat.css", "chat.js")
MAX_ACTION_CHARS = 200
MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
COMMAND = re.compile(r"/([A-Za-z_]{1,32})(?:@\S*)?(?:\s+(.*))?", re.DOTALL)
CONTENT_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}

NOT_JSON = "请求必须是 JSON（Content-Type: application/json）。"
BAD_JSON = "请求内容不是有效的 JSON 对象。"
BAD_ORIGIN = "请求来源不被允许，请在咨询页面上发送。"
BODY_TOO_LARGE = "请求内容太大了。"
TEXT_TOO_LONG = "您的问题太长了：请控制在 {} 字以内，可以分几次发送。"
EMPTY_TEXT = "请先输入您的问题。"
BAD_FIELD = "缺少或无效的字段：{}。"
TOO_MANY_VISITORS = "这个网络上新开的对话太多了，请过几分钟再试，或直接拨打 12348 公共法律服务热线。"
NOT_YOURS = "找不到这条回答（可能已经过期），无法评价。"
NOT_FOUND = "没有这个页面或接口。"
STATUS_TEXTS = {404: NOT_FOUND, 405: "不支持这种请求方式。"}


@dataclass(frozen=True)
class _Assets:
    """The page and its files, read once from the package; ``version`` busts caches on upgrade."""

    page: str
    files: dict[str, bytes]
    embed: bytes

    @classmethod
    def load(cls, privacy: str, max_chars: int) -> "_Assets":
        folder = resources.files(__package__) / "static"
        files = {name: (folder / name).read_bytes() for name in ASSETS}
        version = hashlib.sha256(b"".join(files.values())).hexdigest()[:12]
        page = (folder / "index.html").read_text(encoding="utf-8")
        for key, value in {"version": version, "privacy": _escape(privacy), "max_chars": str(max_chars)}.items():
            page = page.replace("{{" + key + "}}", value)
        return cls(page, files, (folder / "embed.js").read_bytes())


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


class _SecurityHeaders:
    """Headers on every response: what the page may load (only its own files) and who may frame it."""

    def __init__(self, app: ASGIApp, frame_ancestors: tuple[str, ...]):
        self.app = app
        policy = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors " + " ".join(("'self'", *frame_ancestors))
        )
        self.headers = [
            (b"content-security-policy", policy.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class WebChat:
    """The handlers and what they share: the conversation (whose sessions keep each visitor's
    history, `history`) and the limits."""

    def __init__(self, conversation: Conversation, settings: WebSettings):
        self.conversation = conversation
        self.settings = settings
        self.new_visitors = AddressGate(settings.new_visitors_burst, settings.new_visitors_per_second)
        self.locks = TurnLocks()
        self.privacy = privacy_note(settings.retention_days, settings.visitor_idle_seconds // 3600)
        self.assets = _Assets.load(self.privacy, settings.max_text_chars)

    # --- the page -------------------------------------------------------------------------

    async def page(self, request: Request) -> Response:
        return Response(self.assets.page, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"})

    async def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in self.assets.files:
            raise HTTPException(404)
        content_type = CONTENT_TYPES[name[name.rindex(".") :]]
        return Response(self.assets.files[name], media_type=content_type, headers={"Cache-Control": "public, max-age=86400"})

    async def embed(self, request: Request) -> Response:
        return Response(self.assets.embed, media_type=CONTENT_TYPES[".js"], headers={"Cache-Control": "public, max-age=3600"})

    # --- the API --------------------------------------------------------------------------

    async def welcome(self, request: Request) -> Response:
        menu = answer(self.conversation.responder.menu())
        return self._json(request, {"answer": menu, "privacy": self.privacy, "max_text_chars": self.settings.max_text_chars})

    async def history_of(self, request: Request) -> Response:
        visitor = cookie_visitor(request)
        messages = history.shown((await self._session(visitor)).history) if visitor else []
        return self._json(request, {"messages": messages})

    async def message(self, request: Request) -> Response:
        body = await self._body(request)
        text = body.get("text")
        if not isinstance(text, str):
            raise HTTPException(400, BAD_FIELD.format("text"))
        text = text.strip()
        if not text:
            raise HTTPException(400, EMPTY_TEXT)
        if len(text) > self.settings.max_text_chars:
            raise HTTPException(413, TEXT_TOO_LONG.format(self.settings.max_text_chars))
        command = COMMAND.fullmatch(text)
        said = {"command": command[1].lower(), "arg": command[2] or ""} if command else {}
        return await self._turn(request, body, text, text=text, **said)

    async def press(self, request: Request) -> Response:
        body = await self._body(request)
        action = body.get("action")
        if not isinstance(action, str) or not 0 < len(action) <= MAX_ACTION_CHARS:
            raise HTTPException(400, BAD_FIELD.format("action"))
        return await self._turn(request, body, None, action=action)

    async def feedback(self, request: Request) -> Response:
        body = await self._body(request)
        inquiry_id, value = body.get("inquiry_id"), body.get("value")
        if not isinstance(inquiry_id, int) or isinstance(inquiry_id, bool) or value not in ("up", "down"):
            raise HTTPException(400, BAD_FIELD.format("inquiry_id, value (up 或 down)"))
        visitor = cookie_visitor(request)
        if visitor is None:
            raise HTTPException(404, NOT_YOURS)
        async with self.locks.hold(visitor):
            session = await self._session(visitor)
            given = history.given(session.history, inquiry_id)
            if given is None:
                raise HTTPException(404, NOT_YOURS)
            result = await self.conversation.feedback(CHANNEL, visitor, inquiry_id, value)
            if result.recorded:
                given["feedback"] = value
                await self._save(visitor, session)
        return self._json(request, {"recorded": result.recorded, "message": result.message})

    async def _turn(self, request: Request, body: dict[str, Any], said: str | None, **turn: Any) -> Response:
        """One turn for this visitor (a new one counts against its address); a retried message id
        gets the answer it was given, without a second turn or log entry. ``said`` None: a press,
        shown as the label of the button the visitor was given."""
        message_id = body.get("message_id")
        if message_id is not None and not (isinstance(message_id, str) and MESSAGE_ID.fullmatch(message_id)):
            raise HTTPException(400, BAD_FIELD.format("message_id"))
        visitor = cookie_visitor(request) or new_visitor_id()
        async with self.locks.hold(visitor):
            session = await self._session(visitor)
            if not session.history and not self.new_visitors.admit(address(request)):
                raise HTTPException(429, TOO_MANY_VISITORS)
            if said is None:
                menu = answer(self.conversation.responder.menu())["buttons"]
                said = turn["text"] = history.label(session.history, turn["action"], menu) or ""
            shown = history.answered(session.history, message_id)
            if shown is None:
                shown = await self._answer(visitor, said, message_id, turn)
        return self._json(request, {"answer": shown}, visitor)

    async def _answer(self, visitor: str, said: str, message_id: str | None, turn: dict[str, Any]) -> Answer:
        scoped_id = f"{visitor}:{message_id}" if message_id else None  # one visitor cannot name another's message
        outcome = await self.conversation.turn(Turn(channel=CHANNEL, user=visitor, message_id=scoped_id, **turn))
        await outcome.commit()  # before the response leaves: the answer is this turn's only message
        if outcome.dropped:
            raise HTTPException(429, outcome.notice or texts.TOO_FAST)
        session = await self._session(visitor)  # as the turn left it
        kept = history.add(session.history, self.settings.history_messages, said, outcome_answer(outcome), message_id)
        await self._save(visitor, session)
        return kept

    async def _session(self, visitor: str) -> Session:
        return await self.conversation.sessions.get(Turn(CHANNEL, visitor).session_key)

    async def _save(self, visitor: str, session: Session) -> None:
        await self.conversation.sessions.save(Turn(CHANNEL, visitor).session_key, session)

    # --- helpers --------------------------------------------------------------------------

    def _json(self, request: Request, data: dict[str, Any], visitor: str | None = None) -> Response:
        response = JSONResponse(data, headers={"Cache-Control": "no-store"})
        if cookie_visitor(request) is None:
            give_cookie(response, request, visitor or new_visitor_id(), self.settings.visitor_idle_seconds)
        return response

    async def _body(self, request: Request) -> dict[str, Any]:
        """The JSON object posted, after the checks a browser cannot be tricked past (CSRF): JSON
        content only (a form post from another site cannot set it) and our own origin, when named."""
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            raise HTTPException(415, NOT_JSON)
        if not self._from_allowed_origin(request):
            raise HTTPException(403, BAD_ORIGIN)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.settings.max_body_bytes:
            raise HTTPException(413, BODY_TOO_LARGE)
        raw = bytearray()
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > self.settings.max_body_bytes:
                raise HTTPException(413, BODY_TOO_LARGE)
        try:
            data = json.loads(raw)
        except ValueError:
            raise HTTPException(400, BAD_JSON) from None
        if not isinstance(data, dict):
            raise HTTPException(400, BAD_JSON)
        return data

    def _from_allowed_origin(self, request: Request) -> bool:
        """Origin, else Referer, must be this host or an allowed site; a client that sends neither
        (a kiosk, a mini-program's server) is not a browser that could be tricked."""
        host = request.headers.get("host", "")
        for header in ("origin", "referer"):
            value = request.headers.get(header)
            if value is None:
                continue
            parts = urlsplit(value)
            return bool(parts.netloc) and (parts.netloc == host or f"{parts.scheme}://{parts.netloc}" in self.settings.allowed_origins)
        return True

    def routes(self) -> list[Route]:
        return [
            Route("/", self.page, methods=["GET"]),
            Route("/static/{name}", self.static, methods=["GET"]),
            Route("/embed.js", self.embed, methods=["GET"]),
            Route("/api/welcome", self.welcome, methods=["GET"]),
            Route("/api/history", self.history_of, methods=["GET"]),
            Route("/api/message", self.message, methods=["POST"]),
            Route("/api/press", self.press, methods=["POST"]),
            Route("/api/feedback", self.feedback, methods=["POST"]),
        ]


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = exc.detail if exc.detail and not exc.detail.isascii() else STATUS_TEXTS.get(exc.status_code, texts.SORRY)
    return JSONResponse({"error": message}, exc.status_code, headers={"Cache-Control": "no-store"})


async def _server_error(request: Request, exc: Exception) -> Response:
    logger.exception("web chat request failed", exc_info=exc)
    return JSONResponse({"error": texts.SORRY}, 500)


def web_app(conversation: Conversation, settings: WebSettings | None = None) -> Starlette:
    """The web chat for ``conversation``; mount it anywhere (all paths are relative)."""
    settings = settings or WebSettings()
    chat = WebChat(conversation, settings)
    return Starlette(
        routes=chat.routes(),
        middleware=[Middleware(_SecurityHeaders, frame_ancestors=settings.allowed_origins)],
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
    )
