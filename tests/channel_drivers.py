"""One driver per channel with the same few methods, so one set of conversation tests can run over
every channel (tests/test_channels_shared.py):

- ``ask(text)`` → `Said`: what the resident sees back, its text without channel decoration and the
  labels of the choices offered under it (buttons, or numbered lines);
- ``press(label)``: the choice with that label under the last answer (a button, or its number);
- ``feedback(value, stranger=False)``: 👍/👎 on the last answer, by the asker or by somebody else;
- ``logged()``: the inquiry log's rows, oldest first.

Each driver talks to the real channel code over a real SQLite store: Telegram's webhook worker fed
updates through its HTTP app (answers go to the stand-in Bot API), the terminal chat, the web
chat's Starlette app over httpx, and the WeChat app under uvicorn pushed signed XML by the
stand-in WeChat. Terminal and WeChat show no 👍/👎 (`feedback` is None on them).
"""

from __future__ import annotations

import asyncio
import html
import io
import itertools
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx

from bot.channels.telegram.webhook import SECRET_HEADER, WEBHOOK_PATH, create_app
from bot.channels.telegram.worker import WebhookWorker
from bot.channels.terminal import TerminalChat
from bot.channels.web import web_app
from bot.conversation import Conversation
from bot.core.responder import Responder
from bot.settings import Settings
from bot.store import Store, open_store
from bot.store.base import Inquiry

from .fake_bot_api import TOKEN, Call, FakeBotAPI
from .fake_wechat import FakeWeChat
from .wechat_bot import running_wechat, settings_for

CHANNELS = ("telegram", "terminal", "web", "wechat")
WEBHOOK_SECRET = "shared_secret"
FEEDBACK_PREFIX = "fb:"
_ids = itertools.count(int(time.time()) % 100_000 * 1000)  # Telegram update/message ids, users
WECHAT_CHOICE = re.compile(r"回复 (\d+) (?:查看|选择)“(.*)”")
TERMINAL_CHOICE = re.compile(r"  \[(\d+)\] (.*)")


@dataclass(frozen=True)
class Said:
    """An answer as the resident sees it: the text, and the choices under it by label."""

    text: str
    choices: list[str]


def plain_label(label: str) -> str:
    """A label as every channel shows it (WeChat drops the « of "« 返回")."""
    return label.lstrip("« ").strip()


def pick(choices: list[str], label: str) -> int:
    """The position of ``label`` among ``choices``; fails the test when it is not offered."""
    shown = [plain_label(c) for c in choices]
    assert plain_label(label) in shown, f"{label!r} is not among the choices {choices}"
    return shown.index(plain_label(label))


class Driver(Protocol):
    channel: str
    store: Store

    async def ask(self, text: str) -> Said: ...

    async def press(self, label: str) -> Said: ...

    async def logged(self) -> list[Inquiry]: ...


async def _logged(store: Store) -> list[Inquiry]:
    return sorted(await store.inquiries(), key=lambda i: i.id)


# --- Telegram: the webhook worker's HTTP app, replies to the stand-in Bot API ---------------------


def text_update(user: int, text: str) -> dict[str, Any]:
    n = next(_ids)
    chat = {"id": user, "type": "private", "first_name": "居民"}
    message = {"message_id": n, "date": int(time.time()), "chat": chat, "from": FakeBotAPI.user(user), **FakeBotAPI.text_content(text)}
    return {"update_id": n, "message": message}


def press_update(user: int, message: dict[str, Any], data: str) -> dict[str, Any]:
    n = next(_ids)
    query = {"id": f"q{n}", "from": FakeBotAPI.user(user), "chat_instance": "c", "data": data, "message": message}
    return {"update_id": n, "callback_query": query}


@dataclass
class TelegramDriver:
    api: FakeBotAPI
    post: Callable[[dict[str, Any]], Awaitable[None]]
    store: Store
    channel: str = "telegram"
    user: int = field(default_factory=lambda: next(_ids))
    _keyboard: Call | None = None  # the last message with buttons under it

    async def _turn(self, update: dict[str, Any]) -> Said:
        before = len(self.api.sent(self.user))
        await self.post(update)  # the worker answers before its HTTP response
        sent = self.api.sent(self.user)[before:]
        assert sent, "Telegram: no answer"
        self._keyboard = next((c for c in reversed(sent) if c.buttons), self._keyboard)
        labels = [b["text"] for b in sent[-1].buttons if not b["callback_data"].startswith(FEEDBACK_PREFIX)]
        return Said("\n".join(html.unescape(c.text) for c in sent), labels)

    async def ask(self, text: str) -> Said:
        return await self._turn(text_update(self.user, text))

    def _button(self, label: str, kind: str = "") -> dict[str, str]:
        assert self._keyboard is not None, "Telegram: nothing to press"
        buttons = [b for b in self._keyboard.buttons if b["callback_data"].startswith(kind)]
        return buttons[pick([b["text"] for b in buttons], label)]

    async def press(self, label: str) -> Said:
        return await self._turn(press_update(self.user, self._keyboard.result, self._button(label)["callback_data"]))

    async def feedback(self, value: str, stranger: bool = False) -> None:
        """Press 👍/👎 under the last answer; a stranger is someone else in the chat (a group)."""
        data = next(b["callback_data"] for b in self._keyboard.buttons if b["callback_data"].startswith(f"{FEEDBACK_PREFIX}{value}:"))
        await self.post(press_update(next(_ids) if stranger else self.user, self._keyboard.result, data))

    async def logged(self) -> list[Inquiry]:
        return await _logged(self.store)


