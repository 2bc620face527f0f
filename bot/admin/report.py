"""A report an admin can attach to a monthly summary: three PNG charts and a Markdown page embedding them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from ..store.base import now
from .charts import render_daily_chart, render_intent_chart, render_unmatched_chart
from .stats import UNMATCHED, Stats

CHARTS = (
    ("daily_volume.png", "Inquiries per day 每日咨询量", render_daily_chart),
    ("intent_volume.png", "Inquiries per intent 各类咨询量", render_intent_chart),
    ("unmatched_rate.png", "Unmatched rate per day 每日未匹配率", render_unmatched_chart),
)
SUMMARY = "report.md"


@dataclass(frozen=True)
class Report:
    summary: Path
    charts: tuple[Path, ...]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def summary_markdown(stats: Stats, titles: Mapping[str, str], generated: dt.date) -> str:
    days = stats.days
    period = f"{days[0]} – {days[-1]}" if days else "no inquiries yet"
    lines = [
        "# Inquiry report 咨询情况报告",
        "",
        f"Period 统计期间: {period} · generated 生成日期: {generated}",
        "",
        "## Key figures 主要数据",
        "",
        "| | |",
        "|---|---|",
        f"| Inquiries 咨询总数 | {stats.total} |",
        f"| Unmatched 未匹配 | {stats.unmatched} ({stats.unmatched_rate:.1%}) |",
        f"| Feedback 👍 / 👎 | {stats.feedback['up']} / {stats.feedback['down']} |",
    ]
    if days:
        lines.append(f"| Daily average 日均 | {stats.total / len(days):.1f} |")
    if busiest := stats.busiest_day:
        lines.append(f"| Busiest day 最多的一天 | {busiest[0]} ({busiest[1]}) |")
    lines += ["", "## By intent 按咨询类别", "", "| Intent | 名称 | Inquiries | Share |", "|---|---|---:|---:|"]
    for intent, count in stats.by_intent.items():
        title = "未匹配（unmatched）" if intent == UNMATCHED else titles.get(intent, "")
        lines.append(f"| {_cell(intent)} | {_cell(title)} | {count} | {count / stats.total:.1%} |")
    for file_name, caption, _ in CHARTS:
        lines += ["", f"## {caption}", "", f"![{caption}]({file_name})"]
    lines += [
        "",
        "Unmatched and 👎 questions wait in the review queue: `legalbot review suggest` groups them,",
        "`legalbot review accept` turns one into an example of an intent.",
        "",
    ]
    return "\n".join(lines)


def write_report(stats: Stats, out_dir: Path, titles: Mapping[str, str] | None = None, generated: dt.date | None = None) -> Report:
    """Write the charts and ``report.md`` into ``out_dir`` (created if missing); existing files are replaced."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        charts = []
        for file_name, _, render in CHARTS:
            path = out_dir / file_name
            path.write_bytes(render(stats))
            charts.append(path)
        summary = out_dir / SUMMARY
        summary.write_text(summary_markdown(stats, titles or {}, generated or now().date()), encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write the report into {out_dir}: {exc}") from None
    return Report(summary, tuple(charts))
