"""The same conversation over Telegram (a webhook worker fed through its HTTP app, replies to the
stand-in Bot API) and the terminal chat, on one store: the same guidance, flows that finish,
feedback on the right inquiry, every question logged once under its channel."""

from __future__ import annotations

import io
import time

import httpx
import pytest

from bot.channels.telegram.webhook import SECRET_HEADER, WEBHOOK_PATH, create_app
from bot.channels.telegram.worker import WebhookWorker
from bot.channels.terminal import TerminalChat
from bot.conversation import Conversation
from bot.core.knowledge import load_knowledge
from bot.core.responder import Responder
from bot.flows import all_flows
from bot.settings import Settings
from bot.store import open_store

from .conftest import INTENTS
from .fake_bot_api import TOKEN, FakeBotAPI

SECRET = "shared_secret"
BOT_USERNAME = "wanzhou_legal_bot"
QUESTION = "公证怎么办理"
pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def channels(api, tmp_path):
    """A Telegram worker and a terminal chat on one store; yields (post, terminal, store)."""
    db = str(tmp_path / "inquiries.sqlite3")
    responder = Responder(load_knowledge(INTENTS), all_flows())
    settings = Settings(telegram_token=TOKEN, api_base_url=api.base_url, db=db, intents_dir=INTENTS, webhook_secret=SECRET)
    worker = WebhookWorker(settings, responder, await open_store(db))
    await worker.start()
    out = io.StringIO()
    terminal = TerminalChat(Conversation(responder, worker.store), out, "staff")
    transport = httpx.ASGITransport(app=create_app(worker, SECRET))
    async with httpx.AsyncClient(transport=transport, base_url="http://worker") as client:

        async def post(update: dict) -> None:
            response = await client.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: SECRET})
            assert response.status_code == 200

        yield post, terminal, out, worker.store
    await worker.stop()


_ids = iter(range(1000, 100_000))


def text_update(user: int, text: str, chat: dict | None = None) -> dict:
    sender = {"id": user, "is_bot": False, "first_name": "居民"}
    mention = f"@{BOT_USERNAME}" if chat else None
    chat = chat or {"id": user, "type": "private", "first_name": "居民"}
    n = next(_ids)
    content = FakeBotAPI.text_content(text, mention=mention)
    message = {"message_id": n, "date": int(time.time()), "chat": chat, "from": sender, **content}
    return {"update_id": n, "message": message}


def press_update(user: int, message: dict, data: str) -> dict:
    sender = {"id": user, "is_bot": False, "first_name": "居民"}
    n = next(_ids)
    return {"update_id": n, "callback_query": {"id": f"q{n}", "from": sender, "chat_instance": "c", "data": data, "message": message}}


def last_terminal_reply(out: io.StringIO) -> str:
    return out.getvalue().rsplit("机器人> ", 1)[-1]


async def test_a_question_gets_the_same_guidance_and_is_logged_once_per_channel(channels, api):
    post, terminal, out, store = channels
    await post(text_update(601, QUESTION))
    await terminal.handle(QUESTION)
    telegram_text = api.sent(601)[0].text
    assert telegram_text.split("\n", 1)[0] in last_terminal_reply(out)
    logged = await store.inquiries()
    assert sorted((i.channel, i.text) for i in logged) == [("telegram", QUESTION), ("terminal", QUESTION)]
    assert logged[0].intent == logged[1].intent is not None


async def test_the_deadline_flow_finishes_on_both_channels_with_the_same_date(channels, api):
    post, terminal, out, _store = channels
    await post(text_update(602, "/deadline"))
    start = api.sent(602)[0]
    labels = [b["text"] for b in start.buttons]
    choice = next(b for b in start.buttons if "行政复议" in b["text"])
    await post(press_update(602, start.result, choice["callback_data"]))
    await post(text_update(602, "2025年8月2日"))
    telegram_result = api.sent(602)[2].text

    await terminal.handle("/deadline")
    await terminal.handle(str(labels.index(choice["text"]) + 1))  # the same button, by its number
    await terminal.handle("2025年8月2日")
    assert "2025年10月9日" in telegram_result and "2025年10月9日" in last_terminal_reply(out)


async def test_feedback_counts_only_from_the_asker_and_lands_on_their_inquiry(channels, api):
    post, _terminal, _out, store = channels
    group = {"id": -700, "type": "supergroup", "title": "小区群"}
    await post(text_update(603, f"@{BOT_USERNAME} {QUESTION}", chat=group))
    answer = api.sent(-700)[0]
    up = next(b["callback_data"] for b in answer.buttons if b["callback_data"].startswith("fb:up:"))
    inquiry_id = int(up.rsplit(":", 1)[1])
    await post(press_update(604, answer.result, up))  # a neighbour in the group presses 👍
    assert (await store.get(inquiry_id)).feedback is None
    toast = api.calls_of("answerCallbackQuery")[-1].params.get("text", "")
    assert "提问的人" in toast
    await post(press_update(603, answer.result, up.replace("up", "down")))
    assert (await store.get(inquiry_id)).feedback == "down"
    assert [i.id for i in await store.inquiries()] == [inquiry_id], "presses are not inquiries"
