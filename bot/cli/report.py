"""`legalbot report`: charts and a Markdown summary of the inquiry log; with ``--month`` the staff
console's printable monthly report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..admin.stats import stats_summary
from ..core.knowledge import KnowledgeError, load_knowledge
from ..errors import UserError
from ..settings import Settings
from ..store.base import InquiryFilter, now
from .common import add_db_option, add_intents_option, intents_dir, with_store
from .inquiries import add_period_options


def _titles(directory: Path) -> dict[str, str]:
    """Intent titles for the summary table; a broken intent folder only costs the titles."""
    try:
        return {intent.id: intent.title for intent in load_knowledge(directory).intents}
    except KnowledgeError as exc:
        print(f"legalbot: note: intent titles left out, the intents do not load:\n{exc}", file=sys.stderr)
        return {}


def month(value: str) -> str:
    from ..console.periods import parse_month  # noqa: PLC0415

    try:
        parse_month(value)
    except UserError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def run_monthly(args: argparse.Namespace, settings: Settings) -> int:
    """``--month``: the printable HTML report of the staff console (`bot.console.report`)."""
    from ..console.monthly import write_monthly_report  # noqa: PLC0415 - Jinja2 only for this command

    if args.since or args.until:
        raise UserError("--month 和 --since/--until 只能选一种")
    out_dir = args.out or Path("reports") / args.month
    knowledge = load_knowledge(intents_dir(args, settings))  # KnowledgeError: file:line, exit 2
    path = with_store(args, lambda store: write_monthly_report(store, knowledge, args.month, out_dir), settings)
    print(f"{path}: 月度报告（用浏览器打开，打印或存为 PDF）")
    return 0


def run_report(args: argparse.Namespace) -> int:
    from ..admin.report import write_report  # noqa: PLC0415 - matplotlib only for this command

    settings = Settings.from_env()
    if args.month:
        return run_monthly(args, settings)
    where = InquiryFilter(since=args.since, until=args.until)
    stats = with_store(args, lambda store: stats_summary(store, where), settings)
    today = now().date()
    report = write_report(stats, args.out or Path("reports") / today.isoformat(), _titles(intents_dir(args, settings)), today)
    print(f"{report.summary}: {stats.total} inquiries; charts: {', '.join(p.name for p in report.charts)}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser(
        "report",
        help="PNG charts (daily volume, per intent, unmatched rate) and a Markdown summary embedding them",
        description="Writes daily_volume.png, intent_volume.png, unmatched_rate.png and report.md into the "
        "output folder (default: reports/YYYY-MM-DD under the working directory, today in Wanzhou time).",
    )
    report.add_argument("--out", type=Path, metavar="DIR", help="output folder (created if missing)")
    report.add_argument(
        "--month", metavar="YYYY-MM", type=month,
        help="the monthly report instead: DIR/report.html (default reports/YYYY-MM/), printable, with charts, the top "
        "questions and the knowledge changes with who made them",
    )
    add_period_options(report)
    add_db_option(report)
    add_intents_option(report)
    report.set_defaults(run=run_report)
