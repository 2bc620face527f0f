"""How far two labellers agree on the real-question sets: the ceiling a matcher's score can mean.

A second labeller relabelled some sets blind, by the same written rules (tests/data/*_sources.md),
without seeing the first labels or running the bot; their labels are in
tests/data/second_labels/<set>.jsonl (`{"line", "topic", "service"}` per line of the set). Each
labeller is scored against the other exactly as the bot is (`Example.accepts`: the topic, or the
service of a topic question), so the figures sit beside the bot's. Usage:

    python benchmarks/label_agreement.py
"""

from __future__ import annotations

import json
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

from bot.evaluation import Example, load_examples

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests/data"
SECOND = DATA / "second_labels"


def _second(path: Path) -> list[Example]:
    """The second labeller's lines as examples (no text: only the labels are compared)."""
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [Example.labelled("", r["topic"], r["service"], r["line"]) for r in records]


def _scored(gold: list[Example], other: list[Example]) -> tuple[float, float]:
    """Accuracy and out-of-scope rejection of ``other``'s labels judged by ``gold``'s."""
    right = [g.accepts(o.intent) for g, o in zip(gold, other)]
    out = [o.intent is None for g, o in zip(gold, other) if g.intent is None]
    return sum(right) / len(right), sum(out) / len(out)


def main() -> int:
    print(f"{'set':10s} {'n':>4s}  second vs first  first vs second  in/out agree  kappa")
    for path in sorted(SECOND.glob("*.jsonl")):
        first, second = load_examples(DATA / f"{path.stem}_questions.jsonl"), _second(path)
        if [e.line for e in first] != [e.line for e in second]:
            print(f"{path.stem}: the second labels do not cover the set line for line")
            return 1
        forward, backward = _scored(first, second), _scored(second, first)
        in_out = sum((a.intent is None) == (b.intent is None) for a, b in zip(first, second)) / len(first)
        kappa = cohen_kappa_score([e.intent or "-" for e in first], [e.intent or "-" for e in second])
        print(
            f"{path.stem:10s} {len(first):4d}  {forward[0]:.3f} / {forward[1]:.3f}    {backward[0]:.3f} / {backward[1]:.3f}"
            f"     {in_out:.3f}       {kappa:.3f}"
        )
    print("(accuracy / out-of-scope rejection, as `legalbot eval` scores the bot)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
