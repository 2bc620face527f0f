"""End to end: admin commands in Telegram (issue 4 §2) through the stand-in Bot API.

The real `legalbot run` serves a temporary copy of `intents/`, so reloads, accepts and broken
edits change only that copy. Admin 900 is in LEGALBOT_ADMIN_IDS; 901 is an ordinary resident.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import time

import pytest

from bot.core.knowledge import load_knowledge

from .conftest import INTENTS
from .fake_bot_api import FakeBotAPI
from .test_telegram_e2e import start_bot

pytestmark = pytest.mark.timeout(120)

ADMIN, RESIDENT = 900, 901
NOT_AVAILABLE = "不对外开放"
UNMATCHED_QUESTION = "捡了个钱包该交给谁"
PHONE = "13912345678"


@pytest.fixture(scope="module")
def bot(api, tmp_path_factory):
    folder = tmp_path_factory.mktemp("admin")
    intents = folder / "intents"
    shutil.copytree(INTENTS, intents)
    db, log = folder / "inquiries.sqlite3", folder / "bot.log"
    process = start_bot(api, db, log, "--intents", str(intents), LEGALBOT_ADMIN_IDS=f"{ADMIN}, 12345")
    yield {"process": process, "intents": intents, "log": log}
    if process.poll() is None:
        process.terminate()
        process.wait(30)


def wait_text(api: FakeBotAPI, chat: int, needle: str, after: int = 0, timeout: float = 15.0):
    """The first message to `chat` (after the first `after`) whose text contains `needle`."""
    return api.wait_for(
        lambda: next((c for c in api.sent(chat)[after:] if needle in c.text), None),
        timeout,
        f"a message to {chat} containing {needle!r}",
    )


def ask(api: FakeBotAPI, user: int, text: str):
    before = len(api.sent(user))
    api.send_text(user, text)
    return api.wait_message(user, after=before)


def test_admin_commands_are_listed_for_admins_only(api, bot):
    scoped = api.wait_for(lambda: [c for c in api.calls_of("setMyCommands") if c.params.get("scope")], what="admin commands")
    assert {c.params["scope"]["chat_id"] for c in scoped} == {ADMIN, 12345}
    assert {"stats", "unmatched", "reload", "export"} <= {c["command"] for c in scoped[0].params["commands"]}
    default = next(c for c in api.calls_of("setMyCommands") if not c.params.get("scope"))
    assert not {"stats", "export"} & {c["command"] for c in default.params["commands"]}


def test_residents_get_a_polite_not_available_and_nothing_else(api, bot):
    before = len(api.sent(RESIDENT))
    for command in ("/stats", "/unmatched", "/reload", "/export"):
        api.send_text(RESIDENT, command)
    api.wait_sent(RESIDENT, 4, after=before)
    time.sleep(0.5)  # anything more (a chart, a document) would have arrived by now
    sent = api.sent(RESIDENT)[before:]
    assert len(sent) == 4
    assert all(c.method == "sendMessage" and NOT_AVAILABLE in c.text for c in sent)


def test_admin_export_sends_a_csv_document_with_redacted_text(api, bot):
    ask(api, RESIDENT, f"我的电话{PHONE}，老板拖欠工资不给怎么办")
    before = len(api.sent(ADMIN, "sendDocument"))
    api.send_text(ADMIN, "/export")
    document = api.wait_sent(ADMIN, 1, method="sendDocument", after=before)[0]
    filename, content = document.files["document"]
    assert filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    texts = [r["text"] for r in rows]
    assert any("老板拖欠工资不给怎么办" in t for t in texts)
    assert not any(PHONE in t for t in texts) and any("[手机号]" in t for t in texts)


def test_admin_stats_sends_figures_and_a_chart(api, bot):
    ask(api, RESIDENT, "法律援助怎么申请")
    photos_before = len(api.sent(ADMIN, "sendPhoto"))
    texts_before = len(api.sent(ADMIN))
    api.send_text(ADMIN, "/stats")
    summary = wait_text(api, ADMIN, "今天", after=texts_before)
    assert "近7天" in summary.text
    photo = api.wait_sent(ADMIN, 1, method="sendPhoto", after=photos_before, timeout=30)[0]
    assert photo.files["photo"][1].startswith(b"\x89PNG")


def test_unmatched_lists_the_question_and_accept_teaches_the_bot(api, bot):
    ask(api, RESIDENT, UNMATCHED_QUESTION)
    before = len(api.sent(ADMIN))
    api.send_text(ADMIN, "/unmatched")
    listed = wait_text(api, ADMIN, UNMATCHED_QUESTION, after=before)
    accepts = [b for b in listed.buttons if b["callback_data"].startswith("adm:acc:")]
    assert accepts and any(b["callback_data"].startswith("adm:dis:") for b in listed.buttons)
    intent_id = accepts[0]["callback_data"].rsplit(":", 1)[1]

    query_id = api.press(ADMIN, listed, accepts[0]["callback_data"])["callback_query"]["id"]
    api.wait_for(lambda: [c for c in api.calls_of("editMessageText") if "✅" in c.text], timeout=60, what="the accept outcome")
    assert query_id in {c.params["callback_query_id"] for c in api.calls_of("answerCallbackQuery")}
    assert any(UNMATCHED_QUESTION in f.read_text(encoding="utf-8") for f in bot["intents"].glob("*.yaml"))

    expected = load_knowledge(bot["intents"])[intent_id].summary.split("\n", 1)[0]
    assert expected in ask(api, RESIDENT, UNMATCHED_QUESTION).text, "the bot answers that phrasing now"


def test_dismiss_takes_a_question_out_of_the_list(api, bot):
    ask(api, RESIDENT, "火星上的天气预报在哪里看")
    before = len(api.sent(ADMIN))
    api.send_text(ADMIN, "/unmatched")
    listed = wait_text(api, ADMIN, "火星上的天气预报在哪里看", after=before)
    dismiss = next(b["callback_data"] for b in listed.buttons if b["callback_data"].startswith("adm:dis:"))
    api.press(ADMIN, listed, dismiss)
    api.wait_for(lambda: [c for c in api.calls_of("editMessageText") if "已忽略" in c.text], what="the dismissal")
    before = len(api.sent(ADMIN))
    api.send_text(ADMIN, "/unmatched")
    header = api.wait_message(ADMIN, after=before)
    listed = int(re.search(r"最近 (\d+) 条", header.text).group(1)) if "最近" in header.text else 0
    api.wait_sent(ADMIN, 1 + listed, after=before)
    assert not any("火星" in c.text for c in api.sent(ADMIN)[before:])


def test_a_resident_pressing_an_admin_button_gets_nothing(api, bot):
    acks = len(api.calls_of("answerCallbackQuery"))
    sent = len(api.sent(RESIDENT))
    fake_message = {"message_id": 1, "date": 0, "chat": {"id": RESIDENT, "type": "private"}, "text": "x"}
    api.press(RESIDENT, fake_message, "adm:dis:1")
    ack = api.wait_for(lambda: api.calls_of("answerCallbackQuery")[acks:], what="the refusal")[0]
    assert NOT_AVAILABLE in ack.params.get("text", "")
    assert len(api.sent(RESIDENT)) == sent


def test_reload_picks_up_an_edit(api, bot):
    legal_aid = bot["intents"] / "legal_aid.yaml"
    original = legal_aid.read_text(encoding="utf-8")
    marker = "【本条已由管理员更新】"
    first_line = load_knowledge(bot["intents"])["legal_aid"].summary.split("\n", 1)[0]
    legal_aid.write_text(original.replace(first_line, marker + first_line, 1), encoding="utf-8")
    before = len(api.sent(ADMIN))
    api.send_text(ADMIN, "/reload")
    assert "✅" in wait_text(api, ADMIN, "重新加载", after=before).text
    assert marker in ask(api, RESIDENT, "法律援助怎么申请").text


def test_intent_files_are_reloaded_automatically_when_they_change(api, bot):
    notarization = bot["intents"] / "notarization.yaml"
    first_line = load_knowledge(bot["intents"])["notarization"].summary.split("\n", 1)[0]
    marker = "【自动更新】"
    notarization.write_text(notarization.read_text(encoding="utf-8").replace(first_line, marker + first_line, 1), encoding="utf-8")
    # An earlier test's edit may still be reloading: ask until this one is served (or time runs out).
    deadline = time.monotonic() + 20
    while marker not in (answer := ask(api, RESIDENT, "公证怎么办").text) and time.monotonic() < deadline:
        time.sleep(1)
    assert marker in answer
    assert "intent files changed: reloaded" in bot["log"].read_text()


def test_a_guidance_longer_than_telegrams_limit_arrives_in_parts_with_buttons_last(api, bot):
    path = bot["intents"] / "enforcement_complaint.yaml"
    original = path.read_text(encoding="utf-8")
    first_line = load_knowledge(bot["intents"])["enforcement_complaint"].summary.split("\n", 1)[0]
    paragraphs = "".join(f"{first_line}\n\n      第{n}段<说明>：" + "执法投诉" * 250 + "\n\n      " for n in range(8))
    try:
        path.write_text(original.replace(first_line, paragraphs + first_line, 1), encoding="utf-8")
        before = len(api.sent(ADMIN))
        api.send_text(ADMIN, "/reload")
        assert "✅" in wait_text(api, ADMIN, "重新加载", after=before).text
        sent_before = len(api.sent(RESIDENT))
        api.send_text(RESIDENT, "执法投诉怎么办")
        parts = api.wait_for(lambda: (m := api.sent(RESIDENT)[sent_before:]) and m[-1].buttons and m, what="the last part")
        assert len(parts) >= 2
        assert all(len(p.text) <= 4096 for p in parts) and all(not p.buttons for p in parts[:-1])
        assert all("&lt;说明&gt;" in p.text for p in parts[:2]), "escaped in every part"
        assert any("👍" in b["text"] for b in parts[-1].buttons)
    finally:
        path.write_text(original, encoding="utf-8")


def test_a_broken_edit_is_reported_with_its_file_and_residents_keep_the_last_good_set(api, bot):
    mediation = bot["intents"] / "mediation.yaml"
    original = mediation.read_text(encoding="utf-8")
    try:
        mediation.write_text(original + "\n  - id: broken\n    title: [unclosed\n", encoding="utf-8")
        before = len(api.sent(ADMIN))
        api.send_text(ADMIN, "/reload")
        report = wait_text(api, ADMIN, "❌", after=before)
        assert "mediation.yaml:" in report.text
        assert "人民调解" in ask(api, RESIDENT, "邻居纠纷找谁调解").text
        assert bot["process"].poll() is None
    finally:
        mediation.write_text(original, encoding="utf-8")


def test_the_bot_logged_no_traceback_and_stops_cleanly(api, bot):
    bot["process"].terminate()
    assert bot["process"].wait(30) == 0
    log = bot["log"].read_text()
    assert "Traceback" not in log, log[-3000:]
