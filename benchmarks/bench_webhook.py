"""Webhook workers under load: updates/s and CPU per update for 1, 2 and 3 `legalbot serve` workers.

Each run starts N workers on one PostgreSQL database (a fresh schema on LEGALBOT_TEST_POSTGRES) behind
nginx running docs/deploy/nginx.conf (TLS) when nginx is installed, else with the stand-in Bot API
spreading updates round-robin over the workers itself; the output says which. Many simulated users
each send a few real-style questions (tests/data/eval.jsonl) at once; the stand-in delivers them with
up to 40 connections, as Telegram would. Reported per run: updates/s end to end, CPU milliseconds per
update of the workers (all together) and of PostgreSQL, and whether every update was answered once
and logged once.

Telegram lets an ordinary bot send 30 messages a second, which would cap every run at 30 updates/s.
To measure what the workers can do, the runs lift the bot's send budget (LEGALBOT_SEND_RATE=1000);
in production that budget, not the workers, is the usual limit.

Everything runs on this one machine: the stand-in, nginx, PostgreSQL and the workers share its cores,
so beyond a core per worker more workers cannot go faster here; the CPU per update is what carries
over to a deployment.

    python benchmarks/bench_webhook.py [--users 120] [--per-user 5] [--workers 1,2,3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fake_bot_api import FakeBotAPI  # noqa: E402
from tests.nginx import NGINX, OPENSSL, Nginx  # noqa: E402
from tests.postgres import ENV, fresh_database  # noqa: E402
from tests.workers import SECRET, WEBHOOK_PATH, free_port, launch_worker, wait_healthy  # noqa: E402

SEND_RATE = "1000"
CONNECTIONS = 40


def questions() -> list[str]:
    lines = (ROOT / "tests" / "data" / "eval.jsonl").read_text(encoding="utf-8").splitlines()
    return [t for line in lines if line.strip() and (t := json.loads(line)["text"].strip())]


def answered(api: FakeBotAPI, chat_id: int) -> int:
    """Replies to a chat: each reply's last message carries its keyboard (buttons or 👍/👎)."""
    return sum(1 for c in api.sent(chat_id) if c.params.get("reply_markup"))


def cpu_seconds(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def postgres_processes() -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["name"]) if (p.info["name"] or "").startswith("postgres")]


async def logged_texts(db: str) -> list[str]:
    from bot.store import open_store  # noqa: PLC0415

    store = await open_store(db)
    try:
        return [i.text for i in await store.inquiries()]
    finally:
        await store.close()


def run(workers: int, users: int, per_user: int, pool: list[str], use_nginx: bool) -> dict:
    total = users * per_user
    with tempfile.TemporaryDirectory() as tmp, fresh_database() as db, FakeBotAPI(verify_tls=False) as api:
        folder = Path(tmp)
        ports = [free_port() for _ in range(workers)]
        processes = [launch_worker(api, db, folder / f"w{p}.log", p, LEGALBOT_SEND_RATE=SEND_RATE) for p in ports]
        nginx = None
        try:
            for process, port in zip(processes, ports):
                wait_healthy(process, port, folder / f"w{port}.log")
            direct = [f"http://127.0.0.1:{p}{WEBHOOK_PATH}" for p in ports]
            if use_nginx:
                nginx = Nginx(folder, ports)
                api.set_webhook(nginx.url + WEBHOOK_PATH, SECRET, CONNECTIONS, ["message", "callback_query"])
            else:
                api.set_webhook(direct[0], SECRET, CONNECTIONS, ["message", "callback_query"])
            for n, url in enumerate(direct):  # warm-up: first-use costs on every worker
                api.send_text(1 + n, pool[n], to=url)
                api.wait_message(1 + n, timeout=30)
            watched = [psutil.Process(p.pid) for p in processes]
            database = postgres_processes()
            cpu_before, db_before, machine_before = cpu_seconds(watched), cpu_seconds(database), psutil.cpu_times()
            started = time.monotonic()
            texts: dict[str, int] = {}
            sent = 0
            for n in range(per_user):
                for user in range(10_000, 10_000 + users):
                    text = f"{pool[(user * 7 + n) % len(pool)]}（{user}-{n}）"
                    texts[text] = user
                    api.send_text(user, text, to=None if use_nginx else direct[sent % workers])
                    sent += 1
            deadline = time.monotonic() + 120
            while sum(answered(api, u) for u in range(10_000, 10_000 + users)) < total:
                if time.monotonic() > deadline:
                    raise SystemExit(f"timed out with {workers} worker(s)")
                time.sleep(0.02)
            elapsed = time.monotonic() - started
            cpu, db_cpu = cpu_seconds(watched) - cpu_before, cpu_seconds(database) - db_before
            machine = psutil.cpu_times()
            idle = (machine.idle + machine.iowait) - (machine_before.idle + machine_before.iowait)
            busy = 1 - idle / (elapsed * (os.cpu_count() or 1))
            time.sleep(0.5)  # a second answer to anything would show now
            wrong = [u for u in range(10_000, 10_000 + users) if answered(api, u) != per_user]
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(30)
            if nginx is not None:
                nginx.stop()
        logged = [t for t in asyncio.run(logged_texts(db)) if t in texts]
    return {
        "workers": workers,
        "rate": total / elapsed,
        "cpu_ms": cpu * 1000 / total,
        "db_ms": db_cpu * 1000 / total,
        "busy": busy,
        "answered_once": not wrong,
        "logged_once": sorted(logged) == sorted(texts),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=120)
    parser.add_argument("--per-user", type=int, default=5)
    parser.add_argument("--workers", default="1,2,3", help="comma-separated worker counts (default 1,2,3)")
    args = parser.parse_args()
    if not os.environ.get(ENV):
        print(f"bench_webhook: skipped, no PostgreSQL server ({ENV} unset; .ci/services.sh starts one)")
        return 0
    use_nginx = bool(NGINX and OPENSSL)
    via = "nginx (docs/deploy/nginx.conf, TLS)" if use_nginx else "the stand-in, round-robin over the workers (nginx not installed)"
    pool = questions()
    counts = [int(n) for n in args.workers.split(",")]
    print(f"{args.users} users × {args.per_user} messages sent at once; delivered through {via}; {CONNECTIONS} connections")
    print(f"send budget lifted to {SEND_RATE}/s; machine: {os.cpu_count()} cores shared by everything below; {shutil.which('nginx') or 'no nginx'}")
    results = [run(n, args.users, args.per_user, pool, use_nginx) for n in counts]
    print(f"{'workers':>7}  {'updates/s':>9}  {'speed-up':>8}  {'worker CPU ms/update':>20}  {'PostgreSQL CPU ms/update':>24}  {'machine busy':>12}  once?")
    for r in results:
        once = "yes" if r["answered_once"] and r["logged_once"] else f"NO (answered {r['answered_once']}, logged {r['logged_once']})"
        print(
            f"{r['workers']:>7}  {r['rate']:>9.1f}  {r['rate'] / results[0]['rate']:>7.2f}×  {r['cpu_ms']:>20.2f}  {r['db_ms']:>24.2f}"
            f"  {r['busy']:>11.0%}  {once}"
        )
    per_core = 1000 / results[0]["cpu_ms"]
    print(f"one worker needs {results[0]['cpu_ms']:.1f} ms of CPU per update: about {per_core:.0f} updates/s per core it has")
    return 0 if all(r["answered_once"] and r["logged_once"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
