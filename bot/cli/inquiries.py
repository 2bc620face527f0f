"""`legalbot inquiries list|export|stats|purge|migrate`: read, prune and move the inquiry log."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
from pathlib import Path

from ..admin.export import FORMATS, export
from ..admin.stats import format_stats, stats_summary
from ..errors import UserError
from ..settings import MAX_RETENTION_DAYS
from ..store.base import FEEDBACK_VALUES, Inquiry, InquiryFilter
from .common import add_db_option, add_intents_option, db_path, knowledge_from, print_json, truncate, with_store

TEXT_COLUMNS = 48


def day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {value!r}") from None


def positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return int(value)


def days(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_RETENTION_DAYS:
        raise argparse.ArgumentTypeError(f"expected a whole number of days from 0 to {MAX_RETENTION_DAYS}, got {value!r}")
    return int(value)


def add_period_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", type=day, metavar="DATE", help="from this day on (YYYY-MM-DD, Wanzhou time)")
    parser.add_argument("--until", type=day, metavar="DATE", help="up to and including this day (YYYY-MM-DD)")


def add_filter_options(parser: argparse.ArgumentParser) -> None:
    add_period_options(parser)
    parser.add_argument("--intent", metavar="ID", help="only inquiries answered with this intent")
    parser.add_argument("--unmatched", action="store_true", help="only inquiries no intent answered")
    parser.add_argument("--feedback", choices=FEEDBACK_VALUES, help="only inquiries with this 👍 (up) / 👎 (down) feedback")
    parser.add_argument("--limit", type=positive, metavar="N", help="at most N inquiries")


def filter_from(args: argparse.Namespace, **order: bool) -> InquiryFilter:
    return InquiryFilter(
        since=args.since,
        until=args.until,
        intent=getattr(args, "intent", None),
        unmatched=getattr(args, "unmatched", False),
        feedback=getattr(args, "feedback", None),
        limit=getattr(args, "limit", None),
        **order,
    )


def _table(inquiries: list[Inquiry]) -> str:
    lines = [f"{'ID':>6}  {'TIME':<16}  {'INTENT':<24} {'SCORE':>5}  {'FB':<4}  TEXT"]
    for i in inquiries:
        when = i.time.strftime("%Y-%m-%d %H:%M")
        lines.append(f"{i.id:>6}  {when:<16}  {i.intent or '-':<24} {i.score:5.0f}  {i.feedback or '':<4}  {truncate(i.text, TEXT_COLUMNS)}")
    return "\n".join(lines)


def run_list(args: argparse.Namespace) -> int:
    where = filter_from(args, newest_first=True)
    inquiries = with_store(args, lambda store: store.inquiries(where))
    if not inquiries:
        print("no inquiries match")
        return 0
    print(_table(inquiries))
    print(f"({len(inquiries)} shown, newest first)")
    return 0


def run_export(args: argparse.Namespace) -> int:
    where = filter_from(args)
    if args.chinese and args.format != "csv":
        raise UserError("--chinese 只用于 --format csv")
    titles = {i.id: i.title for i in knowledge_from(args).intents} if args.chinese else None
    inquiries = with_store(args, lambda store: store.inquiries(where))
    if args.out:
        data = export(inquiries, args.format, bom=True, titles=titles)
        try:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_bytes(data)
        except OSError as exc:
            raise UserError(f"cannot write {args.out}: {exc}") from None
        print(f"wrote {len(inquiries)} inquiries to {args.out}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(export(inquiries, args.format, bom=False, titles=titles))
        sys.stdout.flush()
    return 0


def run_stats(args: argparse.Namespace) -> int:
    where = filter_from(args)
    stats = with_store(args, lambda store: stats_summary(store, where))
    if args.json:
        print_json(stats.as_dict())
    else:
        print(format_stats(stats))
    return 0


def confirm(question: str) -> bool:
    """Ask on the terminal; without one, refuse rather than guess (scripts pass ``--yes``)."""
    if not sys.stdin.isatty():
        raise UserError(f"{question}：不在终端里运行，无法确认；确定要删除请加 --yes")
    print(f"{question}删除后无法恢复。确定吗？[y/N] ", end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip().lower() in {"y", "yes", "是"}


def run_purge(args: argparse.Namespace) -> int:
    scope = "(all)" if args.older_than == 0 else f"older than {args.older_than} days"
    which = "全部咨询记录" if args.older_than == 0 else f"{args.older_than} 天以前的咨询记录"
    if not args.yes and not confirm(f"将删除 {db_path(args)} 中的{which}"):
        print("nothing removed", file=sys.stderr)
        return 1
    removed = with_store(args, lambda store: store.purge(args.older_than))
    print(f"removed {removed} inquiries {scope}")
    return 0


def run_migrate(args: argparse.Namespace) -> int:
    from ..store.transfer import migrate  # noqa: PLC0415 - asyncpg only for this command

    def progress(done: int, total: int) -> None:
        print(f"copied {done}/{total} inquiries", flush=True)

    result = asyncio.run(migrate(args.source, args.target, args.resume, progress))
    resumed = f" ({result.already_there} were already there)" if result.already_there else ""
    print(f"done: {result.copied} inquiries copied{resumed}; the PostgreSQL log now holds {result.total}, as the SQLite log does")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    group = commands.add_parser("inquiries", help="list, export, count, purge and migrate logged inquiries")
    sub = group.add_subparsers(dest="inquiries_command", metavar="SUBCOMMAND", required=True)

    listing = sub.add_parser("list", help="a table of inquiries, newest first")
    add_filter_options(listing)
    add_db_option(listing)
    listing.set_defaults(run=run_list)

    exporting = sub.add_parser(
        "export",
        help="inquiries as JSON Lines or CSV (oldest first)",
        description="One record per inquiry: id, time, channel, user, text, intent, score, feedback, review, "
        "candidates, reply. CSV cells that would start a spreadsheet formula (= + - @) get a leading ' . "
        "CSV written with --out starts with a UTF-8 BOM so Excel shows Chinese correctly; on stdout it does not.",
    )
    exporting.add_argument("--format", choices=FORMATS, required=True, help="jsonl: one JSON object per line; csv: a spreadsheet")
    exporting.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    exporting.add_argument(
        "--chinese", action="store_true",
        help="CSV for staff: Chinese column headers, intent titles, channel and feedback in words, candidates as 法律援助 82；…",
    )
    add_filter_options(exporting)
    add_db_option(exporting)
    add_intents_option(exporting)
    exporting.set_defaults(run=run_export)

    stats = sub.add_parser("stats", help="totals, per-intent counts, unmatched rate, feedback and per-day volume")
    stats.add_argument("--json", action="store_true", help="one JSON object (keys: total, by_intent, unmatched_rate, feedback, per_day, ...)")
    add_period_options(stats)
    add_db_option(stats)
    stats.set_defaults(run=run_stats)

    purge = sub.add_parser("purge", help="delete inquiries older than a number of days (retention of personal data)")
    purge.add_argument("--older-than", type=days, required=True, metavar="DAYS", help="age in days; 0 deletes every inquiry")
    purge.add_argument("--yes", action="store_true", help="do not ask for confirmation (needed when not run from a terminal)")
    add_db_option(purge)
    purge.set_defaults(run=run_purge)

    migrate = sub.add_parser(
        "migrate",
        help="copy an SQLite inquiry log into PostgreSQL",
        description="Copies every inquiry as stored (ids, times, user keys, feedback, review, candidates, reply) "
        "and the SQLite log's user-key secret into an empty PostgreSQL database, creating the schema there; "
        "afterwards `inquiries export` of both is identical. Stop the bot first. A database that already holds "
        "inquiries is refused, except with --resume after an interrupted copy of the same log.",
    )
    migrate.add_argument("--from", dest="source", required=True, metavar="SQLITE_PATH", help="the SQLite inquiry log")
    migrate.add_argument("--to", dest="target", required=True, metavar="POSTGRES_URL", help="postgresql://user:pass@host:port/db")
    migrate.add_argument("--resume", action="store_true", help="continue an interrupted copy of this same log")
    migrate.set_defaults(run=run_migrate)
