"""WeChat channel on loopback: signed safe-mode pushes from many residents at once, answered passively.

Serves `wechat_app` under uvicorn (a thread of this process) over a real SQLite log, pushed by the
stand-in WeChat (`tests/fake_wechat.py`) from a pool of threads; prints messages/s, the latency
WeChat would see (its limit is 5 s), the process's CPU per message and how many were logged.

    .venv/bin/python benchmarks/bench_wechat.py [--users 100] [--messages 5] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core.knowledge import load_knowledge  # noqa: E402
from bot.core.responder import Responder  # noqa: E402
from bot.flows import all_flows  # noqa: E402
from tests.conftest import INTENTS  # noqa: E402
from tests.fake_wechat import FakeWeChat  # noqa: E402
from tests.wechat_bot import running_wechat, settings_for  # noqa: E402

QUESTIONS = ("法律援助怎么申请", "老板拖欠工资怎么办", "邻居纠纷找谁调解", "2", "离婚财产怎么分")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    responder = Responder(load_knowledge(INTENTS), all_flows())
    with tempfile.TemporaryDirectory() as folder, FakeWeChat() as wechat:
        db = Path(folder) / "log.sqlite3"
        with running_wechat(responder, settings_for(wechat), db) as bot:

            def resident(n: int) -> list[tuple[float, bool]]:
                results = []
                for m in range(args.messages):
                    started = time.perf_counter()
                    reply = wechat.post(bot.url, wechat.text_xml(f"oBench{n}", QUESTIONS[m % len(QUESTIONS)]), safe=True)
                    results.append((time.perf_counter() - started, reply.status == 200 and bool(reply.content)))
                return results

            cpu, wall = time.process_time(), time.perf_counter()
            with ThreadPoolExecutor(args.concurrency) as pool:
                results = [r for batch in pool.map(resident, range(args.users)) for r in batch]
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        with sqlite3.connect(db) as conn:
            rows = conn.execute("SELECT count(*) FROM inquiries WHERE channel = 'wechat'").fetchone()[0]
    latencies = sorted(r[0] for r in results)
    answered = sum(ok for _, ok in results)
    print(f"{len(results)} messages from {args.users} residents, {args.concurrency} at once, safe mode")
    questions = sum(QUESTIONS[m % len(QUESTIONS)] != "2" for m in range(args.messages)) * args.users  # "2" opens a section: not logged
    print(f"answered passively: {answered}; customer-service sends: {len(wechat.sent)}; logged: {rows} of {questions} questions")
    print(f"throughput: {len(results) / wall:.0f} messages/s")
    print(f"latency: p50 {statistics.median(latencies) * 1000:.1f} ms, p95 {latencies[int(len(latencies) * 0.95)] * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms")
    print(f"CPU (bot + stand-in WeChat + clients, one process): {cpu / len(results) * 1000:.1f} ms per message on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
