"""The dashboard's figures and the monthly report over a real log, on SQLite and PostgreSQL:
Chinese labels (titles, channels, 未匹配), days and hours in Wanzhou time, the top questions, the
knowledge changes from the audit log, the standalone report file, the Chinese CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

from bot.console import audit
from bot.console.dashboard import Period, dashboard
from bot.console.report import report_context
from bot.core.knowledge import Knowledge
from bot.store import open_store
from bot.store.base import ZONE

from .admin_data import reply_for
from .conftest import run_cli

# (moment in Wanzhou, channel, text, intent, feedback)
LOG = (
    ("2026-11-02 08:15", "web", "法律援助怎么申请", "legal_aid", "up"),
    ("2026-11-02 08:40", "wechat", "法律援助怎么申请？", "legal_aid", None),
    ("2026-11-02 23:50", "web", "邻居吵架能调解吗", "mediation", "down"),
    ("2026-11-03 00:10", "telegram", "老板拖欠工资三个月", "wage_arrears", None),
    ("2026-11-03 09:00", "web", "明天天气怎么样", None, None),
    ("2026-10-31 23:59", "web", "上个月的问题", "legal_aid", None),  # outside November
)
NOVEMBER = Period.month(dt.date(2026, 11, 1))


async def fill(db: str) -> None:
    store = await open_store(db)
    for n, (moment, channel, text, intent, feedback) in enumerate(LOG):
        at = dt.datetime.strptime(moment, "%Y-%m-%d %H:%M").replace(tzinfo=ZONE)
        inquiry = await store.log(channel, f"user-{n}", text, reply_for(intent), at=at)
        if feedback:
            await store.set_feedback(inquiry, feedback)
    during = dt.datetime(2026, 11, 20, 10, 0, tzinfo=ZONE)
    await audit.record(store, "ada", "knowledge.save", "legal_aid", {"title": "法律援助"}, {"title": "申请法律援助"}, at=during)
    await audit.record(store, "ada", "login", "控制台", at=during)
    await audit.record(store, "ada", "knowledge.save", "mediation", at=during + dt.timedelta(days=20))  # December
    await store.close()


async def test_figures_carry_titles_channels_and_wanzhou_hours(any_db: str, knowledge: Knowledge) -> None:
    await fill(any_db)
    store = await open_store(any_db)
    try:
        data = await dashboard(store, knowledge, NOVEMBER)
    finally:
        await store.close()
    assert data["period"] == {"since": "2026-11-01", "until": "2026-11-30", "days": 30}
    assert data["totals"]["inquiries"] == 5 and data["totals"]["unmatched"] == 1
    assert (data["totals"]["up"], data["totals"]["down"]) == (1, 1)
    charts = data["charts"]
    per_day = dict(zip(charts["per_day"]["labels"], zip(*(s["values"] for s in charts["per_day"]["series"]))))
    assert per_day["11月2日"] == (3, 0) and per_day["11月3日"] == (1, 1) and per_day["11月1日"] == (0, 0)
    hours = charts["hours"]["series"][0]["values"]
    assert (hours[8], hours[23], hours[0], hours[9]) == (2, 1, 1, 1)  # 00:10 Wanzhou stays at 0时, whatever the server's zone
    services = dict(zip(charts["services"]["labels"], charts["services"]["series"][0]["values"]))
    assert services == {"法律援助": 2, "人民调解": 1}
    topics = dict(zip(charts["topics"]["labels"], charts["topics"]["series"][0]["values"]))
    assert topics == {knowledge["wage_arrears"].title: 1}
    assert dict(zip(charts["channels"]["labels"], charts["channels"]["series"][0]["values"])) == {"网页聊天": 3, "微信公众号": 1, "Telegram": 1}
    labels = json.dumps(data, ensure_ascii=False)
    assert "legal_aid" not in labels and "none" not in labels and "未匹配" in labels


async def test_report_lists_top_questions_and_who_changed_the_knowledge(any_db: str, knowledge: Knowledge) -> None:
    await fill(any_db)
    store = await open_store(any_db)
    try:
        context = await report_context(store, knowledge, NOVEMBER)
    finally:
        await store.close()
    assert context["title"] == "2026年11月咨询情况报告"
    top = context["questions"][0]
    assert (top.text, top.topic, top.count) == ("法律援助怎么申请", "法律援助", 2)  # the same words with a ？ count once
    assert [(e.actor, e.action_name, e.target) for e in context["changes"]] == [("ada", "knowledge.save", "legal_aid")]


def test_report_cli_writes_a_standalone_printable_page(tmp_path: Path) -> None:
    import asyncio

    db = tmp_path / "inquiries.sqlite3"
    asyncio.run(fill(str(db)))
    result = run_cli("report", "--month", "2026-11", "--db", str(db), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "2026年11月咨询情况报告" in page and "问得最多的问题" in page and "知识库的修改" in page
    assert "<script src=" not in page and "<link" not in page  # opens offline, nothing to fetch
    assert "function columns" in page  # the chart script is inlined
    data = json.loads(re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', page, re.S)[1])
    assert data["totals"]["inquiries"] == 5
    both = run_cli("report", "--month", "2026-11", "--since", "2026-11-01", "--db", str(db))
    assert both.returncode == 2 and "只能选一种" in both.stderr


def test_chinese_csv_has_chinese_headers_titles_and_readable_candidates(tmp_path: Path) -> None:
    import asyncio

    db = tmp_path / "inquiries.sqlite3"
    asyncio.run(fill(str(db)))
    result = run_cli("inquiries", "export", "--format", "csv", "--chinese", "--db", str(db))
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["问题（已去除个人信息）"] == "法律援助怎么申请"
    assert rows[0]["回答类别"] == "法律援助" and rows[0]["候选类别"] == "法律援助 90" and rows[0]["评价"] == "有帮助"
    assert rows[0]["渠道"] == "网页聊天" and rows[4]["回答类别"] == "未匹配"
    plain = run_cli("inquiries", "export", "--format", "csv", "--db", str(db))
    assert plain.stdout.startswith("id,time,channel")  # the default stays as programs read it
