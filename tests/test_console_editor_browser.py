"""The inbox and the knowledge editor in a real browser (Debian's Chromium driven by Playwright),
against a real `legalbot console` and a real `legalbot web` on one SQLite log: accepting an inbox
cluster is then answered by the web chat; an edit with a mistake shows the Chinese error and is
refused; a good edit shows the evaluation before and after and reaches residents; one click on
the history restores the answer. Screenshots go to the test's folder and to /tmp/console-shots/."""

from __future__ import annotations

import asyncio
import re
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from bot.core.knowledge import load_knowledge
from bot.core.responder import Responder
from bot.core.session import Session
from bot.flows import all_flows
from bot.store import open_store

from .browser import browser, shot  # noqa: F401 - the fixtures: Chromium, console screenshots
from .conftest import INTENTS, run_cli
from .web_server import running_web

DESK = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
WAIT_MS = 30_000
FOLLOW_SECONDS = 30  # a save reaches the other process within the sync interval and a reload
PASSWORD = "eve-password-1"
DRAFTING = ("起诉状谁能帮我写", "起诉状哪个帮我写嘛", "谁帮忙写起诉状")
NEW_LINE = "人民调解完全免费，调解员帮双方把话说开。"


async def seed(db: Path, folder: Path) -> None:
    store = await open_store(str(db))
    responder = Responder(load_knowledge(folder), all_flows())
    for n, text in enumerate(DRAFTING):
        await store.log("web", f"居民{n}", text, responder.respond(text, Session()))
    await store.close()


