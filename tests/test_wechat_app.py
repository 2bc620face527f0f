"""The WeChat channel end to end: `wechat_app` under uvicorn on 127.0.0.1 with a real SQLite log,
pushed signed XML by the stand-in WeChat (`fake_wechat`), whose API takes the access-token and
customer-service calls. What a resident on WeChat would notice, in plaintext and safe mode."""

from __future__ import annotations

import dataclasses
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from bot.channels.wechat import WeChatSettings, wechat_app, wechat_routes
from bot.conversation import Conversation, texts
from bot.core.knowledge import load_knowledge
from bot.core.responder import Responder
from bot.flows import all_flows

from . import fake_wechat
from .conftest import INTENTS, run_cli
from .fake_wechat import FakeWeChat
from .wechat_bot import running_wechat, settings_for

CHOICES_START = "\n\n回复 1 "


@pytest.fixture(scope="module")
def responder() -> Responder:
    return Responder(load_knowledge(INTENTS), all_flows())


@pytest.fixture(scope="module")
def wechat():
    with FakeWeChat() as server:
        yield server


def logged(db: Path) -> list[tuple[str, str, str | None]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT channel, text, intent FROM inquiries ORDER BY id").fetchall()


def terminal_replies(tmp_path: Path, *lines: str) -> list[str]:
    """What `legalbot chat` says to each line (the welcome first), each without its numbered choices."""
    result = run_cli("chat", "--db", str(tmp_path / "terminal.sqlite3"), stdin="".join(line + "\n" for line in lines))
    assert result.returncode == 0, result.stderr
    said = [block.split("\n\n  [1]")[0].strip() for block in result.stdout.split("机器人> ")[1:]]
    return said


def body(content: str) -> str:
    """A WeChat text without the numbered choices under it."""
    return content.split(CHOICES_START)[0].strip()


@pytest.mark.parametrize("safe", [False, True], ids=["plaintext", "safe-mode"])
def test_subscribe_gets_the_welcome_with_the_menu_as_numbered_choices(responder, wechat, tmp_path, safe):
    with running_wechat(responder, settings_for(wechat, safe=safe), tmp_path / "log.sqlite3") as bot:
        reply = wechat.post(bot.url, wechat.event_xml("oSubscriber", "subscribe"), safe=safe)
    assert reply.status == 200
    assert reply.signature_ok is (True if safe else None)
    assert reply.fields["ToUserName"] == "oSubscriber" and reply.fields["FromUserName"] == fake_wechat.ACCOUNT
    assert reply.fields["MsgType"] == "text"
    assert reply.content.startswith("您好！我是万州区公共法律服务咨询助手。")
    assert "回复 1 查看“法律援助”" in reply.content and "回复 2 查看“人民调解”" in reply.content


@pytest.mark.parametrize("safe", [False, True], ids=["plaintext", "safe-mode"])
def test_a_question_gets_the_terminal_guidance_and_a_number_presses_that_choice(responder, wechat, tmp_path, safe):
    db = tmp_path / "log.sqlite3"
    with running_wechat(responder, settings_for(wechat, safe=safe), db) as bot:
        answer = wechat.post(bot.url, wechat.text_xml("oAsker", "法律援助怎么申请"), safe=safe)
        second = wechat.post(bot.url, wechat.text_xml("oAsker", "2"), safe=safe)
    welcome, terminal_answer, terminal_second = terminal_replies(tmp_path, "法律援助怎么申请", "2")
    assert body(answer.content) == terminal_answer
    assert "回复 2 查看“免查经济”" in answer.content
    assert body(second.content) == terminal_second
    assert second.content.startswith("【法律援助 · 免查经济】")
    assert logged(db) == [("wechat", "法律援助怎么申请", "legal_aid")]


def test_menu_clicks_open_an_intent_or_the_menu(responder, wechat, tmp_path):
    db = tmp_path / "log.sqlite3"
    with running_wechat(responder, settings_for(wechat), db) as bot:
        guidance = wechat.post(bot.url, wechat.event_xml("oClicker", "CLICK", "intent:mediation", created=1), safe=True)
        menu = wechat.post(bot.url, wechat.event_xml("oClicker", "CLICK", "menu", created=2), safe=True)
        stale = wechat.post(bot.url, wechat.event_xml("oClicker", "CLICK", "intent:no_such_topic", created=3), safe=True)
        first_choice = wechat.post(bot.url, wechat.text_xml("oClicker", "1"), safe=True)
    _, terminal_mediation = terminal_replies(tmp_path, "2")  # the terminal's menu: 2 = 人民调解
    assert body(guidance.content) == terminal_mediation
    assert menu.content.startswith("您好！") and "回复 1 查看“法律援助”" in menu.content
    assert stale.content.startswith("这个按钮已经失效了")
    assert body(first_choice.content) == terminal_replies(tmp_path, "1")[1]  # the stale reply offered the menu again
    assert logged(db)[0] == ("wechat", "intent:mediation", "mediation")  # a click is logged under its key


def test_the_deadline_flow_by_numbers_reaches_its_answer(responder, wechat, tmp_path):
    with running_wechat(responder, settings_for(wechat), tmp_path / "log.sqlite3") as bot:
        kinds = wechat.post(bot.url, wechat.text_xml("oCounter", "/deadline"), safe=True)
        question = wechat.post(bot.url, wechat.text_xml("oCounter", "1"), safe=True)
        result = wechat.post(bot.url, wechat.text_xml("oCounter", "2025-08-02"), safe=True)
    assert "回复 1 选择“申请行政复议（60日）”" in kinds.content
    assert question.content.startswith("申请行政复议（60日）：请输入")
    assert "最后一天：2025年10月9日（星期四）" in result.content
    assert "《中华人民共和国行政复议法》第二十条" in result.content


def test_pictures_get_the_note_that_the_bot_reads_text(responder, wechat, tmp_path):
    db = tmp_path / "log.sqlite3"
    with running_wechat(responder, settings_for(wechat), db) as bot:
        reply = wechat.post(bot.url, wechat.image_xml("oPhotographer"), safe=True)
    assert reply.content == texts.NOT_TEXT
    assert logged(db) == []


def test_emergency_numbers_stay_plain_and_are_not_taken_for_choices(responder, wechat, tmp_path):
    with running_wechat(responder, settings_for(wechat), tmp_path / "log.sqlite3") as bot:
        danger = wechat.post(bot.url, wechat.text_xml("oInDanger", "他拿刀要砍我"), safe=True)
        hotline = wechat.post(bot.url, wechat.text_xml("oInDanger", "12348"), safe=True)
    assert "110" in body(danger.content) and "<a" not in danger.content and "tel:" not in danger.content
    assert body(hotline.content) == terminal_replies(tmp_path, "他拿刀要砍我", "12348")[2]


def test_bad_signatures_are_refused_and_nothing_is_answered(responder, wechat, tmp_path):
    db = tmp_path / "log.sqlite3"
    xml = wechat.text_xml("oForger", "法律援助怎么申请")
    with running_wechat(responder, settings_for(wechat), db) as bot:
        plain = wechat.post(bot.url, xml, token="notOurToken")
        safe = wechat.post(bot.url, xml, safe=True, token="notOurToken")
        query = wechat.signed_query(encrypt_type="aes", msg_signature="0" * 40)  # right signature, forged body
        forged = httpx.post(bot.url, params=query, content=f"<xml><Encrypt>{fake_wechat.encrypt(xml)}</Encrypt></xml>")
        unsigned = httpx.post(bot.url, content=xml.encode())
    assert [plain.status, safe.status, forged.status_code, unsigned.status_code] == [403, 403, 403, 403]
    assert logged(db) == []
    assert not wechat.delivered("oForger")


def test_server_url_verification_echoes_only_for_our_token(responder, wechat, tmp_path):
    with running_wechat(responder, settings_for(wechat), tmp_path / "log.sqlite3") as bot:
        good = httpx.get(bot.url, params=wechat.signed_query(echostr="4711470815"))
        bad = httpx.get(bot.url, params=wechat.signed_query(token="someoneElse", echostr="4711470815"))
        bare = httpx.get(bot.url)
    assert (good.status_code, good.text) == (200, "4711470815")
    assert bad.status_code == 403 and bare.status_code == 403


def test_unreadable_and_oversized_posts_are_refused(responder, wechat, tmp_path):
    settings = settings_for(wechat, max_body_bytes=4096)
    with running_wechat(responder, settings, tmp_path / "log.sqlite3") as bot:
        broken = wechat.post(bot.url, "<xml><ToUserName>gh</To")
        huge = wechat.post(bot.url, wechat.text_xml("oBig", "法" * 5000))
    assert broken.status == 400
    assert huge.status == 413


def test_three_deliveries_of_one_message_are_answered_and_logged_once(responder, wechat, tmp_path):
    """WeChat's retries arrive while the first delivery is still being answered (slow database):
    all get the same passive reply, and the inquiry is logged once."""
    db = tmp_path / "log.sqlite3"
    xml = wechat.text_xml("oRetried", "老板拖欠工资怎么办", msg_id=77001)
    with running_wechat(responder, settings_for(wechat), db, delay=1.0) as bot:

        def deliver(attempt: int) -> fake_wechat.Reply:
            time.sleep(0.2 * attempt)
            return wechat.post(bot.url, xml, safe=True)

        with ThreadPoolExecutor(3) as pool:
            replies = list(pool.map(deliver, range(3)))
        late_retry = wechat.post(bot.url, xml, safe=True)
    contents = {r.content for r in replies + [late_retry]}
    assert [r.status for r in replies] == [200, 200, 200]
    assert len(contents) == 1 and body(contents.pop()) == terminal_replies(tmp_path, "老板拖欠工资怎么办")[1]
    assert logged(db) == [("wechat", "老板拖欠工资怎么办", "wage_arrears")]
    assert wechat.delivered("oRetried") == []


def test_a_slow_answer_goes_through_the_customer_service_api_once(responder, wechat, tmp_path):
    db = tmp_path / "log.sqlite3"
    xml = wechat.text_xml("oPatient", "邻居纠纷找谁调解", msg_id=77002)
    with running_wechat(responder, settings_for(wechat, reply_budget=0.3), db, delay=1.5) as bot:
        first = wechat.post(bot.url, xml, safe=True)
        retries = [wechat.post(bot.url, xml, safe=True) for _ in range(2)]
        sent = wechat.wait_delivered("oPatient", 1)
        after = wechat.post(bot.url, xml, safe=True)  # a retry once it was sent: still nothing twice
        time.sleep(0.5)
    assert first.is_success and all(r.is_success for r in retries) and after.is_success
    assert len(wechat.delivered("oPatient")) == 1
    assert body(sent[0]) == terminal_replies(tmp_path, "邻居纠纷找谁调解")[1]
    assert "回复 1 查看" in sent[0]
    assert logged(db) == [("wechat", "邻居纠纷找谁调解", "neighbour_dispute")]


def test_an_expired_access_token_is_renewed_and_the_message_sent(responder, wechat, tmp_path):
    with running_wechat(responder, settings_for(wechat, reply_budget=0.2), tmp_path / "log.sqlite3", delay=0.6) as bot:
        wechat.post(bot.url, wechat.text_xml("oEarly", "公证怎么办"), safe=True)
        wechat.wait_delivered("oEarly", 1)
        calls_before = len(wechat.token_calls)
        wechat.expire_token()
        reply = wechat.post(bot.url, wechat.text_xml("oLate", "公证怎么办"), safe=True)
        sent = wechat.wait_delivered("oLate", 1)
    attempts = [s for s in wechat.sent if s.touser == "oLate"]
    assert reply.is_success
    assert [a.errcode for a in attempts] == [40001, 0]
    assert attempts[0].access_token != attempts[1].access_token
    assert len(wechat.token_calls) == calls_before + 1
    assert body(sent[0]) == body(wechat.delivered("oEarly")[0])


def test_a_long_answer_is_split_passive_first_then_the_api_in_order(responder, wechat, tmp_path):
    question = "离婚财产怎么分"
    with running_wechat(responder, settings_for(wechat), tmp_path / "whole.sqlite3") as bot:
        whole = wechat.post(bot.url, wechat.text_xml("oWhole", question), safe=True).content
    limit = 300
    with running_wechat(responder, settings_for(wechat, max_text_bytes=limit, max_messages=10), tmp_path / "log.sqlite3") as bot:
        first = wechat.post(bot.url, wechat.text_xml("oReader", question), safe=True)
        rest = wechat.wait_delivered("oReader", 1)
        time.sleep(0.5)
        rest = wechat.delivered("oReader")
    parts = [first.content, *rest]
    assert len(parts) >= 3
    assert all(len(p.encode("utf-8")) <= limit for p in parts)
    assert "".join(parts).replace("\n", "") == whole.replace("\n", "")
    assert "回复 1 查看" not in parts[0] and parts[-1].endswith("回复“菜单”回到主菜单。")  # the choices come last


async def test_mounted_at_wechat_the_exact_path_is_served_without_a_redirect(responder, wechat):
    settings = settings_for(wechat, safe=False)
    app = wechat_app(Conversation(responder), settings)
    outer = Starlette(routes=wechat_routes(app))
    query = wechat.signed_query(echostr="hello")
    xml = wechat.event_xml("oMounted", "subscribe")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(outer), base_url="http://bot") as client:
        verified = await client.get("/wechat", params=query)
        exact = await client.post("/wechat", params=wechat.signed_query(), content=xml.encode())
        slash = await client.post("/wechat/", params=wechat.signed_query(), content=xml.replace("<CreateTime>", "<CreateTime>1").encode())
    await app.state.wechat.close()
    assert (verified.status_code, verified.text) == (200, "hello")
    assert exact.status_code == 200 and "回复 1 查看“法律援助”" in exact.text
    assert slash.status_code == 200 and "回复 1 查看“法律援助”" in slash.text


