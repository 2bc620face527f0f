"""The WeChat Official Account channel as one Starlette app (mounted at ``/wechat`` by `legalbot serve`).

- ``GET  /?signature&timestamp&nonce&echostr`` — the platform checks the server URL: echo
  ``echostr`` when the signature is made with our token, else 403.
- ``POST /`` — a message or event as XML, plaintext or safe mode (``encrypt_type=aes``); 403
  unless signed with our token (and, in safe mode, our EncodingAESKey).

WeChat waits five seconds for the HTTP reply and shows no buttons. The answer is given
passively when it is ready within `WeChatSettings.reply_budget`; otherwise WeChat gets
"success" at once and the answer follows through the customer-service API. Buttons are
numbered choices the next message can pick (`render`); an answer too long for one message
goes out as several, the first passively and the rest by the API, in order. WeChat's retries of
a message share its one answer (`deliveries`), and the turn carries the message's key, so the
inquiry is logged once.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, suppress
from functools import partial

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ...conversation import Conversation, Turn, texts
from . import render
from .api import WeChatAPI
from .deliveries import Answer, Deliveries, Delivery, Mode
from .protocol import SUCCESS, Envelope, Forbidden, Incoming, Kind, Unreadable, check_signature, read
from .settings import WeChatSettings

logger = logging.getLogger(__name__)

CHANNEL = "wechat"
COMMAND = re.compile(r"/([A-Za-z_]{1,32})(?:\s+(.*))?", re.DOTALL)
XML = "application/xml; charset=utf-8"
ORDER_WAIT_SECONDS = 10.0  # a resident's next turn waits at most this long for the previous one to commit


async def _no_commit() -> None:
    return None


class WeChatChannel:
    """The handlers and what they share: the conversation, the API client and the deliveries."""

    def __init__(self, conversation: Conversation, settings: WeChatSettings):
        self.conversation = conversation
        self.settings = settings
        self.envelope = Envelope(settings)
        self.api = WeChatAPI(settings)
        self.deliveries = Deliveries(settings.remember_seconds)
        self._last_turn: dict[str, asyncio.Event] = {}  # per resident: set once their latest turn committed

    async def verify(self, request: Request) -> Response:
        try:
            check_signature(self.settings.token, request.query_params)
        except Forbidden:
            return PlainTextResponse("forbidden\n", 403)
        return PlainTextResponse(request.query_params.get("echostr", ""))

    async def receive(self, request: Request) -> Response:
        body = await _body(request, self.settings.max_body_bytes)
        if body is None:
            return PlainTextResponse("too large\n", 413)
        query = request.query_params
        try:
            incoming = read(self.envelope.open(body, query))
        except Forbidden:
            return PlainTextResponse("forbidden\n", 403)
        except Unreadable as exc:
            logger.warning("WeChat POST not understood: %s", exc)
            return PlainTextResponse("bad request\n", 400)
        if incoming.kind is Kind.IGNORED:
            return PlainTextResponse(SUCCESS)
        if incoming.kind is Kind.NOT_TEXT:
            return self._passive(incoming, texts.NOT_TEXT, query)
        delivery = self.deliveries.start(incoming.key, lambda: self._answer(incoming))
        return await self._deliver(delivery, incoming, query)

    def _turn(self, incoming: Incoming) -> Turn:
        said = {"channel": CHANNEL, "user": incoming.user, "numbered": True, "message_id": incoming.key}
        if incoming.kind is Kind.SUBSCRIBE:
            return Turn(command="start", **said)
        if incoming.kind is Kind.CLICK:
            return Turn(text=incoming.text, action=incoming.text, **said)  # the key is what the log can show of a menu click
        command = COMMAND.fullmatch(incoming.text.strip())
        if command:
            return Turn(text=incoming.text.strip(), command=command[1].lower(), arg=command[2] or "", **said)
        return Turn(text=incoming.text, **said)

    async def _answer(self, incoming: Incoming) -> Answer:
        """The turn, once the same resident's previous turn has committed (its choices are then in the
        session for a "2" that WeChat delivered right behind it), or after `ORDER_WAIT_SECONDS`."""
        previous = self._last_turn.get(incoming.user)
        finished = self._last_turn[incoming.user] = asyncio.Event()
        if previous is not None:
            with suppress(asyncio.TimeoutError):
                await asyncio.wait_for(previous.wait(), ORDER_WAIT_SECONDS)
        try:
            outcome = await self.conversation.turn(self._turn(incoming))
        except Exception:  # noqa: BLE001 - the resident gets an apology, not silence
            logger.exception("a WeChat message could not be answered")
            self._finished(incoming.user, finished)
            return Answer([texts.SORRY], _no_commit)

        async def commit() -> None:
            try:
                await outcome.commit()
            finally:
                self._finished(incoming.user, finished)

        release = partial(self._finished, incoming.user, finished)
        if outcome.reply is None:  # flood control
            return Answer([outcome.notice] if outcome.notice else [], commit, release)
        return Answer(render.messages(outcome.reply, self.settings.max_text_bytes, self.settings.max_messages), commit, release)

    def _finished(self, user: str, finished: asyncio.Event) -> None:
        finished.set()
        if self._last_turn.get(user) is finished:
            del self._last_turn[user]

    async def _deliver(self, delivery: Delivery, incoming: Incoming, query: Mapping[str, str]) -> Response:
        """Passive when the answer is ready in time, else "success" now and the API later."""
        if delivery.mode is Mode.API:
            return PlainTextResponse(SUCCESS)
        try:
            answer = await asyncio.wait_for(asyncio.shield(delivery.answer), self.settings.reply_budget)
        except asyncio.TimeoutError:
            if delivery.mode is not Mode.PENDING:
                return PlainTextResponse(SUCCESS)
            delivery.mode = Mode.API
            return PlainTextResponse(SUCCESS, background=BackgroundTask(self._send_when_ready, delivery, incoming.user))
        if delivery.mode is Mode.API:
            return PlainTextResponse(SUCCESS)
        if delivery.mode is Mode.PASSIVE:  # a retry of a message answered passively: WeChat lost that reply
            return self._first_part(incoming, answer, query)
        delivery.mode = Mode.PASSIVE
        if len(answer.parts) <= 1:
            await answer.commit()
            return self._first_part(incoming, answer, query)
        later = BackgroundTask(self._send, incoming.user, answer, 1)
        return self._first_part(incoming, answer, query, later)

    def _first_part(self, incoming: Incoming, answer: Answer, query: Mapping[str, str], later: BackgroundTask | None = None) -> Response:
        return self._passive(incoming, answer.parts[0], query, later) if answer.parts else PlainTextResponse(SUCCESS)

    def _passive(self, incoming: Incoming, text: str, query: Mapping[str, str], background: BackgroundTask | None = None) -> Response:
        sealed = self.envelope.seal(incoming.reply_xml(text), query)
        return Response(sealed, media_type=XML, background=background)

    async def _send_when_ready(self, delivery: Delivery, user: str) -> None:
        await self._send(user, await delivery.answer)

    async def _send(self, user: str, answer: Answer, first: int = 0) -> None:
        """The parts from ``first`` on, in order, by the customer-service API; a failed one stops the
        rest (order matters) and leaves the session as the resident last saw it."""
        parts = answer.parts[first:]
        if not parts:  # flood control dropped the message: nothing to send, the turn still ends
            await answer.commit()
        for number, part in enumerate(parts, 1):
            if number == len(parts):
                await answer.commit()
            try:
                await self.api.send_text(user, part)
            except Exception:  # noqa: BLE001 - logged; the resident can ask again
                logger.exception("WeChat customer-service message %d of %d could not be sent", number, len(parts))
                answer.release()
                return

    async def close(self) -> None:
        await self.api.close()


async def _body(request: Request, limit: int) -> bytes | None:
    """The request body, or None when it is larger than ``limit`` bytes (read no further)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


