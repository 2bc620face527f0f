"""The web chat's JSON API, through httpx against the real Starlette app on a real SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from bot.channels.web import WebSettings, web_app
from bot.conversation import Conversation, texts
from bot.conversation.limits import FloodGate
from bot.core.knowledge import Knowledge
from bot.core.responder import Responder
from bot.flows import all_flows
from bot.store import Store
from bot.store.base import InquiryFilter

BASE = "http://chat.test"


@pytest.fixture
def conversation(knowledge: Knowledge, store: Store) -> Conversation:
    return Conversation(Responder(knowledge, all_flows()), store)


def client(app, address: str = "203.0.113.7", base: str = BASE) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 40000)), base_url=base)


async def ask(http: httpx.AsyncClient, text: str, **extra) -> httpx.Response:
    return await http.post("/api/message", json={"text": text, **extra})


async def test_a_question_gets_its_guidance_logged_once_with_channel_web(conversation: Conversation, store: Store, knowledge: Knowledge) -> None:
    async with client(web_app(conversation)) as http:
        response = await ask(http, "法律援助怎么申请", message_id="m1")
        again = await ask(http, "法律援助怎么申请", message_id="m1")  # the page retrying after a lost response
    assert response.status_code == 200
    answer = response.json()["answer"]
    assert answer["intent"] == "legal_aid" and answer["kind"] == "answer"
    assert answer["text"] == knowledge["legal_aid"].summary
    actions = [b["action"] for row in answer["buttons"] for b in row]
    assert "sec:legal_aid:0" in actions and "flow:eligibility" in actions
    assert again.json()["answer"] == answer
    logged = await store.inquiries()
    assert [(i.channel, i.text, i.intent, i.id) for i in logged] == [("web", "法律援助怎么申请", "legal_aid", answer["feedback_id"])]


async def test_the_visitor_cookie_is_anonymous_httponly_lax_and_secure_on_https(conversation: Conversation) -> None:
    app = web_app(conversation)
    async with client(app) as http:
        first = await http.get("/api/history")
        cookie = first.headers["set-cookie"]
        assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower() and "secure" not in cookie.lower()
        assert "Path=/" in cookie
        await ask(http, "法律援助怎么申请")
        assert "set-cookie" not in (await http.get("/api/history")).headers  # kept, not renewed per request
    async with client(app, base="https://chat.test") as http:
        assert "secure" in (await http.get("/api/welcome")).headers["set-cookie"].lower()


async def test_a_flow_runs_to_its_answer_by_buttons_and_only_the_answer_is_logged(conversation: Conversation, store: Store) -> None:
    async with client(web_app(conversation)) as http:
        question = (await ask(http, "/deadline")).json()["answer"]
        assert question["kind"] == "flow" and question["feedback_id"] is None
        labels = {b["action"]: b["label"] for row in question["buttons"] for b in row}
        assert labels["flow:deadline:k:labour-arbitration"] == "申请劳动仲裁（1年）"
        date_question = (await http.post("/api/press", json={"action": "flow:deadline:k:labour-arbitration"})).json()["answer"]
        assert "请输入" in date_question["text"]
        result = (await ask(http, "2025-08-02")).json()["answer"]
        history = (await http.get("/api/history")).json()["messages"]
    assert "2026年8月3日" in result["text"] and result["intent"] == "labour_dispute" and result["feedback_id"]
    assert [i.intent for i in await store.inquiries()] == ["labour_dispute"]
    said = [m["text"] for m in history if m["role"] == "user"]
    assert said == ["/deadline", "申请劳动仲裁（1年）", "2025-08-02"]  # a press shows the label the visitor saw


async def test_feedback_lands_on_the_visitors_answer_and_nobody_else_can_rate_it(conversation: Conversation, store: Store) -> None:
    app = web_app(conversation)
    async with client(app) as asker, client(app) as stranger:
        inquiry = (await ask(asker, "邻居装修太吵了找谁调解")).json()["answer"]["feedback_id"]
        await ask(asker, "法律援助怎么申请")
        rated = await asker.post("/api/feedback", json={"inquiry_id": inquiry, "value": "down"})
        refused = await stranger.post("/api/feedback", json={"inquiry_id": inquiry, "value": "up"})
        history = (await asker.get("/api/history")).json()["messages"]
    assert rated.status_code == 200 and rated.json() == {"recorded": True, "message": texts.FEEDBACK_THANKS["down"]}
    assert refused.status_code == 404 and "找不到这条回答" in refused.json()["error"]
    assert [(i.id, i.feedback) for i in await store.inquiries(InquiryFilter(feedback="down"))] == [(inquiry, "down")]
    assert [i.feedback for i in await store.inquiries()].count(None) == 1  # the other answer is unrated
    assert [m["feedback"] for m in history if m.get("feedback_id") == inquiry] == ["down"]  # shown again after a reload


async def test_history_is_redacted_and_shared_by_the_visitors_tabs(conversation: Conversation) -> None:
    app = web_app(conversation)
    async with client(app) as tab:
        await ask(tab, "我手机13812345678被人骗了钱怎么办")
        cookies = dict(tab.cookies)
    async with client(app) as other_tab:
        other_tab.cookies.update(cookies)
        messages = (await other_tab.get("/api/history")).json()["messages"]
    assert messages[0] == {"role": "user", "text": "我手机[手机号]被人骗了钱怎么办"}
    assert messages[1]["role"] == "bot" and messages[1]["text"]
    assert "13812345678" not in json.dumps(messages, ensure_ascii=False)


async def test_input_limits_and_csrf_checks_answer_in_chinese(conversation: Conversation, store: Store) -> None:
    async with client(web_app(conversation, WebSettings(max_text_chars=50, max_body_bytes=2000))) as http:
        too_long = await ask(http, "工资" * 26)
        too_big = await http.post("/api/message", content=json.dumps({"text": "x", "pad": "y" * 3000}), headers={"Content-Type": "application/json"})
        form = await http.post("/api/message", data={"text": "法律援助怎么申请"})
        broken = await http.post("/api/message", content=b"{not json", headers={"Content-Type": "application/json"})
        empty = await ask(http, "   ")
        foreign = await http.post("/api/message", json={"text": "法律援助"}, headers={"Origin": "https://evil.example"})
        foreign_referer = await http.post("/api/message", json={"text": "法律援助"}, headers={"Referer": "https://evil.example/x"})
        own_origin = await http.post("/api/message", json={"text": "法律援助怎么申请"}, headers={"Origin": BASE})
        bad_action = await http.post("/api/press", json={"action": 7})
        missing = await http.get("/api/nothing")
        wrong_method = await http.get("/api/message")
    expected = {too_long: 413, too_big: 413, form: 415, broken: 400, empty: 400, foreign: 403, foreign_referer: 403, bad_action: 400, missing: 404, wrong_method: 405}
    for response, status in expected.items():
        assert response.status_code == status
        error = response.json()["error"]
        assert error and not error.isascii(), error  # a Chinese sentence, not an English status line
    assert "50 字以内" in too_long.json()["error"]
    assert own_origin.status_code == 200
    assert len(await store.inquiries()) == 1  # only the accepted request was answered and logged


async def test_new_visitors_are_limited_per_address_known_ones_per_visitor(knowledge: Knowledge, store: Store) -> None:
    conversation = Conversation(Responder(knowledge, all_flows()), store, flood=FloodGate(burst=3, rate=0.001))
    app = web_app(conversation, WebSettings(new_visitors_burst=2, new_visitors_per_second=0.001))
    async with client(app) as first, client(app) as second, client(app) as third, client(app, "198.51.100.9") as elsewhere:
        assert (await ask(first, "法律援助怎么申请")).status_code == 200
        assert (await ask(second, "法律援助怎么申请")).status_code == 200
        turned_away = await ask(third, "法律援助怎么申请")
        assert turned_away.status_code == 429 and "新开的对话太多" in turned_away.json()["error"]
        assert (await ask(elsewhere, "法律援助怎么申请")).status_code == 200
        assert [(await ask(first, "人民调解")).status_code for _ in range(3)] == [200, 200, 429]  # 3 per visitor
        flooded = await ask(first, "人民调解")
    assert flooded.status_code == 429 and flooded.json()["error"] == texts.TOO_FAST


async def test_the_page_and_its_assets_come_from_the_bot_itself(conversation: Conversation) -> None:
    async with client(web_app(conversation, WebSettings(retention_days=90, allowed_origins=("https://www.example.gov.cn",)))) as http:
        page = await http.get("/")
        assets = [await http.get(f"/static/{name}") for name in ("chat.css", "chat.js")]
        embed = await http.get("/embed.js")
        welcome = (await http.get("/api/welcome")).json()
    assert page.status_code == 200 and 'lang="zh-CN"' in page.text
    assert "记录保存 90 天" in page.text and "身份证号" in page.text  # the privacy note, before any message
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'self' https://www.example.gov.cn" in policy
    for body in [page.text, *(a.text for a in assets)]:
        assert "http://" not in body and "https://" not in body and "//cdn" not in body
    assert [a.headers["content-type"].split(";")[0] for a in assets] == ["text/css", "text/javascript"]
    assert embed.status_code == 200 and "iframe" in embed.text
    assert welcome["answer"]["kind"] == "menu" and welcome["answer"]["buttons"]
    assert "90 天" in welcome["privacy"]
