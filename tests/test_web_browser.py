"""The web chat in a real browser: Debian's Chromium driven by Playwright, at a phone's 360×740,
against the real `legalbot web` process. Screenshots of each state go to the test's folder and
to /tmp/web-shots/ for a person to look at."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.store import open_store

from .browser import browser, keep_shot  # noqa: F401 - the fixture: Chromium
from .web_server import running_web
from .workers import free_port

SHOTS = Path("/tmp/web-shots")
PHONE = {"width": 360, "height": 740}
WAIT_MS = 15_000


def test_a_resident_asks_taps_rates_enlarges_reloads_and_runs_the_deadline_flow(browser, tmp_path: Path) -> None:  # noqa: F811 - the imported fixture
    db = tmp_path / "inquiries.sqlite3"

    def shot(page, name: str) -> None:
        assert page.evaluate("document.scrollingElement.scrollTop") == 0  # only the conversation scrolls; the header stays
        keep_shot(page, tmp_path, name, SHOTS)

    with running_web(db, tmp_path / "web.log", LEGALBOT_RETENTION_DAYS="180") as server:
        page = browser.new_page(viewport=PHONE, device_scale_factor=1, locale="zh-CN")
        page.goto(server.base + "/")
        page.wait_for_selector("body[data-ready]", timeout=WAIT_MS)
        messages = page.locator("#messages")
        assert "记录保存 180 天" in page.locator(".privacy").inner_text()  # before the first message
        assert page.locator('.hotlines a[href="tel:110"]').count() == 1
        assert page.locator('.hotlines a[href="tel:12348"]').count() == 1
        assert page.locator("#messages li.bot .choices button").count() >= 6  # the service menu as chips
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing sideways at 360 px
        shot(page, "01-welcome")

        page.get_by_label("输入您的问题").fill("法律援助怎么申请")
        page.keyboard.press("Enter")
        answer = messages.locator("li.bot.answer").last
        answer.wait_for(timeout=WAIT_MS)
        assert "法律援助" in answer.locator(".bubble").inner_text()
        assert page.get_by_label("输入您的问题").input_value() == ""
        shot(page, "02-answer")

        answer.get_by_role("button", name="在哪里办").click()
        section = messages.locator("li.bot.section").last
        section.wait_for(timeout=WAIT_MS)
        assert "在哪里办" in section.inner_text()
        assert section.locator('a.tel[href="tel:12348"]').count() >= 1  # the hotline in the text is a link
        shot(page, "03-section")

        answer.get_by_role("button", name="有帮助").click()
        answer.get_by_text("谢谢您的肯定").wait_for(timeout=WAIT_MS)
        assert answer.get_by_role("button", name="有帮助").get_attribute("aria-pressed") == "true"

        standard = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.bubble')).fontSize)")
        page.get_by_role("button", name="开启大字模式").click()
        large = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.bubble')).fontSize)")
        assert large >= standard * 1.25
        shot(page, "04-large-text")

        page.reload()
        page.wait_for_selector("body[data-ready]", timeout=WAIT_MS)
        assert page.evaluate("document.documentElement.classList.contains('large')")  # remembered
        said = page.locator("#messages li.user .bubble").all_inner_texts()
        assert [t.replace("您说：", "").strip() for t in said] == ["法律援助怎么申请", "在哪里办"]
        restored = messages.locator("li.bot.answer").last
        assert restored.get_by_role("button", name="有帮助").get_attribute("aria-pressed") == "true"
        shot(page, "05-after-reload")

        page.get_by_role("button", name="标准字号").click()  # back to standard size for the rest
        page.get_by_label("输入您的问题").fill("/deadline")
        page.get_by_role("button", name="发送").click()
        question = messages.locator("li.bot.flow").last
        question.wait_for(timeout=WAIT_MS)
        question.get_by_role("button", name="申请劳动仲裁（1年）").click()
        messages.locator("li.bot.flow").nth(1).wait_for(timeout=WAIT_MS)
        page.get_by_label("输入您的问题").fill("2025-08-02")
        page.keyboard.press("Enter")
        result = messages.locator("li.bot.answer:last-child", has_text="2026年8月3日")
        result.wait_for(timeout=WAIT_MS)
        assert result.locator(".feedback").count() == 1
        shot(page, "06-deadline")

        hostile = '<img src=x onerror="window.__injected=1"><b>粗体</b>'
        page.get_by_label("输入您的问题").fill(hostile)
        page.keyboard.press("Enter")
        messages.locator("li.bot:last-child:not(.typing)").wait_for(timeout=WAIT_MS)
        assert hostile in page.locator("#messages li.user .bubble").last.inner_text()  # shown as typed, as text
        assert page.locator("#messages img, #messages b").count() == 0
        assert page.evaluate("window.__injected") is None
        assert server.stop() == 0

    async def logged():
        store = await open_store(str(db), create=False)
        try:
            return [(i.channel, i.intent, i.feedback) for i in await store.inquiries()]
        finally:
            await store.close()

    with ThreadPoolExecutor(1) as thread:  # Playwright's loop owns this thread
        rows = thread.submit(asyncio.run, logged()).result()
    assert ("web", "legal_aid", "up") in rows and ("web", "labour_dispute", None) in rows


def test_the_embed_snippet_puts_the_chat_on_a_district_page(browser, tmp_path: Path) -> None:  # noqa: F811 - the imported fixture
    # The district page is played by another loopback origin; Chromium asks before a page reaches
    # a loopback address (Local Network Access), which a public site and a public chat never do.
    host = f"http://localhost:{free_port()}"
    with running_web(tmp_path / "inquiries.sqlite3", tmp_path / "web.log", LEGALBOT_WEB_ORIGINS=host) as server:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.grant_permissions(["local-network-access"], origin=host)
        page = context.new_page()
        snippet = f'<!doctype html><meta charset="utf-8"><h1>万州区人民政府</h1><script src="{server.base}/embed.js" async></script>'
        page.route(f"{host}/", lambda route: route.fulfill(body=snippet, content_type="text/html; charset=utf-8"))
        page.goto(f"{host}/")
        page.get_by_role("button", name="法律咨询（万州区公共法律服务在线咨询）").click()
        chat = page.frame_locator('iframe[title="万州区公共法律服务在线咨询"]')
        chat.locator("body[data-ready]").wait_for(timeout=WAIT_MS)
        assert chat.locator("#messages li.bot.menu .choices button").count() >= 6
        keep_shot(page, tmp_path, "07-embedded", SHOTS)
        page.keyboard.press("Escape")
        assert page.locator('iframe[title="万州区公共法律服务在线咨询"]').count() == 0