@asynccontextmanager
async def wechat_lifespan(app: Starlette) -> AsyncIterator[None]:
    """Keep the access token fresh while the app serves; close the API client afterwards.

    Starlette runs this for the app served on its own; an app that mounts `wechat_app` enters it
    around serving (a mounted app's own lifespan is not run)."""
    channel: WeChatChannel = app.state.wechat
    refresher = asyncio.create_task(channel.api.keep_fresh())
    try:
        yield
    finally:
        refresher.cancel()
        with suppress(asyncio.CancelledError):
            await refresher
        await channel.close()


def wechat_app(conversation: Conversation, settings: WeChatSettings) -> Starlette:
    """``GET /`` and ``POST /``, relative: serve it alone or mount it (`wechat_routes`)."""
    channel = WeChatChannel(conversation, settings)
    app = Starlette(
        routes=[Route("/", channel.verify, methods=["GET"]), Route("/", channel.receive, methods=["POST"])],
        lifespan=wechat_lifespan,
    )
    app.state.wechat = channel
    return app


class _AtMountPoint:
    """Serves the mount point itself (``/wechat``) as the app's ``/``: a `Mount` alone would
    redirect it to ``/wechat/``, and WeChat does not follow redirects."""

    def __init__(self, app: ASGIApp, path: str):
        self.app, self.path = app, path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        root = scope.get("root_path", "") + self.path
        await self.app({**scope, "root_path": root, "path": root + "/"}, receive, send)


def wechat_routes(app: Starlette, path: str = "/wechat") -> list[BaseRoute]:
    """Routes that put `wechat_app` at ``path`` (exactly, and with a trailing slash) in another app."""
    return [Route(path, _AtMountPoint(app, path), methods=["GET", "POST"]), Mount(path, app)]