@pytest.fixture
def servers(tmp_path: Path):
    folder = tmp_path / "intents"
    shutil.copytree(INTENTS, folder)
    db = tmp_path / "inquiries.sqlite3"
    with ThreadPoolExecutor(1) as thread:  # Playwright's sync API owns this thread's event loop
        thread.submit(asyncio.run, seed(db, folder)).result()
    added = run_cli("users", "add", "eve", "--role", "editor", "--password-stdin", "--db", str(db), stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    with running_web(db, tmp_path / "console.log", "--intents", str(folder), command="console", ready="/healthz") as console, \
            running_web(db, tmp_path / "web.log", "--intents", str(folder)) as web:
        yield console, web


def log_in(browser, base: str):  # noqa: F811 - the fixture's browser
    page = browser.new_page(viewport=DESK, locale="zh-CN")
    page.goto(base + "/console/login")
    page.fill("input[name=username]", "eve")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/console/$"), timeout=WAIT_MS)
    return page


def web_answer(base: str, question: str) -> str:
    with httpx.Client(base_url=base, timeout=30) as client:
        return client.post("/api/message", json={"text": question}).json()["answer"]["text"]


def wait_for_answer(base: str, question: str, expected: str) -> None:
    """Until the web chat (another process) answers ``question`` with ``expected`` in the text."""
    deadline = time.monotonic() + FOLLOW_SECONDS
    while expected not in web_answer(base, question):
        assert time.monotonic() < deadline, f"the web chat never answered {question!r} with {expected!r}"
        time.sleep(0.5)


def ask_in_browser(browser, base: str, question: str) -> str:  # noqa: F811
    page = browser.new_page(viewport=PHONE, locale="zh-CN")
    page.goto(base + "/")
    page.wait_for_selector("body[data-ready]", timeout=WAIT_MS)
    page.get_by_label("输入您的问题").fill(question)
    page.keyboard.press("Enter")
    answer = page.locator("#messages li.bot.answer").last
    answer.wait_for(timeout=WAIT_MS)
    text = answer.locator(".bubble").inner_text()
    page.close()
    return text


def test_accepting_an_inbox_cluster_is_answered_by_the_web_chat(browser, servers, shot) -> None:  # noqa: F811
    console, web = servers
    consultation = load_knowledge(INTENTS)["legal_consultation"].summary.splitlines()[0]
    assert consultation not in web_answer(web.base, DRAFTING[0])

    page = log_in(browser, console.base)
    page.click("nav >> text=收件箱")
    cluster = page.locator("section.cluster").first
    assert "起诉状谁能帮我写" in cluster.inner_text() and "未能回答" in cluster.inner_text()
    shot(page, "k2-01-inbox")
    cluster.get_by_role("link", name="处理这一组").click()
    assert page.locator("input[name=ids]:checked").count() == len(DRAFTING) + 1  # and the web chat's unanswered try above
    assert page.locator(".turns .this").first.inner_text() in DRAFTING
    page.fill("#intent", "legal_consultation")
    page.fill("#text", "我叫张三，起诉状谁能帮我写")
    page.wait_for_selector("#stored-as:has-text('我叫[姓名]，起诉状')", timeout=WAIT_MS)  # the page's CSP forbids eval
    shot(page, "k2-02-cluster")
    page.click("button[value=teach]")
    page.wait_for_selector("h1:has-text('已处理')", timeout=WAIT_MS)
    body = page.inner_text("main")
    assert "我叫[姓名]，起诉状谁能帮我写" in body and "张三" not in body
    assert "评测：修改前 → 修改后" in body
    shot(page, "k2-03-accepted")

    wait_for_answer(web.base, DRAFTING[0], consultation)
    assert consultation in ask_in_browser(browser, web.base, DRAFTING[0])

    # The accepted questions left the inbox (the web chat's tries while it reloaded may be there).
    page.goto(console.base + "/console/inbox")
    assert DRAFTING[1] not in page.inner_text("main")
    page.locator("tr:has-text('加为例句')").get_by_role("button", name="撤销").click()
    page.wait_for_selector("text=回到了收件箱", timeout=WAIT_MS)
    assert DRAFTING[1] in page.inner_text("main")
    shot(page, "k2-04-undone")


def test_a_mistake_is_refused_a_good_edit_is_evaluated_and_revert_restores_the_answer(browser, servers, shot) -> None:  # noqa: F811
    console, web = servers
    original = load_knowledge(INTENTS)["mediation"].summary.splitlines()[0]
    question = "人民调解要收费吗"
    assert original in web_answer(web.base, question)

    page = log_in(browser, console.base)
    page.goto(console.base + "/console/knowledge")
    page.fill("#intent-filter", "调解")
    page.click("a:has-text('人民调解')")
    page.wait_for_selector("#preview .bubble", timeout=WAIT_MS)
    buttons = page.locator("#f-buttons")
    buttons.fill(buttons.input_value() + "\nflow：deadline")
    page.wait_for_selector("#problems .problem.error:has-text('全角冒号')", timeout=WAIT_MS)
    assert "【按钮】" in page.inner_text("#problems")
    shot(page, "k2-05-mistake-shown")
    page.click("#save")
    page.wait_for_selector(".refused", timeout=WAIT_MS)
    assert "保存被拒绝" in page.inner_text(".refused") and "全角冒号" in page.inner_text(".refused")
    shot(page, "k2-06-mistake-refused")

    page.goto(console.base + "/console/knowledge/intent/mediation")
    summary = page.locator("#f-summary")
    summary.fill(summary.input_value().replace(original, NEW_LINE, 1))
    page.wait_for_selector(f"#preview .bubble:has-text('{NEW_LINE}')", timeout=WAIT_MS)
    page.fill("#try-question", question)
    page.click("#try-form button")
    page.wait_for_selector("#try-result p.done:has-text('人民调解')", timeout=WAIT_MS)
    shot(page, "k2-07-draft-preview")
    page.click("#save")
    page.wait_for_selector("h1:has-text('已保存为第')", timeout=WAIT_MS)
    saved = page.inner_text("main")
    assert "评测：修改前 → 修改后" in saved and "准确率" in saved
    assert re.search(r"准确率 \d+\.\d% → \d+\.\d%", saved)
    assert NEW_LINE in page.inner_text("pre.diff")
    shot(page, "k2-08-saved-evaluation")

    wait_for_answer(web.base, question, NEW_LINE)
    assert NEW_LINE in ask_in_browser(browser, web.base, question)

    page.click("a:has-text('修改历史')")
    rows = page.locator("tbody tr")
    assert rows.count() == 2  # the folder as it was, then the edit
    shot(page, "k2-09-history")
    rows.nth(1).get_by_role("button", name="恢复到这一版").click()
    page.wait_for_selector("h1:has-text('已保存为第 3 版')", timeout=WAIT_MS)
    shot(page, "k2-10-reverted")
    wait_for_answer(web.base, question, original)
    assert original in ask_in_browser(browser, web.base, question)

    page.goto(console.base + "/console/audit")
    audit = page.inner_text("main")
    assert "修改知识库" in audit and "恢复知识库版本" in audit
