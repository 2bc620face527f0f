"""The web chat under load: many visitors at once against one real `legalbot web` on loopback.

Each simulated visitor opens the page's API (``GET api/welcome``, which hands out the cookie),
then sends its questions one after another (real-style texts from tests/data/eval.jsonl), as a
resident would; all visitors run at the same time. Every visitor comes from its own address
(``X-Forwarded-For``, which uvicorn takes from a proxy on 127.0.0.1, as behind nginx), so the
limit on new visitors per address does not apply to them. The run is bounded: it stops by
itself after the last answer or after ``--timeout`` seconds.

Printed: requests/s and messages/s end to end, CPU milliseconds per message of the server
process, its peak RSS, and whether every message was answered once and logged once (counted in
the store afterwards).

    python benchmarks/bench_web.py [--visitors 200] [--per-visitor 5] [--timeout 300]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.store import open_store  # noqa: E402
from bot.store.base import LOGGED_KINDS  # noqa: E402
from tests.web_server import running_web  # noqa: E402

SAMPLE_SECONDS = 0.05
LOGGED = {kind.value for kind in LOGGED_KINDS}


def questions() -> list[str]:
    lines = (ROOT / "tests" / "data" / "eval.jsonl").read_text(encoding="utf-8").splitlines()
    return [t for line in lines if line.strip() and (t := json.loads(line)["text"].strip())]


class PeakRSS(threading.Thread):
    """Samples a process's resident memory until stopped; `peak` is the largest seen."""

    def __init__(self, process: psutil.Process):
        super().__init__(daemon=True)
        self.process, self.peak, self.done = process, 0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, self.process.memory_info().rss)


async def visitor(base: str, number: int, texts: list[str]) -> list[dict]:
    """One resident: the welcome, then each question in turn; returns the answers."""
    address = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
    async with httpx.AsyncClient(base_url=base, headers={"X-Forwarded-For": address}, timeout=60) as http:
        (await http.get("/api/welcome")).raise_for_status()
        answers = []
        for n, text in enumerate(texts):
            response = await http.post("/api/message", json={"text": text, "message_id": f"v{number}m{n}"})
            response.raise_for_status()
            answers.append(response.json()["answer"])
        return answers


async def load(base: str, visitors: int, per_visitor: int, timeout: float) -> tuple[list[list[dict]], float]:
    pool = itertools.cycle(questions())
    plans = [[next(pool) for _ in range(per_visitor)] for _ in range(visitors)]
    started = time.perf_counter()
    results = await asyncio.wait_for(asyncio.gather(*(visitor(base, i, plan) for i, plan in enumerate(plans))), timeout)
    return results, time.perf_counter() - started


async def logged_web_inquiries(db: Path) -> int:
    store = await open_store(str(db), create=False)
    try:
        return sum(1 for i in await store.inquiries() if i.channel == "web")
    finally:
        await store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=200)
    parser.add_argument("--per-visitor", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=300.0, help="give up after this many seconds (default 300)")
    args = parser.parse_args()
    messages = args.visitors * args.per_visitor
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "inquiries.sqlite3"
        with running_web(db, Path(folder) / "web.log", "--log-level", "WARNING") as server:
            process = psutil.Process(server.process.pid)
            sampler = PeakRSS(process)
            sampler.start()
            cpu_before, client_before = sum(process.cpu_times()[:2]), time.process_time()
            results, seconds = asyncio.run(load(server.base, args.visitors, args.per_visitor, args.timeout))
            cpu = sum(process.cpu_times()[:2]) - cpu_before
            client_cpu = time.process_time() - client_before
            sampler.done.set()
            sampler.join()
            exit_status = server.stop()
        answers = [a for answers in results for a in answers]
        expected_logged = sum(1 for a in answers if a["kind"] in LOGGED)
        logged = asyncio.run(logged_web_inquiries(db))
    once = len(answers) == messages and logged == expected_logged
    print(f"legalbot web, {args.visitors} concurrent visitors × {args.per_visitor} messages = {messages} messages (SQLite, loopback)")
    print(f"  answered: {len(answers)}/{messages}; logged: {logged} (questions that are logged: {expected_logged})")
    print(f"  wall time: {seconds:.2f} s; {(messages + args.visitors) / seconds:.0f} requests/s ({messages / seconds:.0f} messages/s)")
    print(f"  server CPU: {cpu * 1000 / messages:.2f} ms per message; peak RSS {sampler.peak / 2**20:.0f} MB")
    print(f"  (the simulated visitors used {client_cpu * 1000 / messages:.2f} ms CPU per message on the same 2 cores)")
    print(f"  every message answered once and logged once: {'yes' if once else 'NO'}; server exit status {exit_status}")
    return 0 if once and exit_status == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
