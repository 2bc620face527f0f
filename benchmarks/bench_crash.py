"""Crash safety of `legalbot run` (issue 12 row 1): bursts at 150 messages/s, kill -9 at random moments.

Ten rounds: each starts the bot on the same SQLite log, sends a burst of messages from distinct
residents at about 150 a second (the bot answers at most 30 a second, so most wait in its queue),
and kills the process with SIGKILL at a random moment of the burst or just after. A last start
then runs until everything is answered. Printed: messages answered once, twice (or more) and
never, and inquiries logged once, twice and never; the target is never-answered and
answered-twice each no more than the messages in flight at the kills (a handful per kill).

    python benchmarks/bench_crash.py [--rounds 10] [--burst 150] [--rate 150] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fake_bot_api import TOKEN, FakeBotAPI  # noqa: E402

QUESTION = "公司拖欠我三个月工资不给怎么办"
SETTLE_SECONDS = 60


def start_bot(api: FakeBotAPI, db: Path, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and not k.startswith(("LEGALBOT_", "TELEGRAM_"))}
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url, LEGALBOT_DB=str(db), LEGALBOT_ENV_FILE=os.devnull)
    calls = len(api.calls_of("deleteWebhook"))
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, cwd=ROOT, stdout=log.open("a"), stderr=subprocess.STDOUT)
    api.wait_for(lambda: len(api.calls_of("deleteWebhook")) > calls or process.poll() is not None, timeout=60, what="the bot to start")
    if process.poll() is not None:
        sys.exit(f"the bot did not start:\n{log.read_text()[-3000:]}")
    return process


def answers(api: FakeBotAPI, chat_id: int) -> int:
    return sum(1 for c in api.sent(chat_id) if c.params.get("reply_markup"))


def logged_texts(db: Path) -> Counter:
    from bot.store import open_store  # noqa: PLC0415

    async def read() -> list[str]:
        store = await open_store(str(db))
        try:
            return [i.text for i in await store.inquiries()]
        finally:
            await store.close()

    return Counter(asyncio.run(read()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--burst", type=int, default=150, help="messages per round")
    parser.add_argument("--rate", type=float, default=150.0, help="messages per second within a burst")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    users: list[int] = []
    kill_at: list[float] = []
    with FakeBotAPI() as api, tempfile.TemporaryDirectory() as tmp:
        db, log = Path(tmp) / "crash.sqlite3", Path(tmp) / "bot.log"
        for round_ in range(args.rounds):
            process = start_bot(api, db, log)
            burst = range(100_000 + round_ * 10_000, 100_000 + round_ * 10_000 + args.burst)
            users += burst
            seconds = args.burst / args.rate
            when = rng.uniform(0.2, seconds + 2.0)  # during the burst, or while its queue drains
            kill_at.append(when)
            started = time.monotonic()
            sent = 0
            for user in burst:
                if time.monotonic() - started >= when:
                    break
                api.send_text(user, f"{QUESTION}（{user}）")
                sent += 1
                time.sleep(max(0.0, started + sent / args.rate - time.monotonic()))
            time.sleep(max(0.0, started + when - time.monotonic()))
            process.send_signal(signal.SIGKILL)
            process.wait()
            for user in burst[sent:]:
                api.send_text(user, f"{QUESTION}（{user}）")  # sent while the bot was down
        final = start_bot(api, db, log)
        deadline = time.monotonic() + SETTLE_SECONDS + len(users) / 25
        while any(answers(api, u) == 0 for u in users) and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)  # anything sent twice shows up now
        final.send_signal(signal.SIGTERM)
        exit_code = final.wait(30)
        per_user = Counter(answers(api, u) for u in users)
        logged = logged_texts(db)
        per_text = Counter(logged.get(f"{QUESTION}（{u}）", 0) for u in users)
        kept = sum(1 for line in log.read_text().splitlines() if "unanswered updates from before the restart" in line)

    total = len(users)
    twice = sum(n for k, n in per_user.items() if k > 1)
    print(f"rounds: {args.rounds}  messages: {total}  (bursts of {args.burst} at {args.rate:g}/s, kill -9 at {', '.join(f'{t:.1f}' for t in kill_at)} s)")
    print(f"answered once:     {per_user[1]}")
    print(f"answered twice+:   {twice}")
    print(f"never answered:    {per_user[0]}")
    print(f"logged once:       {per_text[1]}")
    print(f"logged twice+:     {sum(n for k, n in per_text.items() if k > 1)}")
    print(f"never logged:      {per_text[0]}")
    print(f"restarts that found unanswered updates: {kept} of {args.rounds}")
    print(f"final SIGTERM exit code: {exit_code}")
    ok = per_user[0] <= args.rounds * 8 and twice <= args.rounds * 8 and per_text[0] <= args.rounds * 8
    print("result:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
