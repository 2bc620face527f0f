"""The webhook worker's HTTP contract, in process: the Starlette app over a real `WebhookWorker`
(SQLite store, PTB sending to the stand-in Bot API), driven through httpx's ASGI transport.

A POST is answered only once its update has been handled, so each test can look at what the
resident received as soon as its request returns. A second store opened on the same database plays
another worker (claims, a dead worker's half-done update).
"""

from __future__ import annotations

import time

import httpx
import pytest

from bot.channels.telegram.webhook import SECRET_HEADER, WEBHOOK_PATH, create_app
from bot.channels.telegram.worker import CLAIM_LEASE, WebhookWorker
from bot.core.knowledge import load_knowledge
from bot.core.reply import Reply, ReplyKind
from bot.core.responder import Responder
from bot.flows import all_flows
from bot.settings import Settings
from bot.store import open_store

from .conftest import INTENTS
from .fake_bot_api import TOKEN, FakeBotAPI

SECRET = "in-process_secret"
pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def responder():
    return Responder(load_knowledge(INTENTS), all_flows())


@pytest.fixture
async def worker(api, responder, tmp_path):
    db = str(tmp_path / "inquiries.sqlite3")
    settings = Settings(telegram_token=TOKEN, api_base_url=api.base_url, db=db, intents_dir=INTENTS, webhook_secret=SECRET)
    worker = WebhookWorker(settings, responder, await open_store(db))
    await worker.start()
    yield worker
    await worker.stop()


@pytest.fixture
async def client(worker):
    transport = httpx.ASGITransport(app=create_app(worker, SECRET))
    async with httpx.AsyncClient(transport=transport, base_url="http://worker") as client:
        yield client


@pytest.fixture
async def other_worker(worker):
    """A second store on the same database: what another worker does to it."""
    store = await open_store(worker.bot.settings.db)
    yield store
    await store.close()


def text_update(update_id: int, user: int, text: str) -> dict:
    chat = {"id": user, "type": "private", "first_name": "居民"}
    sender = {"id": user, "is_bot": False, "first_name": "居民"}
    message = {"message_id": update_id, "date": int(time.time()), "chat": chat, "from": sender, **FakeBotAPI.text_content(text)}
    return {"update_id": update_id, "message": message}


async def post(client: httpx.AsyncClient, update: dict, secret: str | None = SECRET) -> httpx.Response:
    return await client.post(WEBHOOK_PATH, json=update, headers={SECRET_HEADER: secret} if secret is not None else {})


async def test_a_missing_or_wrong_secret_is_403_and_nothing_happens(client, worker, api):
    assert (await post(client, text_update(1, 401, "/start"), secret=None)).status_code == 403
    assert (await post(client, text_update(1, 401, "/start"), secret=SECRET + "x")).status_code == 403
    assert not api.sent(401)
    assert await worker.store.claim_state("telegram:1") is None, "not even claimed"


async def test_the_right_secret_gets_the_update_answered_before_200(client, api):
    response = await post(client, text_update(2, 402, "法律援助怎么申请"))
    assert response.status_code == 200
    assert "法律援助" in api.sent(402)[0].text


async def test_a_body_that_is_not_an_update_is_400(client):
    assert (await client.post(WEBHOOK_PATH, content=b"{", headers={SECRET_HEADER: SECRET})).status_code == 400
    assert (await post(client, {"message": {}})).status_code == 400
    assert (await client.get(WEBHOOK_PATH)).status_code == 405


async def test_a_redelivered_update_is_acknowledged_but_neither_answered_nor_logged_again(client, worker, api):
    update = text_update(3, 403, "公证怎么办理")
    assert (await post(client, update)).status_code == 200
    assert (await post(client, update)).status_code == 200
    assert len(api.sent(403)) == 1
    assert [i.text for i in await worker.store.inquiries()] == ["公证怎么办理"]


async def test_an_update_another_worker_is_on_gets_409_with_retry_after(client, other_worker, api):
    assert await other_worker.claim_update("telegram:4")
    response = await post(client, text_update(4, 404, "公证怎么办理"))
    assert response.status_code == 409
    assert 1 <= int(response.headers["Retry-After"]) <= CLAIM_LEASE
    assert not api.sent(404)
    await other_worker.finish_update("telegram:4")
    assert (await post(client, text_update(4, 404, "公证怎么办理"))).status_code == 200
    assert not api.sent(404), "the other worker answered it"


async def test_an_update_whose_worker_died_is_taken_over_and_logged_once(client, worker, other_worker, api):
    # The other worker claimed it, logged the inquiry, and died before answering.
    assert await other_worker.claim_update("telegram:5", now=time.time() - CLAIM_LEASE - 1)
    reply = Reply("指引", ReplyKind.ANSWER, intent="legal_aid", score=90.0)
    logged = await other_worker.log("telegram", "405", "法律援助怎么申请", reply, message_key="telegram:5")
    assert (await post(client, text_update(5, 405, "法律援助怎么申请"))).status_code == 200
    answer = api.sent(405)[0]
    assert f"fb:up:{logged}" in [b["callback_data"] for b in answer.buttons], "the 👍/👎 point at the one inquiry"
    assert len(await worker.store.inquiries()) == 1


async def test_a_flow_started_on_one_worker_continues_on_another(client, worker, api, responder):
    second = WebhookWorker(worker.bot.settings, responder, await open_store(worker.bot.settings.db))
    await second.start()
    try:
        transport = httpx.ASGITransport(app=create_app(second, SECRET))
        async with httpx.AsyncClient(transport=transport, base_url="http://second") as other:
            assert (await post(client, text_update(6, 406, "/deadline"))).status_code == 200
            start = api.sent(406)[0]
            choice = next(b["callback_data"] for b in start.buttons if "行政复议" in b["text"])
            sender = {"id": 406, "is_bot": False, "first_name": "居民"}
            press = {"update_id": 7, "callback_query": {"id": "q7", "from": sender, "chat_instance": "c", "data": choice, "message": start.result}}
            assert (await post(other, press)).status_code == 200
            assert "2025-08-02" in api.sent(406)[1].text, "the second worker knew where the flow stood"
            assert (await post(client, text_update(8, 406, "2025年8月2日"))).status_code == 200
            assert "2025年10月9日" in api.sent(406)[2].text, "and so did the first, for the last step"
    finally:
        await second.stop()


async def test_healthz_is_200_while_the_database_answers_and_503_when_it_does_not(client, worker):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok" and response.json()["intents"] > 10
    await worker.store.close()
    response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"].startswith("unreachable")
    assert (await post(client, text_update(9, 409, "公证"))).status_code == 503, "the load balancer tries another worker"


async def test_an_update_that_cannot_be_read_is_acknowledged_once_and_not_retried(client, worker, api):
    broken = {"update_id": 10, "message": {"message_id": "not a number", "chat": "nor a chat"}}
    assert (await post(client, broken)).status_code == 200, "retrying would not make it readable"
    assert (await worker.store.claim_state("telegram:10")).finished
