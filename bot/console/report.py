"""The monthly report: the month's figures and charts (`dashboard.figures`), the questions asked
most, and what was changed in the knowledge and by whom (the audit log), as one printable HTML page.

`legalbot report --month 2026-11` writes it as a file that stands alone (its CSS and chart script
inlined, so it opens and prints anywhere, offline); the console serves the same page with linked
assets (its content-security policy allows no inline script). Printing it from the browser ("存为
PDF") gives the PDF: no PDF library here draws Chinese without a CJK font the install would have to
bring, and the browser already has one.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from typing import Any

from jinja2 import Environment

from ..core.knowledge import Knowledge
from ..core.normalise import clean_text
from ..store.base import now
from ..store.sql import SQLStore
from . import audit
from .dashboard import Period, dashboard, title_of

TOP_QUESTIONS = 10
KNOWLEDGE_CHANGES = 200  # listed in full up to this many; the audit log has the rest


@dataclass(frozen=True)
class TopQuestion:
    text: str
    topic: str
    count: int


async def top_questions(store: SQLStore, knowledge: Knowledge, period: Period, limit: int = TOP_QUESTIONS) -> list[TopQuestion]:
    """The questions asked most often in the period (redacted, as stored; the same words however
    punctuated or spaced count as one), each with what the bot took it for."""
    rows = await store.select(
        "SELECT text, intent FROM inquiries WHERE time >= ? AND time < ?",
        store.dialect.day_start(period.since),
        store.dialect.day_start(period.until + dt.timedelta(days=1)),
    )
    counts: Counter[str] = Counter()
    first: dict[str, tuple[str, str | None]] = {}
    for row in rows:
        key = clean_text(row["text"]) or row["text"]
        counts[key] += 1
        first.setdefault(key, (" ".join(row["text"].split()), row["intent"]))
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [TopQuestion(first[key][0], title_of(knowledge, first[key][1]), n) for key, n in ranked]


async def report_context(store: SQLStore, knowledge: Knowledge, period: Period, top: int = TOP_QUESTIONS) -> dict[str, Any]:
    changes = [e for e in await audit.entries(store, period.since, period.until) if e.changes_knowledge]
    return {
        "title": f"{period.since.year}年{period.since.month}月咨询情况报告" if period == Period.month(period.since) else f"{period.since} 至 {period.until} 咨询情况报告",
        "data": await dashboard(store, knowledge, period),
        "questions": await top_questions(store, knowledge, period, top),
        "changes": sorted(changes, key=lambda e: e.id)[:KNOWLEDGE_CHANGES],
        "more_changes": max(0, len(changes) - KNOWLEDGE_CHANGES),
        "generated": now().strftime("%Y-%m-%d %H:%M"),
    }


def inline_assets() -> dict[str, str]:
    """The console's CSS and chart script as text, for a report file that needs no server."""
    folder = resources.files(__package__) / "static"
    return {"css": (folder / "console.css").read_text(encoding="utf-8"), "js": (folder / "charts.js").read_text(encoding="utf-8")}


def render_report(templates: Environment, context: dict[str, Any], base: str | None = None) -> str:
    """The report page: with ``base`` (the console's path) its assets are linked, else inlined."""
    assets = inline_assets() if base is None else {}
    return templates.get_template("report.html").render(base=base, assets=assets, **context)
