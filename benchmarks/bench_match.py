"""Matching speed: load/index time and per-message time, for the shipped intents and scaled sets.

The 10× and 50× sets copy every intent under new ids with lightly altered examples and keywords,
so the index really holds 10 or 50 times as many distinct entries. Usage:

    python benchmarks/bench_match.py [--rounds N] [EVAL.jsonl ...]

The messages are the real-question set and the shipped evaluation set (or the files given).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bot.core.knowledge import Knowledge, load_knowledge
from bot.core.matcher import Matcher
from bot.evaluation import load_examples

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SETS = [ROOT / "tests/data/real_questions.jsonl", ROOT / "tests/data/eval.jsonl"]
FILLERS = "请问我想了解一下那个这个帮忙看看谢谢急急急万州重庆师傅老师同志"


def alter(text: str, rng: random.Random) -> str:
    """A different but similar phrasing: a filler word inserted at a random place."""
    at = rng.randrange(len(text) + 1)
    start = rng.randrange(len(FILLERS) - 2)
    return text[:at] + FILLERS[start : start + 2] + text[at:]


def scaled(knowledge: Knowledge, factor: int, seed: int = 7) -> Knowledge:
    rng = random.Random(seed)
    intents = list(knowledge.intents)
    for copy in range(1, factor):
        for intent in knowledge.intents:
            intents.append(
                replace(
                    intent,
                    id=f"{intent.id}_{copy}",
                    examples=tuple(alter(e, rng) for e in intent.examples),
                    keywords=tuple(alter(k, rng) for k in intent.keywords),
                    priority=False,
                )
            )
    return Knowledge(tuple(intents), knowledge.contacts, knowledge.directory)


def measure(knowledge: Knowledge, messages: list[str], rounds: int) -> dict:
    started = time.perf_counter()
    matcher = Matcher(knowledge)
    index_seconds = time.perf_counter() - started
    matcher.prepare()  # as a server does at start-up, so no message below waits for the training
    train_seconds = time.perf_counter() - started - index_seconds
    timings = []
    for _ in range(rounds):
        for text in messages:
            t0 = time.perf_counter()
            matcher.match(text)
            timings.append(time.perf_counter() - t0)
    timings.sort()
    return {
        "intents": len(knowledge.intents),
        "examples": sum(len(i.examples) for i in knowledge.intents),
        "index_s": index_seconds,
        "train_s": train_seconds,
        "mean_ms": statistics.fmean(timings) * 1000,
        "p95_ms": timings[int(len(timings) * 0.95)] * 1000,
        "p99_ms": timings[int(len(timings) * 0.99)] * 1000,
        "max_ms": timings[-1] * 1000,
    }


def main() -> int:
    # Training is measured, not the kept model of an earlier run (nor is one kept in the user's folder).
    cache = tempfile.TemporaryDirectory(prefix="bench-match-")
    os.environ["XDG_CACHE_HOME"] = cache.name
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="passes over the evaluation messages per set")
    parser.add_argument("--scales", default="1,10,50", help="knowledge sizes to measure, as multiples of the shipped intents (default: 1,10,50)")
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT_SETS, help="JSONL message sets (default: real questions + eval set)")
    args = parser.parse_args()
    started = time.perf_counter()
    knowledge = load_knowledge()
    load_seconds = time.perf_counter() - started
    messages = [e.text for path in args.files for e in load_examples(path)]
    print(f"load + validate shipped YAML: {load_seconds * 1000:.0f} ms; {len(messages)} messages × {args.rounds} rounds per set")
    print(f"{'set':<8} {'intents':>7} {'examples':>8} {'index s':>8} {'train s':>8} {'mean ms':>8} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}")
    for factor in (int(f) for f in args.scales.split(",")):
        r = measure(scaled(knowledge, factor), messages, args.rounds)
        print(
            f"{factor:>3}×     {r['intents']:>7} {r['examples']:>8} {r['index_s']:8.2f} {r['train_s']:8.2f} {r['mean_ms']:8.3f}"
            f" {r['p95_ms']:7.3f} {r['p99_ms']:7.3f} {r['max_ms']:7.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
