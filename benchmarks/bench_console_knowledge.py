"""How long the staff console's knowledge work takes, on the shipped intents and a real SQLite log.

Prints: the check-as-you-type round (draft of one intent re-read + field checks), "try a question"
(the draft indexed, then explained), a whole save (every intent checked as `intents check` does,
the eval set run before and after, the revision stored), a worker loading the newest revision,
and the inbox over N logged questions (reasons, placement in clusters, nearest intents).
Run: .venv/bin/python benchmarks/bench_console_knowledge.py [N]
"""

from __future__ import annotations

import asyncio
import datetime as dt
import dataclasses
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.admin.inbox import inbox  # noqa: E402
from bot.core.knowledge import load_knowledge  # noqa: E402
from bot.core.matcher import Matcher  # noqa: E402
from bot.core.responder import Responder  # noqa: E402
from bot.core.session import Session  # noqa: E402
from bot.evaluation import load_examples  # noqa: E402
from bot.flows import all_flows  # noqa: E402
from bot.knowledge.folder import read_folder  # noqa: E402
from bot.knowledge.form import IntentForm, check_form, draft  # noqa: E402
from bot.knowledge.saving import save  # noqa: E402
from bot.knowledge.source import base, load  # noqa: E402
from bot.store import open_store  # noqa: E402

INTENTS = ROOT / "intents"
EVAL = ROOT / "tests" / "data" / "eval.jsonl"
ROUNDS = 5


def timed(work, rounds: int = ROUNDS) -> float:
    """Median seconds of ``rounds`` runs."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


async def main(questions: int) -> None:
    files = read_folder(INTENTS)
    knowledge = load_knowledge(INTENTS)
    form = IntentForm.of(knowledge["mediation"])
    changed = dataclasses.replace(form, summary=form.summary + "\n（草稿）")
    check = timed(lambda: (draft(files, "mediation", changed, knowledge), check_form("mediation", changed, knowledge, dt.date.today())))
    print(f"check as you type (draft of one intent + field checks): {check * 1000:.0f} ms")
    draft_knowledge = draft(files, "mediation", changed, knowledge)[1]
    print(f"try a question (index the draft, explain):             {timed(lambda: Matcher(draft_knowledge).explain('调解要收费吗'), 3) * 1000:.0f} ms")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "intents"
        shutil.copytree(INTENTS, folder)
        store = await open_store(str(Path(tmp) / "log.sqlite3"))
        try:
            parent, before = await base(store, folder)
            edited = draft(before, "mediation", changed, knowledge)[0]
            start = time.perf_counter()
            await save(store, before, parent, edited, "bench", "bench", EVAL)
            print(f"save (whole check, eval of {len(load_examples(EVAL))} before and after, revision): {time.perf_counter() - start:.1f} s")
            start = time.perf_counter()
            await load(store, folder)
            print(f"a worker loading the newest revision:                  {(time.perf_counter() - start) * 1000:.0f} ms")

            responder = Responder(knowledge, all_flows())
            texts = [line.split('"text": "')[1].split('"')[0] for line in EVAL.read_text(encoding="utf-8").splitlines() if '"text": "' in line]
            random.seed(7)
            for n in range(questions):
                text = random.choice(texts)
                await store.log("web", f"resident{n % 400}", text, responder.respond(text, Session()))
            matcher = Matcher(knowledge)
            start = time.perf_counter()
            clusters = await inbox(store, matcher)
            first = time.perf_counter() - start
            start = time.perf_counter()
            await inbox(store, matcher)
            again = time.perf_counter() - start
            items = sum(len(c.items) for c in clusters)
            print(f"inbox over {questions} questions: {items} need a look in {len(clusters)} clusters; first view {first:.2f} s, next {again:.2f} s")
        finally:
            await store.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
