"""The evaluation before and after a knowledge change: which eval questions now get another answer.

Staff see, per intent, F1 before and after and every question of the eval set
(tests/data/eval.jsonl) whose answer changed — better, worse or merely different — so a save
that quietly breaks other answers is seen before it is trusted.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.knowledge import Knowledge
from ..core.matcher import Matcher
from ..evaluation import Example, evaluate, rank_all


@dataclass(frozen=True)
class ChangedAnswer:
    line: int
    text: str
    expected: str | None
    before: str | None
    after: str | None

    @property
    def verdict(self) -> str:
        """better / worse / different, for the page's colour and words."""
        if self.after == self.expected:
            return "better"
        return "worse" if self.before == self.expected else "different"


@dataclass(frozen=True)
class IntentScore:
    intent: str
    f1_before: float
    f1_after: float
    support: int


@dataclass(frozen=True)
class EvalDiff:
    examples: int
    accuracy_before: float
    accuracy_after: float
    per_intent: tuple[IntentScore, ...]  # intents whose F1 moved, biggest change first
    changed: tuple[ChangedAnswer, ...]


def compare(before: Knowledge, after: Knowledge, examples: list[Example]) -> EvalDiff:
    old, new = Matcher(before), Matcher(after)
    ranked_before, ranked_after = rank_all(old, examples), rank_all(new, examples)
    report_before, report_after = evaluate(old, examples, ranked_before), evaluate(new, examples, ranked_after)
    predicted_before = [old.decide(ranked).intent for ranked in ranked_before]
    predicted_after = [new.decide(ranked).intent for ranked in ranked_after]
    changed = tuple(
        ChangedAnswer(e.line, e.text, e.intent, b, a)
        for e, b, a in zip(examples, predicted_before, predicted_after)
        if b != a
    )
    rows_before, rows_after = report_before["per_intent"], report_after["per_intent"]
    scores = [
        IntentScore(
            intent,
            rows_before.get(intent, {}).get("f1", 0.0),
            rows_after.get(intent, {}).get("f1", 0.0),
            max(rows_before.get(intent, {}).get("support", 0), rows_after.get(intent, {}).get("support", 0)),
        )
        for intent in sorted(set(rows_before) | set(rows_after))
    ]
    moved = sorted((s for s in scores if s.f1_before != s.f1_after), key=lambda s: (-abs(s.f1_after - s.f1_before), s.intent))
    return EvalDiff(len(examples), report_before["accuracy"], report_after["accuracy"], tuple(moved), changed)