def test_settings_from_the_environment_reach_the_api(responder, wechat, tmp_path):
    """WECHAT_API_BASE_URL and the credentials as `legalbot serve` reads them, used for a real send."""
    env = {
        "LEGALBOT_ENV_FILE": "/dev/null",
        "LEGALBOT_WECHAT_TOKEN": fake_wechat.TOKEN,
        "LEGALBOT_WECHAT_APPID": fake_wechat.APPID,
        "LEGALBOT_WECHAT_SECRET": fake_wechat.SECRET,
        "LEGALBOT_WECHAT_AES_KEY": fake_wechat.AES_KEY,
        "WECHAT_API_BASE_URL": wechat.base_url + "/",
    }
    settings = WeChatSettings.from_env(env)
    assert settings is not None and settings.safe_mode and settings.api_base_url == wechat.base_url
    slow = dataclasses.replace(settings, reply_budget=0.1)
    with running_wechat(responder, slow, tmp_path / "log.sqlite3", delay=0.4) as bot:
        assert wechat.post(bot.url, wechat.text_xml("oFromEnv", "法律咨询"), safe=True).is_success
        assert wechat.wait_delivered("oFromEnv", 1)


def test_the_access_token_is_fetched_at_start_and_renewed_before_it_expires(responder, tmp_path):
    with FakeWeChat(expires_in=2) as short_lived:
        settings = settings_for(short_lived, token_refresh_margin=1.0)
        with running_wechat(responder, settings, tmp_path / "log.sqlite3"):
            deadline = time.monotonic() + 10
            while len(short_lived.token_calls) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
    assert len(short_lived.token_calls) >= 2



def test_a_number_sent_right_behind_a_slow_question_picks_from_its_answer(responder, wechat, tmp_path):
    """WeChat delivers a resident's messages independently; the second waits for the first's turn."""
    with running_wechat(responder, settings_for(wechat, reply_budget=0.2), tmp_path / "log.sqlite3", delay=0.5) as bot:
        with ThreadPoolExecutor(2) as pool:
            question = pool.submit(wechat.post, bot.url, wechat.text_xml("oQuick", "法律援助怎么申请"), True)
            time.sleep(0.05)
            choice = pool.submit(wechat.post, bot.url, wechat.text_xml("oQuick", "2"), True)
            assert question.result().is_success and choice.result().is_success
        answers = wechat.wait_delivered("oQuick", 2)
    assert [body(a) for a in answers] == terminal_replies(tmp_path, "法律援助怎么申请", "2")[1:]
