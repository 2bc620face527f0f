"""The Telegram bot under load: the real `legalbot run` process against the stand-in Bot API.

Many simulated users each send a few real-style questions (from tests/data/eval.jsonl) at once.
Reported: messages/s end to end, CPU milliseconds per message of the bot process (user + system,
counted from after start-up and a warm-up to the last answer: matching, replying and logging
included), peak RSS (the kernel's high-water mark, VmHWM), and a check that every message was
answered exactly once and logged exactly once. Targets: ≤ 3 ms CPU per message, ≤ 120 MB.

Messages/s is bounded by Telegram's own limit, which the bot respects on purpose (PTB's
AIORateLimiter: 30 sends per second); the CPU figure tells how far the bot is from being the
bottleneck (capacity ≈ 1000 / CPU ms per message on one core).

    python benchmarks/bench_telegram.py [--users 120] [--per-user 5] [--rate 20] [--profile OUT.pstats]

``--rate N`` sends at a steady N messages a second instead of all at once: the CPU per message of
ordinary traffic, where each message also costs its own getUpdates and store writes.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fake_bot_api import TOKEN, FakeBotAPI  # noqa: E402

TARGET_CPU_MS = 3.0
TARGET_RSS_MB = 120.0


def questions() -> list[str]:
    lines = (ROOT / "tests" / "data" / "eval.jsonl").read_text(encoding="utf-8").splitlines()
    return [t for line in lines if line.strip() and (t := json.loads(line)["text"].strip())]


def start_bot(api: FakeBotAPI, db: Path, log: Path, profile: str | None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and not k.startswith(("LEGALBOT_", "TELEGRAM_"))}
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url, LEGALBOT_DB=str(db), LEGALBOT_ENV_FILE=os.devnull)
    command = [sys.executable, *(["-m", "cProfile", "-o", profile] if profile else []), "-m", "bot", "run"]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT)
    api.wait_for(lambda: api.calls_of("deleteWebhook") or process.poll() is not None, timeout=60, what="the bot to start")
    if process.poll() is not None:
        sys.exit(f"the bot did not start:\n{log.read_text()}")
    return process


def calibrate() -> tuple[float, float]:
    """This machine's speed, to compare figures across machines: a pure-Python loop and the CPU
    that one idle asyncio wake-up costs (µs each). On a VM where waking is dear, the bot's CPU
    per message grows with the wake-ups per message (each Bot API reply, each store write)."""
    import asyncio  # noqa: PLC0415
    import timeit  # noqa: PLC0415

    loop_us = min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6

    async def wakes(n: int = 100) -> float:
        start = time.process_time()
        for _ in range(n):
            await asyncio.sleep(0.005)
        return (time.process_time() - start) / n * 1e6

    return loop_us, asyncio.run(wakes())


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return psutil.Process(pid).memory_info().rss / 2**20


def answered(api: FakeBotAPI, chat_id: int) -> int:
    """Replies to a chat: each reply's last message carries its keyboard (buttons or 👍/👎)."""
    return sum(1 for c in api.sent(chat_id) if c.params.get("reply_markup"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=120)
    parser.add_argument("--per-user", type=int, default=5)
    parser.add_argument("--rate", type=float, help="send at this steady rate (messages/s) instead of all at once")
    parser.add_argument("--profile", metavar="OUT", help="run the bot under cProfile and write stats here")
    parser.add_argument("--py-spy", metavar="OUT", help="sample the bot with py-spy (on-CPU only) into OUT (collapsed stacks)")
    args = parser.parse_args()
    pool = questions()
    users = range(10_000, 10_000 + args.users)
    total = args.users * args.per_user

    with FakeBotAPI() as api, tempfile.TemporaryDirectory() as tmp:
        db, log = Path(tmp) / "bench.sqlite3", Path(tmp) / "bot.log"
        process = start_bot(api, db, log, args.profile)
        bot = psutil.Process(process.pid)
        spy = None
        if args.py_spy:
            spy = subprocess.Popen(["py-spy", "record", "--pid", str(process.pid), "--format", "raw", "-o", args.py_spy, "--rate", "250"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        # Warm-up: one message, so lazy imports and first-use costs are not counted.
        api.send_text(1, pool[0])
        api.wait_message(1, timeout=30)
        cpu_before = sum(bot.cpu_times()[:2])
        peak_sampled = 0.0
        stop_sampling = threading.Event()

        def sample() -> None:
            nonlocal peak_sampled
            while not stop_sampling.wait(0.1):
                peak_sampled = max(peak_sampled, bot.memory_info().rss / 2**20)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.monotonic()
        texts: dict[str, int] = {}
        for n in range(args.per_user):
            for user in users:
                text = f"{pool[(user * 7 + n) % len(pool)]}（{user}-{n}）"
                texts[text] = user
                api.send_text(user, text)
                if args.rate:
                    time.sleep(max(0.0, started + len(texts) / args.rate - time.monotonic()))
        deadline = time.monotonic() + total / 10 + 60
        while sum(answered(api, u) for u in users) < total:  # polled: cheap for the stand-in server
            if time.monotonic() > deadline:
                sys.exit(f"timed out: {sum(answered(api, u) for u in users)} of {total} answered")
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        cpu = sum(bot.cpu_times()[:2]) - cpu_before
        peak = peak_rss_mb(process.pid)
        stop_sampling.set()
        time.sleep(0.5)  # anything sent twice would show up now

        process.send_signal(signal.SIGTERM)
        exit_code = process.wait(60)
        if spy:
            spy.wait(30)
        from bot.store import open_store  # noqa: PLC0415
        import asyncio  # noqa: PLC0415

        async def logged_texts() -> list[str]:
            store = await open_store(str(db))
            try:
                return [i.text for i in await store.inquiries()]
            finally:
                await store.close()

        logged = [t for t in asyncio.run(logged_texts()) if t in texts]
        per_user = {u: answered(api, u) for u in users}
        wrong = {u: n for u, n in per_user.items() if n != args.per_user}
        sent_messages = sum(len(api.sent(u)) for u in users)

    cpu_ms = cpu * 1000 / total
    loop_us, wake_us = calibrate()
    pace = f"at {args.rate:g} messages/s" if args.rate else "sent at once"
    print(f"users: {args.users}  messages: {total}  ({args.per_user} per user, {pace})")
    print(f"throughput:        {total / elapsed:7.1f} messages/s  ({elapsed:.1f} s; Telegram's 30 sends/s limit applies)")
    print(f"bot CPU:           {cpu_ms:7.2f} ms/message  (target ≤ {TARGET_CPU_MS}; ≈ {1000 / cpu_ms:.0f} messages/s per core)")
    print(f"bot peak RSS:      {peak:7.1f} MB  (target ≤ {TARGET_RSS_MB}; sampled peak under load {peak_sampled:.1f} MB)")
    print(f"Bot API messages:  {sent_messages} for {total} replies")
    print(f"answered once:     {'yes' if not wrong else f'NO: {dict(list(wrong.items())[:5])}'}")
    print(f"logged once:       {'yes' if sorted(logged) == sorted(texts) else f'NO: {len(logged)} of {total}'}")
    print(f"SIGTERM exit code: {exit_code}")
    print(f"machine:           sum(range(1000)) {loop_us:.1f} µs, idle asyncio wake-up {wake_us:.0f} µs CPU")
    ok = not wrong and sorted(logged) == sorted(texts) and exit_code == 0
    within = cpu_ms <= TARGET_CPU_MS and peak <= TARGET_RSS_MB
    print("result:", "PASS" if ok and within else ("FAIL (correctness)" if not ok else "OVER TARGET"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
