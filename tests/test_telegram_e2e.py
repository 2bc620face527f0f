"""End to end: the real `legalbot run` process against a stand-in Bot API on 127.0.0.1.

One bot process serves the whole module (it starts in a few seconds); each test talks as its own
users, so tests don't see each other's messages. Assertions are on what users receive — the
requests the bot makes to the Bot API — and on the inquiry log as `legalbot inquiries export`
shows it. The last test stops the bot with SIGTERM.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .fake_bot_api import TOKEN, FakeBotAPI

from .conftest import ROOT, run_cli

pytestmark = pytest.mark.timeout(120)

MENU_SERVICES = ("法律援助", "调解", "行政复议", "公证")
PHONE = "13812345678"
ID_CARD = "110101199003071234"


def bot_env(api: FakeBotAPI, db: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and not k.startswith(("LEGALBOT_", "TELEGRAM_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        LEGALBOT_DB=str(db),
        LEGALBOT_ENV_FILE=os.devnull,
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def start_bot(api: FakeBotAPI, db: Path, log: Path, *args: str, **env: str) -> subprocess.Popen:
    """`legalbot run` as a subprocess; returns once it is about to long-poll (webhook deleted)."""
    started = len(api.calls_of("deleteWebhook"))  # a stand-in shared by several bots counts each start
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", *args],
        env=bot_env(api, db, **env),
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        api.wait_for(lambda: len(api.calls_of("deleteWebhook")) > started or process.poll() is not None, timeout=30, what="the bot to start")
    except AssertionError:
        process.kill()
        raise
    assert process.poll() is None, log.read_text()
    return process


def export(db: Path) -> list[dict]:
    result = run_cli("inquiries", "export", "--db", str(db), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def bot(api, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bot")
    db, log = folder / "inquiries.sqlite3", folder / "bot.log"
    process = start_bot(api, db, log)
    yield {"process": process, "db": db, "log": log}
    if process.poll() is None:
        process.kill()
        process.wait()


def feedback_buttons(call) -> dict[str, str]:
    return {b["text"]: b["callback_data"] for b in call.buttons if b["callback_data"].startswith("fb:")}


# ---- what a resident sees ----------------------------------------------------------------------


def test_commands_are_registered_with_telegram(api, bot):
    commands = api.wait_for(lambda: api.calls_of("setMyCommands"), what="setMyCommands")[0].params["commands"]
    names = {c["command"] for c in commands}
    assert {"help", "menu", "deadline", "eligibility"} <= names
    assert all(c["description"] for c in commands)


def test_start_shows_the_menu_and_each_service_button_answers_with_its_guidance(api, bot):
    api.send_text(101, "/start")
    menu = api.wait_message(101)
    assert "您好" in menu.text
    labels = {b["text"]: b["callback_data"] for b in menu.buttons}
    for service in MENU_SERVICES:
        label = next((text for text in labels if service in text), None)
        assert label, f"no menu button for {service}: {list(labels)}"
        before = len(api.sent(101))
        query_id = api.press(101, menu, labels[label])["callback_query"]["id"]
        answer = api.wait_message(101, after=before)
        assert service in answer.text, answer.text[:200]
        assert feedback_buttons(answer), "guidance comes with 👍/👎"
        assert query_id in {c.params["callback_query_id"] for c in api.calls_of("answerCallbackQuery")}


def test_help_and_menu_commands_show_the_menu(api, bot):
    for n, command in enumerate(("/help", "/menu")):
        api.send_text(102, command)
        reply = api.wait_message(102, after=n)
        assert any("法律援助" in b["text"] for b in reply.buttons)


def test_a_question_gets_guidance_with_feedback_and_thumbs_up_is_recorded(api, bot):
    api.send_text(103, "公司拖欠我三个月工资不给，我想申请法律援助")
    answer = api.wait_message(103)
    assert "法律援助" in answer.text
    assert answer.params["parse_mode"] == "HTML"
    buttons = feedback_buttons(answer)
    up = next(data for text, data in buttons.items() if "👍" in text)
    assert any("👎" in text for text in buttons)
    acks_before = len(api.calls_of("answerCallbackQuery"))
    api.press(103, answer, up)
    ack = api.wait_for(lambda: api.calls_of("answerCallbackQuery")[acks_before:], what="the 👍 to be acknowledged")[0]
    assert ack.params.get("text"), "a short thank-you toast"
    inquiry_id = int(up.rsplit(":", 1)[1])
    record = api.wait_for(lambda: next((r for r in export(bot["db"]) if r["id"] == inquiry_id and r["feedback"]), None), what="feedback in the log")
    assert record["feedback"] == "up" and record["channel"] == "telegram"
    assert record["user"] != "103", "the raw Telegram id is never stored"


def test_no_match_gets_the_polite_fallback_naming_12348_and_the_menu(api, bot):
    api.send_text(104, "请问火星上的天气预报在哪里看")
    reply = api.wait_message(104)
    assert "12348" in reply.text
    assert any("法律援助" in b["text"] for b in reply.buttons)


def test_emergency_is_answered_with_110_first(api, bot):
    api.send_text(105, "我老公正在打我，还拿着刀，想离婚")
    first = api.wait_message(105)
    assert "110" in first.text.split("\n", 1)[0], first.text[:120]


def test_non_text_messages_get_a_note_that_the_bot_reads_text(api, bot):
    for n, send in enumerate((api.send_sticker, api.send_photo, api.send_voice, api.send_document)):
        send(106)
        note = api.wait_message(106, after=n)
        assert "文字" in note.text


def test_a_6000_character_message_is_answered_within_telegram_limits(api, bot):
    text = "我想咨询法律援助怎么申请。" + "情况是这样的，" * 1000
    assert len(text) >= 6000
    api.send_text(107, text[:6000])
    api.wait_sent(107, 1)
    time.sleep(0.3)  # any further parts of the same answer
    assert all(len(c.text) <= 4096 for c in api.sent())


def test_html_in_questions_is_escaped_not_interpreted(api, bot):
    api.send_text(108, "<b>法律援助</b> & 怎么申请")
    reply = api.wait_message(108)
    assert reply.status == 200 and reply.params["parse_mode"] == "HTML"


def test_phone_and_id_numbers_never_reach_the_log_or_the_export(api, bot):
    api.send_text(109, f"我的电话{PHONE}，身份证{ID_CARD}，老板拖欠工资不给怎么办")
    api.wait_message(109)
    record = api.wait_for(lambda: next((r for r in export(bot["db"]) if "老板拖欠工资不给怎么办" in r["text"]), None), what="the inquiry")
    assert PHONE not in record["text"] and ID_CARD not in record["text"]
    assert "[手机号]" in record["text"] and "[身份证号]" in record["text"]
    assert PHONE not in bot["log"].read_text() and ID_CARD not in bot["log"].read_text()


def test_edited_messages_and_channel_posts_are_ignored_without_harm(api, bot):
    original = api.send_text(110, "法律援助怎么申请")["message"]
    api.wait_message(110)
    api.edit_text(110, original, "公证怎么办")
    api.channel_post(-100999, "频道消息 @wanzhou_legal_bot")
    api.send_text(110, "人民调解找谁")
    api.wait_message(110, after=1)
    time.sleep(0.2)
    assert len(api.sent(110)) == 2, "the edit was not answered again"
    assert not api.sent(-100999)
    assert bot["process"].poll() is None


def test_in_groups_only_messages_addressed_to_the_bot_are_answered(api, bot):
    group = -100111
    api.group_text(111, group, "大家好，今天谁去办公证")  # not for the bot
    api.group_text(111, group, "@wanzhou_legal_bot 公证怎么办")
    reply = api.wait_message(group)
    assert "公证" in reply.text
    assert reply.params["reply_parameters"]["message_id"], "quotes the question it answers"
    api.group_text(111, group, "法律援助呢", reply_to=reply.result)  # a reply to the bot counts too
    api.group_text(112, group, "/menu@wanzhou_legal_bot")
    api.wait_sent(group, 3)
    time.sleep(0.2)
    assert len(api.sent(group)) == 3


def test_flow_commands_and_buttons_reach_the_guided_flows(api, bot):
    api.send_text(118, "/deadline")
    start = api.wait_message(118)
    choice = next(b for b in start.buttons if b["callback_data"].startswith("flow:deadline:") and "行政复议" in b["text"])
    api.press(118, start, choice["callback_data"])
    asks_date = api.wait_message(118, after=1)
    assert "2025-08-02" in asks_date.text, asks_date.text
    api.send_text(118, "2025年8月2日")
    result = api.wait_message(118, after=2)
    assert "2025年10月9日" in result.text, result.text[:200]
    api.send_text(119, "/eligibility")
    assert any(b["callback_data"].startswith("flow:eligibility:") for b in api.wait_message(119).buttons)


def test_a_429_is_retried_after_retry_after_and_delivered_once(api, bot):
    api.fail_with_429(chat_id=113, retry_after=1)
    api.send_text(113, "行政复议怎么申请")
    reply = api.wait_message(113, timeout=15)
    attempts = [c for c in api.calls_of("sendMessage") if c.chat_id == 113]
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 1.0
    assert "行政复议" in reply.text


def test_a_user_who_blocked_the_bot_does_not_stop_it_answering_others(api, bot):
    api.block_chat(114)
    api.send_text(114, "法律援助怎么申请")
    api.wait_for(lambda: [c for c in api.calls_of("sendMessage") if c.chat_id == 114 and c.status == 403], what="the 403")
    api.send_text(115, "法律援助怎么申请")
    assert "法律援助" in api.wait_message(115).text
    assert bot["process"].poll() is None


def test_a_flooding_user_gets_one_note_and_does_not_starve_others(api, bot):
    for n in range(40):
        api.send_text(116, f"法律援助{n}")
    api.send_text(117, "公证怎么办")
    assert "公证" in api.wait_message(117, timeout=15).text
    api.wait_for(lambda: any("太快" in c.text for c in api.sent(116)), what="the flood note")
    time.sleep(1.0)
    sent = api.sent(116)
    assert sum("太快" in c.text for c in sent) == 1
    assert 15 <= len(sent) - 1 <= 25, "a burst was answered, the excess dropped"


def test_400_messages_from_40_users_are_all_answered_exactly_once(api, bot):
    questions = ("法律援助怎么申请", "邻居纠纷找谁调解", "行政复议怎么申请", "公证处在哪里", "老板拖欠工资怎么办")
    users = range(5000, 5040)
    texts = {}
    for round_ in range(10):
        for user in users:
            text = f"{questions[(user + round_) % len(questions)]}（{user}-{round_}）"
            texts[text] = user
            api.send_text(user, text)
    api.wait_for(lambda: sum(len(api.sent(u)) for u in users) >= 400, timeout=40, what="400 answers")
    time.sleep(0.5)
    for user in users:
        answers = api.sent(user)
        ids = [feedback_buttons(c)["👍 有帮助"] for c in answers if feedback_buttons(c)]
        assert len(answers) == 10 and len(set(ids)) == 10, f"user {user}: {len(answers)} answers"
    logged = [r["text"] for r in export(bot["db"]) if r["text"] in texts]
    assert sorted(logged) == sorted(texts), "each message logged exactly once"


def test_sigterm_exits_0_and_everything_fetched_is_answered_once_by_the_next_start_at_the_latest(api, bot, tmp_path):
    texts = [f"法律援助怎么申请（终{n}）" for n in range(20)]
    last = None
    for n, text in enumerate(texts):
        last = api.send_text(6000 + n, text)["update_id"]
    api.wait_for(
        lambda: any(u["update_id"] == last for c in api.calls_of("getUpdates") for u in (c.result or [])),
        what="the bot to fetch the updates",
    )
    bot["process"].send_signal(signal.SIGTERM)
    assert bot["process"].wait(30) == 0, bot["log"].read_text()[-2000:]
    assert "Traceback" not in bot["log"].read_text()
    # Fetched at the signal but not yet handed to PTB: kept in the intake, answered at the next start.
    again = start_bot(api, bot["db"], tmp_path / "again.log")
    try:
        api.wait_for(lambda: all(api.sent(6000 + n) for n in range(20)), what="every fetched message answered")
        time.sleep(0.5)
    finally:
        again.send_signal(signal.SIGTERM)
        assert again.wait(30) == 0
    assert all(len(api.sent(6000 + n)) == 1 for n in range(20)), "answered once"
    logged = [r["text"] for r in export(bot["db"]) if r["text"] in texts]
    assert sorted(logged) == sorted(texts)
