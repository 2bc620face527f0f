"""The staff console in a real browser (Debian's Chromium driven by Playwright) against a real
`legalbot console` process: log in, a wrong password and a missing CSRF token are refused, a viewer
cannot manage accounts, the dashboard and the monthly report show Chinese labels. Screenshots go to
the test's folder and to /tmp/console-shots/ for a person to look at."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from pathlib import Path

import pytest

from bot.store import open_store
from bot.store.base import now

from .admin_data import reply_for
from .browser import browser, shot  # noqa: F401 - the fixtures: Chromium, console screenshots
from .conftest import run_cli
from .web_server import running_web

DESK = {"width": 1280, "height": 900}
WAIT_MS = 20_000
PASSWORDS = {"ada": "ada-password-1", "vic": "vic-password-1"}
ASKED = (("法律援助怎么申请", "legal_aid", "up"), ("邻居吵架能调解吗", "mediation", None), ("老板拖欠工资", "wage_arrears", "down"), ("今天天气", None, None))


async def fill(db: Path) -> None:
    store = await open_store(str(db))
    today = now().replace(hour=10, minute=0, second=0)
    for day in range(5):
        for n, (text, intent, feedback) in enumerate(ASKED[: 4 - day % 2]):
            inquiry = await store.log("web" if n % 2 else "wechat", f"u{day}{n}", text, reply_for(intent), at=today - dt.timedelta(days=day, hours=n))
            if feedback:
                await store.set_feedback(inquiry, feedback)
    await store.close()


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("console-browser")
    db = folder / "inquiries.sqlite3"
    asyncio.run(fill(db))
    for name, role in (("ada", "admin"), ("vic", "viewer")):
        result = run_cli("users", "add", name, "--role", role, "--password-stdin", "--db", str(db), stdin=PASSWORDS[name] + "\n")
        assert result.returncode == 0, result.stderr
    with running_web(db, folder / "console.log", command="console", ready="/healthz") as server:
        yield server


def sign_in(page, base: str, name: str, password: str) -> None:
    page.goto(base + "/console/")
    page.get_by_label("账号").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_admin_logs_in_to_a_dashboard_in_chinese_and_opens_the_monthly_report(browser, console, shot) -> None:  # noqa: F811
    page = browser.new_page(viewport=DESK, locale="zh-CN")
    sign_in(page, console.base, "ada", "wrong-password-0")
    assert page.get_by_role("alert").inner_text() == "账号或密码不对。"
    assert page.get_by_label("账号").input_value() == "ada" and page.get_by_label("密码").input_value() == ""
    shot(page, "01-wrong-password")

    sign_in(page, console.base, "ada", PASSWORDS["ada"])
    page.wait_for_selector("body[data-charts-drawn]", timeout=WAIT_MS)
    assert page.locator("h1").inner_text() == "仪表盘"
    assert page.locator(".whoami").inner_text().startswith("ada（管理员）")
    services = page.locator('figure[data-chart="services"] svg')
    assert "法律援助" in services.get_attribute("aria-label") and "人民调解" in services.get_attribute("aria-label")
    assert "法律援助" in services.locator("text").all_text_contents()
    channels = page.locator('figure[data-chart="channels"] svg').locator("text").all_text_contents()
    assert "网页聊天" in channels and "微信公众号" in channels
    assert page.locator('figure[data-chart="per_day"] svg rect').count() >= 5
    body = page.locator("main").inner_text()
    assert "未匹配" in body and "legal_aid" not in body and "none" not in body.split()
    shot(page, "02-dashboard")

    page.get_by_role("link", name="报告与导出").click()
    page.get_by_role("button", name="生成月度报告").click()
    page.wait_for_selector("body[data-charts-drawn]", timeout=WAIT_MS)
    assert "咨询情况报告" in page.locator("h1").inner_text()
    assert page.get_by_role("button", name="打印 / 存为 PDF").is_visible()
    assert "法律援助怎么申请" in page.locator("main").inner_text()  # the top questions
    shot(page, "03-monthly-report")
    pdf = page.pdf()  # what 存为 PDF gives: Chromium prints it with the charts
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000

    page.goto(console.base + "/console/audit")
    assert "登录失败" in page.locator("table.audit").inner_text() and "查看月度报告" in page.locator("table.audit").inner_text()
    shot(page, "04-audit")


def test_a_post_without_its_csrf_token_is_refused(browser, console, shot) -> None:  # noqa: F811
    page = browser.new_page(viewport=DESK, locale="zh-CN")
    sign_in(page, console.base, "ada", PASSWORDS["ada"])
    page.wait_for_selector("body[data-charts-drawn]", timeout=WAIT_MS)
    page.goto(console.base + "/console/users")
    form = page.locator("form.stack")
    form.get_by_label("账号名").fill("mallory")
    form.get_by_label("密码（至少 10 个字符）").fill("mallory-password")
    form.locator('input[name="csrf_token"]').evaluate("input => input.remove()")
    form.get_by_role("button", name="创建").click()
    assert "CSRF" in page.get_by_role("alert").inner_text()
    shot(page, "05-missing-csrf")
    page.goto(console.base + "/console/users")
    assert "mallory" not in page.locator("table").inner_text()


def test_a_viewer_sees_the_dashboard_but_cannot_manage_accounts(browser, console, shot) -> None:  # noqa: F811
    page = browser.new_page(viewport=DESK, locale="zh-CN")
    sign_in(page, console.base, "vic", PASSWORDS["vic"])
    page.wait_for_selector("body[data-charts-drawn]", timeout=WAIT_MS)
    assert page.get_by_role("link", name="账号管理").count() == 0
    page.goto(console.base + "/console/users")
    assert page.get_by_role("alert").inner_text() == "您的账号是查看员，这里需要管理员或更高权限。"
    shot(page, "06-viewer-refused")
    page.goto(console.base + "/console/")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(re.compile(r"/console/login$"), timeout=WAIT_MS)
    assert page.get_by_role("heading", name="工作人员登录").is_visible()
    page.goto(console.base + "/console/")
    assert page.get_by_role("heading", name="工作人员登录").is_visible()  # the session is over
