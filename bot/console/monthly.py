"""`legalbot report --month`: the console's monthly report written as one standalone HTML file."""

from __future__ import annotations

from pathlib import Path

from ..core.knowledge import Knowledge
from ..errors import UserError
from ..store.sql import SQLStore
from .app import templates
from .periods import parse_month
from .report import render_report, report_context
from .settings import ConsoleSettings

REPORT_FILE = "report.html"


async def write_monthly_report(store: SQLStore, knowledge: Knowledge, month: str, out_dir: Path) -> Path:
    """Write ``out_dir/report.html`` for ``month`` (``2026-11``); return its path."""
    period = parse_month(month)
    context = await report_context(store, knowledge, period, ConsoleSettings().top_questions)
    html = render_report(templates(), {**context, "month": month})
    path = out_dir / REPORT_FILE
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"无法把报告写到 {path}：{exc}") from None
    return path
