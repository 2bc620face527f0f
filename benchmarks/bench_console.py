"""The staff console's own costs: a login (argon2id verification), the dashboard's figures and the
monthly report over a month of inquiries in a real SQLite log (or ``--db postgresql://…``).

The month is written straight into the inquiries table (no redaction: the figures read stored
rows only), spread over 30 days, every hour, the channels and the shipped intents, a fifth unmatched.
Printed: rows, seconds to fill, median login verification, dashboard and report times (median of
``--repeat`` runs).

    python benchmarks/bench_console.py [--per-day 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.console.accounts import add_account, verify  # noqa: E402
from bot.console.dashboard import Period, dashboard  # noqa: E402
from bot.console.report import report_context  # noqa: E402
from bot.core.knowledge import load_knowledge  # noqa: E402
from bot.store import open_store  # noqa: E402
from bot.store.base import ZONE  # noqa: E402

CHANNELS = ("web", "wechat", "telegram")
MONTH = Period.month(dt.date(2026, 11, 1))


async def fill(store, intents: list[str], per_day: int) -> int:
    rows = 0
    for day in MONTH.days:
        for n in range(per_day):
            at = dt.datetime.combine(day, dt.time(n * 24 // per_day, n % 60), ZONE)
            intent = None if n % 5 == 0 else intents[n % len(intents)]
            await store.change(
                'INSERT INTO inquiries (time, channel, "user", text, intent, score, candidates, reply) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
                store.dialect.time_param(at), CHANNELS[n % 3], f"u{n % 500}", f"问题 {n % 300}", intent, 80.0, "[]", "",
            )
            rows += 1
    return rows


async def timed(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        await run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def main(args: argparse.Namespace) -> None:
    knowledge = load_knowledge(ROOT / "intents")
    with tempfile.TemporaryDirectory() as folder:
        store = await open_store(args.db or str(Path(folder) / "inquiries.sqlite3"))
        try:
            start = time.perf_counter()
            rows = await fill(store, [i.id for i in knowledge.intents], args.per_day)
            print(f"inquiries: {rows} over {len(MONTH.days)} days, written in {time.perf_counter() - start:.1f} s")
            await add_account(store, "bench", "admin", "bench-password", "bench")
            login = await timed(lambda: verify(store, "bench", "bench-password"), args.repeat)
            print(f"login (argon2id verify): {login * 1000:.0f} ms median")
            board = await timed(lambda: dashboard(store, knowledge, MONTH), args.repeat)
            print(f"dashboard figures for the month: {board * 1000:.0f} ms median")
            report = await timed(lambda: report_context(store, knowledge, MONTH), args.repeat)
            print(f"monthly report (figures, top questions, changes): {report * 1000:.0f} ms median")
        finally:
            await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", help="a PostgreSQL URL instead of a temporary SQLite file")
    asyncio.run(main(parser.parse_args()))