@asynccontextmanager
async def telegram_driver(api: FakeBotAPI, responder: Responder, folder: Path) -> AsyncIterator[TelegramDriver]:
    db = str(folder / "telegram.sqlite3")
    settings = Settings(telegram_token=TOKEN, api_base_url=api.base_url, db=db, webhook_secret=WEBHOOK_SECRET)
    worker = WebhookWorker(settings, responder, await open_store(db))
    await worker.start()
    transport = httpx.ASGITransport(app=create_app(worker, WEBHOOK_SECRET))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://worker") as client:

            async def post(update: dict[str, Any]) -> None:
                response = await client.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: WEBHOOK_SECRET})
                assert response.status_code == 200, response.text

            yield TelegramDriver(api, post, worker.store)
    finally:
        await worker.stop()


# --- terminal: the terminal chat over the conversation service ------------------------------------


@dataclass
class TerminalDriver:
    chat: TerminalChat
    out: io.StringIO
    store: Store
    channel: str = "terminal"
    _choices: list[str] = field(default_factory=list)

    async def ask(self, text: str) -> Said:
        start = len(self.out.getvalue())
        await self.chat.handle(text)
        printed = self.out.getvalue()[start:].removeprefix("机器人> ").rstrip("\n")
        text, _, tail = printed.partition("\n\n  [1] ")
        self._choices = [m[2] for m in TERMINAL_CHOICE.finditer("  [1] " + tail)] if tail else []
        return Said(text, self._choices)

    async def press(self, label: str) -> Said:
        return await self.ask(str(pick(self._choices, label) + 1))

    feedback = None  # the terminal shows no 👍/👎

    async def logged(self) -> list[Inquiry]:
        return await _logged(self.store)


@asynccontextmanager
async def terminal_driver(responder: Responder, folder: Path) -> AsyncIterator[TerminalDriver]:
    store = await open_store(str(folder / "terminal.sqlite3"))
    out = io.StringIO()
    try:
        yield TerminalDriver(TerminalChat(Conversation(responder, store), out, "resident"), out, store)
    finally:
        await store.close()


# --- web: the web chat's JSON API ------------------------------------------------------------------


@dataclass
class WebDriver:
    visitor: httpx.AsyncClient
    stranger: httpx.AsyncClient  # another visitor (another cookie)
    store: Store
    channel: str = "web"
    _answer: dict[str, Any] = field(default_factory=dict)

    async def _turn(self, path: str, body: dict[str, Any]) -> Said:
        response = await self.visitor.post(path, json=body)
        assert response.status_code == 200, response.text
        self._answer = response.json()["answer"]
        return Said(self._answer["text"], [b["label"] for b in self._buttons()])

    def _buttons(self) -> list[dict[str, str]]:
        return [b for row in self._answer.get("buttons", []) for b in row]

    async def ask(self, text: str) -> Said:
        return await self._turn("/api/message", {"text": text})

    async def press(self, label: str) -> Said:
        buttons = self._buttons()
        return await self._turn("/api/press", {"action": buttons[pick([b["label"] for b in buttons], label)]["action"]})

    async def feedback(self, value: str, stranger: bool = False) -> None:
        client = self.stranger if stranger else self.visitor
        response = await client.post("/api/feedback", json={"inquiry_id": self._answer["feedback_id"], "value": value})
        assert response.status_code == (404 if stranger else 200), response.text

    async def logged(self) -> list[Inquiry]:
        return await _logged(self.store)


@asynccontextmanager
async def web_driver(responder: Responder, folder: Path) -> AsyncIterator[WebDriver]:
    store = await open_store(str(folder / "web.sqlite3"))
    app = web_app(Conversation(responder, store))
    async with AsyncExitStack() as stack:
        stack.push_async_callback(store.close)
        clients = [
            await stack.enter_async_context(httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(ip, 40000)), base_url="http://chat.test"))
            for ip in ("203.0.113.7", "198.51.100.9")
        ]
        yield WebDriver(*clients, store)


# --- WeChat: signed safe-mode XML pushed by the stand-in WeChat -------------------------------------


def wechat_said(content: str) -> Said:
    """A WeChat text split into its body and the numbered choices under it."""
    text, _, tail = content.partition("\n\n回复 1 ")
    return Said(text.strip(), [m[2] for m in WECHAT_CHOICE.finditer("回复 1 " + tail)] if tail else [])


@dataclass
class WeChatDriver:
    wechat: FakeWeChat
    url: str
    store: Store
    channel: str = "wechat"
    openid: str = field(default_factory=lambda: f"oResident{next(_ids)}")
    _choices: list[str] = field(default_factory=list)

    async def ask(self, text: str) -> Said:
        reply = await asyncio.to_thread(self.wechat.post, self.url, self.wechat.text_xml(self.openid, text), True)
        assert reply.status == 200 and reply.signature_ok, reply
        said = wechat_said(reply.content)
        self._choices = said.choices
        return said

    async def press(self, label: str) -> Said:
        return await self.ask(str(pick(self._choices, label) + 1))

    feedback = None  # WeChat shows no 👍/👎

    async def logged(self) -> list[Inquiry]:
        return await _logged(self.store)


@asynccontextmanager
async def wechat_driver(wechat: FakeWeChat, responder: Responder, folder: Path) -> AsyncIterator[WeChatDriver]:
    db = folder / "wechat.sqlite3"
    with running_wechat(responder, settings_for(wechat), db) as bot:
        store = await open_store(str(db))  # a second connection to the bot's log, for reading it
        try:
            yield WeChatDriver(wechat, bot.url, store)
        finally:
            await store.close()
