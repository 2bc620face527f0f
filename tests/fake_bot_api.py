"""A stand-in Telegram Bot API server on 127.0.0.1 for end-to-end tests and benchmarks.

It speaks the real HTTP protocol (aiohttp), so the bot under test runs its real PTB stack
unchanged with ``TELEGRAM_API_BASE_URL=<server.base_url>``. The server runs its own event loop
in a background thread; tests drive it with plain synchronous calls:

    with FakeBotAPI() as api:
        ... start `legalbot run` with api.base_url ...
        api.send_text(user_id=1, text="/start")
        menu = api.wait_message(chat_id=1)
        api.press(user_id=1, message=menu, data="intent:legal_aid")

Every request is recorded in ``api.calls`` (method, parameters, uploaded files, HTTP status).
Scripted failures answer the next matching request(s) with an error instead: a 429 with
``retry_after`` (for one chat or all), a 403 "bot was blocked by the user" for one chat, a 5xx
(`fail_with_status`), or a connection reset (`reset_connections`: closed without an answer).
``api.latency`` delays every answer to a send; `send_poison` queues an update PTB cannot read.

Webhook delivery, as Telegram's Bot API server does it: once a webhook is set (setWebhook, or
`set_webhook` from a test), every injected update is POSTed as JSON to the URL with the
``X-Telegram-Bot-Api-Secret-Token`` header, up to ``max_connections`` at once but one at a time per
chat (Telegram queues a chat's updates and sends the next once the previous was accepted).
A delivery that fails — a status other than 2xx, a connection error, no answer within
``delivery_timeout`` — is sent again after its ``Retry-After`` header, or else after a short delay
that doubles with each failure (up to ``max_retry_delay``). Every attempt is recorded in
``api.deliveries``. While a webhook is set, getUpdates gets 409 Conflict, as from Telegram.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

TOKEN = "123:ABC"
BOT_USER = {
    "id": 123,
    "is_bot": True,
    "first_name": "万州法律服务",
    "username": "wanzhou_legal_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
JSON_PARAMS = frozenset(
    {"reply_markup", "entities", "caption_entities", "commands", "allowed_updates", "reply_parameters", "link_preview_options", "scope"}
)
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    status: int = 200
    at: float = field(default_factory=time.monotonic)
    result: Any = None

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None and str(value).lstrip("-").isdigit() else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


@dataclass
class Failure:
    method: str
    status: int
    description: str
    chat_id: int | None = None
    times: int | None = 1  # None: for ever
    retry_after: int | None = None
    reset: bool = False  # close the connection instead of answering

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        if self.times == 0 or method != self.method:
            return False
        return self.chat_id is None or str(params.get("chat_id")) == str(self.chat_id)


@dataclass
class Webhook:
    url: str
    secret: str = ""
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    set_at: float = field(default_factory=time.time)


@dataclass
class Delivery:
    """One attempt to deliver an update to a webhook. ``status`` None: no HTTP answer at all."""

    update_id: int
    url: str
    status: int | None
    error: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _flag(value: Any) -> bool:
    """A boolean parameter as sent: JSON true, or "true" from a form or a stringified JSON body."""
    return value is True or str(value).lower() in ("true", "1")


def _kind(update: dict[str, Any]) -> str:
    return next((k for k in update if k != "update_id"), "")


def _queue(update: dict[str, Any]) -> Any:
    """Telegram's delivery queue for an update: its chat (a button press: the message's chat)."""
    payload = update.get(_kind(update)) or {}
    chat = payload.get("chat") or (payload.get("message") or {}).get("chat") or payload.get("from") or {}
    return chat.get("id", ("update", update["update_id"]))


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class FakeBotAPI:
    """The server plus helpers to inject updates and to wait for what the bot sends."""

    def __init__(
        self,
        token: str = TOKEN,
        bot_user: dict[str, Any] | None = None,
        delivery_timeout: float = 30.0,
        retry_delay: float = 0.2,
        max_retry_delay: float = 2.0,
        verify_tls: bool = True,
    ):
        self.token = token
        self.verify_tls = verify_tls  # off: deliver to an https:// webhook with a test certificate
        self.delivery_timeout = delivery_timeout
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.webhook: Webhook | None = None
        self.deliveries: list[Delivery] = []
        self.last_webhook_error: tuple[int, str] | None = None
        self._busy_queues: set[Any] = set()  # a delivery in flight or waiting to be retried
        self._routes: dict[int, str] = {}  # update id → the URL of one worker, when a test picks it
        self._wake: asyncio.Event | None = None
        self._connections: asyncio.Semaphore | None = None
        self._dispatcher: asyncio.Task | None = None
        self._delivering: set[asyncio.Task] = set()
        self.bot_user = dict(bot_user or BOT_USER)
        self.calls: list[Call] = []
        self._by_chat: dict[int, list[Call]] = {}  # successful sends, per chat
        self.failures: list[Failure] = []
        self.latency = 0.0  # seconds before answering a send (a slow API)
        self.port = 0
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._callback_ids = itertools.count(1)
        self._sent: dict[tuple[int, int], dict[str, Any]] = {}
        self._lock = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._new_update: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._started = threading.Event()
        self._closing = False

    # ---- server lifecycle ----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def start(self) -> "FakeBotAPI":
        self._thread = threading.Thread(target=self._serve, name="fake-bot-api", daemon=True)
        self._thread.start()
        if not self._started.wait(10):
            raise RuntimeError("fake Bot API did not start")
        return self

    def stop(self) -> None:
        self._closing = True
        if self._loop and self._new_update:
            self._loop.call_soon_threadsafe(self._new_update.set)  # release pending long polls
        if self._loop and self._dispatcher:
            asyncio.run_coroutine_threadsafe(self._stop_dispatcher(), self._loop).result(10)
        if self._loop and self._runner:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread:
            self._thread.join(10)

    def __enter__(self) -> "FakeBotAPI":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        self._new_update = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/file/bot{token}/{path:.*}", self._not_found)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._wake = asyncio.Event()
        self._dispatcher = self._loop.create_task(self._dispatch())
        self._started.set()
        self._loop.run_forever()

    # ---- HTTP ----------------------------------------------------------------------------------

    async def _not_found(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)

    async def _params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
        params: dict[str, Any] = dict(request.query)
        files: dict[str, tuple[str, bytes]] = {}
        if request.content_type == "application/json":
            params.update(await request.json())  # nested objects may come JSON-encoded, as in forms
        elif request.can_read_body:
            form = await request.post()  # urlencoded and multipart/form-data alike
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = (value.filename, value.file.read())
                else:
                    params[key] = value
        for key in JSON_PARAMS & params.keys():
            if isinstance(params[key], str):
                params[key] = json.loads(params[key])
        for key, (_, content) in list(files.items()):
            # PTB attaches files as attach://<name>; resolve them onto the parameter.
            for pkey, pvalue in params.items():
                if pvalue == f"attach://{key}":
                    files[pkey] = files[key]
        return params, files

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params, files = await self._params(request)
        if request.match_info["token"] != self.token:
            return self._record(method, params, files, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        if self.latency and method in SEND_METHODS:
            await asyncio.sleep(self.latency)
        failure = self._take_failure(method, params)
        if failure is not None and failure.reset:
            self._record(method, params, files, 0, {"ok": False})
            request.transport.close()  # type: ignore[union-attr]
            raise ConnectionResetError("reset by the stand-in Bot API")
        if failure is not None:
            body: dict[str, Any] = {"ok": False, "error_code": failure.status, "description": failure.description}
            if failure.retry_after is not None:
                body["parameters"] = {"retry_after": failure.retry_after}
            return self._record(method, params, files, failure.status, body)
        if method == "getUpdates":
            if self.webhook is not None:
                body = {"ok": False, "error_code": 409, "description": "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
                return self._record(method, params, files, 409, body)
            return await self._get_updates(params, files)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._record(method, params, files, 404, {"ok": False, "error_code": 404, "description": "Not Found: method not found"})
        result = handler(params, files)
        if isinstance(result, tuple):  # (status, description): a Bot API error
            return self._record(method, params, files, result[0], {"ok": False, "error_code": result[0], "description": result[1]})
        return self._record(method, params, files, 200, {"ok": True, "result": result})

    def _record(self, method: str, params: dict, files: dict, status: int, body: dict) -> web.Response:
        call = Call(method, params, files, status, result=body.get("result"))
        with self._lock:
            self.calls.append(call)
            if call.ok and method in SEND_METHODS and call.chat_id is not None:
                self._by_chat.setdefault(call.chat_id, []).append(call)
            self._lock.notify_all()
        return web.json_response(body, status=status)

    def _take_failure(self, method: str, params: dict[str, Any]) -> Failure | None:
        with self._lock:
            for failure in self.failures:
                if failure.matches(method, params):
                    if failure.times is not None:
                        failure.times -= 1
                    return failure
        return None

    async def _get_updates(self, params: dict[str, Any], files: dict) -> web.Response:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if offset:
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = self._updates[:limit]
                self._new_update.clear()  # type: ignore[union-attr]
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0 or self._closing:
                break
            try:
                await asyncio.wait_for(self._new_update.wait(), remaining)  # type: ignore[union-attr]
            except asyncio.TimeoutError:
                pass
        return self._record("getUpdates", params, files, 200, {"ok": True, "result": ready})

    # ---- Bot API methods -----------------------------------------------------------------------

    def _m_getMe(self, params: dict, files: dict) -> dict:
        return self.bot_user

    def _m_setWebhook(self, params: dict, files: dict) -> bool | tuple[int, str]:
        url = str(params.get("url") or "")
        secret = str(params.get("secret_token") or "")
        connections = int(params.get("max_connections") or 40)
        if not url:
            return self._m_deleteWebhook(params, files)
        if not url.startswith(("http://", "https://")):
            return 400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
        if secret and (len(secret) > 256 or set(secret) - SECRET_CHARS):
            return 400, "Bad Request: secret token contains unallowed characters"
        if not 1 <= connections <= 100:
            return 400, "Bad Request: bad max_connections"
        self._configure(Webhook(url, secret, connections, params.get("allowed_updates")), _flag(params.get("drop_pending_updates")))
        return True

    def _m_deleteWebhook(self, params: dict, files: dict) -> bool:
        self._configure(None, _flag(params.get("drop_pending_updates")))
        return True

    def _m_getWebhookInfo(self, params: dict, files: dict) -> dict[str, Any]:
        with self._lock:
            info: dict[str, Any] = {"url": "", "has_custom_certificate": False, "pending_update_count": len(self._updates)}
            if self.webhook is not None:
                info.update(url=self.webhook.url, max_connections=self.webhook.max_connections)
                if self.webhook.allowed_updates is not None:
                    info["allowed_updates"] = self.webhook.allowed_updates
                if self.last_webhook_error is not None:
                    info["last_error_date"], info["last_error_message"] = self.last_webhook_error
            return info

    def _m_setMyCommands(self, params: dict, files: dict) -> bool:
        return True

    def _m_close(self, params: dict, files: dict) -> bool:
        return True

    def _m_logOut(self, params: dict, files: dict) -> bool:
        return True

    def _m_answerCallbackQuery(self, params: dict, files: dict) -> bool:
        return True

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        chat_id = int(chat_id)
        return {"id": chat_id, "type": "private" if chat_id > 0 else "group", **({"first_name": "居民"} if chat_id > 0 else {"title": "群"})}

    def _new_message(self, params: dict, extra: dict) -> dict[str, Any]:
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(params["chat_id"]),
            "from": self.bot_user,
            **extra,
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        with self._lock:
            self._sent[(message["chat"]["id"], message["message_id"])] = message
        return message

    def _m_sendMessage(self, params: dict, files: dict) -> dict | tuple[int, str]:
        text = str(params.get("text", ""))
        if not text.strip():
            return 400, "Bad Request: message text is empty"
        if _utf16_len(text) > 4096:
            return 400, "Bad Request: message is too long"
        return self._new_message(params, {"text": text})

    def _m_sendPhoto(self, params: dict, files: dict) -> dict | tuple[int, str]:
        if "photo" not in files and not params.get("photo"):
            return 400, "Bad Request: there is no photo in the request"
        photo = [{"file_id": "photo1", "file_unique_id": "p1", "width": 800, "height": 600}]
        return self._new_message(params, {"photo": photo, **({"caption": params["caption"]} if params.get("caption") else {})})

    def _m_sendDocument(self, params: dict, files: dict) -> dict | tuple[int, str]:
        if "document" not in files and not params.get("document"):
            return 400, "Bad Request: there is no document in the request"
        name = files["document"][0] if "document" in files else "document"
        document = {"file_id": "doc1", "file_unique_id": "d1", "file_name": name}
        return self._new_message(params, {"document": document, **({"caption": params["caption"]} if params.get("caption") else {})})

    def _edit(self, params: dict, changes: dict) -> dict | tuple[int, str]:
        key = (int(params["chat_id"]), int(params["message_id"]))
        with self._lock:
            message = self._sent.get(key)
            if message is None:
                return 400, "Bad Request: message to edit not found"
            message.update(changes)
            if "reply_markup" in params:
                if params["reply_markup"]:
                    message["reply_markup"] = params["reply_markup"]
                else:
                    message.pop("reply_markup", None)
            elif "text" in changes:
                message.pop("reply_markup", None)
            return dict(message)

    def _m_editMessageText(self, params: dict, files: dict) -> dict | tuple[int, str]:
        if _utf16_len(str(params.get("text", ""))) > 4096:
            return 400, "Bad Request: message is too long"
        return self._edit(params, {"text": params.get("text", "")})

    def _m_editMessageReplyMarkup(self, params: dict, files: dict) -> dict | tuple[int, str]:
        return self._edit(params, {})

    # ---- webhook delivery ----------------------------------------------------------------------

    def set_webhook(self, url: str, secret: str = "", max_connections: int = 40, allowed_updates: list[str] | None = None) -> None:
        """What setWebhook does, for a test that doesn't need it done through the bot's CLI."""
        assert self._loop is not None, "start the server first"
        webhook = Webhook(url, secret, max_connections, allowed_updates)
        self._loop.call_soon_threadsafe(self._configure, webhook, False)

    def _configure(self, webhook: Webhook | None, drop_pending: bool) -> None:
        """In the server's loop: a new webhook (or none) takes effect for the next deliveries."""
        with self._lock:
            self.webhook = webhook
            self.last_webhook_error = None
            if drop_pending:
                self._updates.clear()
            self._lock.notify_all()
        self._connections = asyncio.Semaphore(webhook.max_connections) if webhook else None
        self._wake.set()  # type: ignore[union-attr]

    async def _dispatch(self) -> None:
        """Start a delivery for the first pending update of each idle chat queue, whenever one frees."""
        connector = aiohttp.TCPConnector(ssl=None if self.verify_tls else False)
        async with aiohttp.ClientSession(connector=connector) as session:
            while not self._closing:
                await self._wake.wait()  # type: ignore[union-attr]
                self._wake.clear()  # type: ignore[union-attr]
                webhook, connections = self.webhook, self._connections
                if webhook is None or connections is None:
                    continue
                with self._lock:
                    allowed = webhook.allowed_updates
                    if allowed:  # Telegram never queues what the bot did not ask for
                        self._updates = [u for u in self._updates if _kind(u) in allowed]
                    ready = []
                    for update in self._updates:
                        queue = _queue(update)
                        if queue not in self._busy_queues:
                            self._busy_queues.add(queue)
                            ready.append(update)
                for update in ready:
                    task = asyncio.ensure_future(self._deliver(session, webhook, connections, update))
                    self._delivering.add(task)
                    task.add_done_callback(self._delivering.discard)

    async def _deliver(self, session: aiohttp.ClientSession, webhook: Webhook, connections: asyncio.Semaphore, update: dict[str, Any]) -> None:
        url = self._routes.get(update["update_id"], webhook.url)
        headers = {SECRET_HEADER: webhook.secret} if webhook.secret else {}
        failures = sum(1 for d in self.deliveries if d.update_id == update["update_id"] and not d.ok)
        async with connections:
            try:
                timeout = aiohttp.ClientTimeout(total=self.delivery_timeout)
                async with session.post(url, json=update, headers=headers, timeout=timeout) as response:
                    await response.read()
                    reason = "" if 200 <= response.status < 300 else response.reason or ""
                    delivery = Delivery(update["update_id"], url, response.status, reason, dict(response.headers))
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                delivery = Delivery(update["update_id"], url, None, f"{type(exc).__name__}: {exc}")
        with self._lock:
            self.deliveries.append(delivery)
            if delivery.ok:
                self._updates = [u for u in self._updates if u is not update]
            else:
                message = f"Wrong response from the webhook: {delivery.status} {delivery.error}" if delivery.status else "Connection failed"
                self.last_webhook_error = (int(time.time()), message)
            self._lock.notify_all()
        if not delivery.ok:
            retry_after = delivery.headers.get("Retry-After", "")
            delay = float(retry_after) if retry_after.isdigit() else min(self.max_retry_delay, self.retry_delay * 2**failures)
            await asyncio.sleep(delay)
        with self._lock:
            self._busy_queues.discard(_queue(update))
        self._wake.set()  # type: ignore[union-attr]

    async def _stop_dispatcher(self) -> None:
        for task in [*self._delivering, self._dispatcher]:
            task.cancel()  # type: ignore[union-attr]
        for task in [*self._delivering, self._dispatcher]:
            with contextlib.suppress(asyncio.CancelledError):
                await task  # type: ignore[misc]

    def deliveries_of(self, update_id: int) -> list[Delivery]:
        with self._lock:
            return [d for d in self.deliveries if d.update_id == update_id]

    # ---- injecting updates ---------------------------------------------------------------------

    def _push(self, kind: str, payload: dict[str, Any], to: str | None = None) -> dict[str, Any]:
        """Queue an update; with ``to``, its webhook deliveries go to that URL (one chosen worker)."""
        with self._lock:
            update = {"update_id": next(self._update_ids), kind: payload}
            if to is not None:
                self._routes[update["update_id"]] = to
            self._updates.append(update)
        if self._loop and self._new_update:
            self._loop.call_soon_threadsafe(self._new_update.set)
        if self._loop and self._wake:
            self._loop.call_soon_threadsafe(self._wake.set)
        return update

    @staticmethod
    def user(user_id: int) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": f"用户{user_id}", "language_code": "zh-hans"}

    def _message(self, user_id: int, chat: dict[str, Any], **content: Any) -> dict[str, Any]:
        return {"message_id": next(self._message_ids), "date": int(time.time()), "chat": chat, "from": self.user(user_id), **content}

    def _private(self, user_id: int) -> dict[str, Any]:
        return {"id": user_id, "type": "private", "first_name": f"用户{user_id}"}

    @staticmethod
    def text_content(text: str, mention: str | None = None) -> dict[str, Any]:
        entities = []
        if text.startswith("/"):
            entities.append({"type": "bot_command", "offset": 0, "length": _utf16_len(text.split(" ", 1)[0])})
        if mention and mention in text:
            entities.append({"type": "mention", "offset": _utf16_len(text[: text.index(mention)]), "length": _utf16_len(mention)})
        return {"text": text, **({"entities": entities} if entities else {})}

    def send_text(self, user_id: int, text: str, to: str | None = None) -> dict[str, Any]:
        """A resident types `text` in their private chat with the bot."""
        return self._push("message", self._message(user_id, self._private(user_id), **self.text_content(text)), to)

    def send_sticker(self, user_id: int) -> dict[str, Any]:
        sticker = {"file_id": "st1", "file_unique_id": "s1", "type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False, "emoji": "👍"}
        return self._push("message", self._message(user_id, self._private(user_id), sticker=sticker))

    def send_photo(self, user_id: int) -> dict[str, Any]:
        photo = [{"file_id": "ph1", "file_unique_id": "u1", "width": 90, "height": 90}]
        return self._push("message", self._message(user_id, self._private(user_id), photo=photo))

    def send_voice(self, user_id: int) -> dict[str, Any]:
        voice = {"file_id": "vo1", "file_unique_id": "v1", "duration": 3}
        return self._push("message", self._message(user_id, self._private(user_id), voice=voice))

    def send_document(self, user_id: int) -> dict[str, Any]:
        document = {"file_id": "do1", "file_unique_id": "d9", "file_name": "合同.pdf"}
        return self._push("message", self._message(user_id, self._private(user_id), document=document))

    def edit_text(self, user_id: int, message: dict[str, Any], new_text: str) -> dict[str, Any]:
        """The user edits a message they sent earlier (an ``edited_message`` update)."""
        edited = {**message, **self.text_content(new_text), "edit_date": int(time.time())}
        return self._push("edited_message", edited)

    def channel_post(self, chat_id: int, text: str) -> dict[str, Any]:
        post = {"message_id": next(self._message_ids), "date": int(time.time()), "chat": {"id": chat_id, "type": "channel", "title": "频道"}, "text": text}
        return self._push("channel_post", post)

    def group_text(self, user_id: int, chat_id: int, text: str, reply_to: dict[str, Any] | None = None) -> dict[str, Any]:
        """A message in a group; mention the bot with ``@<username>`` in `text` to address it."""
        chat = {"id": chat_id, "type": "supergroup", "title": "万州居民群"}
        content = self.text_content(text, mention=f"@{self.bot_user['username']}")
        if reply_to is not None:
            content["reply_to_message"] = reply_to
        return self._push("message", self._message(user_id, chat, **content))

    def press(self, user_id: int, message: dict[str, Any] | Call, data: str, to: str | None = None) -> dict[str, Any]:
        """The user presses the inline button carrying `data` under a message the bot sent."""
        if isinstance(message, Call):
            message = message.result
        query = {
            "id": str(next(self._callback_ids)),
            "from": self.user(user_id),
            "chat_instance": f"ci{message['chat']['id']}",
            "message": message,
            "data": data,
        }
        return self._push("callback_query", query, to)

    # ---- scripted failures ---------------------------------------------------------------------

    def fail_with_429(self, method: str = "sendMessage", retry_after: int = 1, times: int = 1, chat_id: int | None = None) -> None:
        with self._lock:
            self.failures.append(Failure(method, 429, f"Too Many Requests: retry after {retry_after}", chat_id, times, retry_after))

    def fail_with_status(self, status: int = 500, method: str = "sendMessage", times: int | None = 1, chat_id: int | None = None) -> None:
        """The next `times` matching requests get HTTP `status` (500, 502, 503...)."""
        with self._lock:
            self.failures.append(Failure(method, status, "Internal Server Error" if status == 500 else "Bad Gateway", chat_id, times))

    def reset_connections(self, method: str = "sendMessage", times: int | None = 1, chat_id: int | None = None) -> None:
        """The next `times` matching requests have their connection closed without an answer."""
        with self._lock:
            self.failures.append(Failure(method, 0, "reset", chat_id, times, reset=True))

    def clear_failures(self) -> None:
        with self._lock:
            self.failures.clear()

    def send_poison(self) -> dict[str, Any]:
        """An update python-telegram-bot cannot read: a message without any of its fields."""
        return self._push("message", {})

    def block_chat(self, chat_id: int, method: str = "sendMessage") -> None:
        """Every request to `chat_id` gets 403, as when the user has blocked the bot."""
        with self._lock:
            self.failures.append(Failure(method, 403, "Forbidden: bot was blocked by the user", chat_id, None))

    # ---- observing -----------------------------------------------------------------------------

    def calls_of(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def sent(self, chat_id: int | None = None, method: str | None = None) -> list[Call]:
        """Successful sendMessage/sendPhoto/sendDocument calls, optionally for one chat."""
        with self._lock:
            if chat_id is not None:
                return [c for c in self._by_chat.get(chat_id, ()) if method is None or c.method == method]
            return [c for c in self.calls if c.ok and c.method in SEND_METHODS and (method is None or c.method == method)]

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
        """Block until `predicate()` is truthy (re-checked on every request); return its value."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
                self._lock.wait(min(remaining, 0.5))

    def wait_sent(self, chat_id: int, count: int = 1, timeout: float = 10.0, method: str | None = None, after: int = 0) -> list[Call]:
        """Wait until at least `count` messages were sent to `chat_id` after the first `after`; return them."""
        return self.wait_for(
            lambda: (m := self.sent(chat_id, method)[after:]) and len(m) >= count and m,
            timeout,
            f"{count} message(s) to chat {chat_id}",
        )

    def wait_message(self, chat_id: int, after: int = 0, timeout: float = 10.0, method: str | None = None) -> Call:
        """The first message sent to `chat_id` after the first `after` ones."""
        return self.wait_sent(chat_id, 1, timeout, method, after)[0]

    def confirmed_all(self) -> bool:
        """True when the bot has fetched every injected update (no update left pending)."""
        with self._lock:
            return not self._updates
