"""NLU evaluation in the spirit of `rasa test nlu`: how well the matcher routes labelled messages.

A prediction is the top intent when the match clears the threshold (an ambiguous match counts as
its top intent, since the user is shown it first), otherwise None (out of scope).

Two line formats: ``{"text", "intent"}`` (one right answer, or null for out of scope), and the
real-question format ``{"text", "topic", "service", "source"}``: the topic is the right answer
(the service when there is no topic); ``accuracy_lenient`` also counts the service as right
for a topic question, since its answer covers the resident's problem too.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .core.matcher import Candidate, Matcher
from .errors import UserError

SWEEP_THRESHOLDS = tuple(range(30, 81, 5))
EMERGENCY = "emergency"


class EvalDataError(UserError, ValueError):
    """The evaluation file is malformed; the message names the file and line."""


@dataclass(frozen=True)
class Example:
    text: str
    intent: str | None
    line: int
    also: frozenset[str] = frozenset()  # further answers that count under the lenient measure

    def accepts(self, predicted: str | None) -> bool:
        return predicted == self.intent or predicted in self.also

    @classmethod
    def labelled(cls, text: str, topic: str | None, service: str | None, line: int) -> Example:
        """A real question labelled with its topic and service: the topic answers it (the service
        when there is none), and the service of a topic question counts under the lenient measure."""
        return cls(text, topic or service, line, frozenset({service}) if topic and service else frozenset())


def _label(record: dict, key: str, path: Path, number: int) -> str | None:
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise EvalDataError(f"{path}:{number}: {key} must be a string or null")
    return value or None


def _example(record: object, path: Path, number: int) -> Example:
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise EvalDataError(f'{path}:{number}: expected {{"text": "...", "intent": "<id>" or null}} or {{"text", "topic", "service"}}')
    if "intent" in record:
        return Example(record["text"], _label(record, "intent", path, number), number)
    if "topic" in record or "service" in record:
        return Example.labelled(record["text"], _label(record, "topic", path, number), _label(record, "service", path, number), number)
    raise EvalDataError(f'{path}:{number}: expected {{"text": "...", "intent": "<id>" or null}} or {{"text", "topic", "service"}}')


def load_examples(path: Path) -> list[Example]:
    examples = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalDataError(f"{path}: cannot read: {exc}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalDataError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        examples.append(_example(record, path, number))
    if not examples:
        raise EvalDataError(f"{path}: no examples")
    return examples


def _prediction(matcher: Matcher, ranked: list[Candidate], threshold: float) -> str | None:
    return matcher.decide(ranked, threshold=threshold).intent


def _rates(gold: list[str | None], predicted: list[str | None]) -> dict[str, float]:
    pairs = list(zip(gold, predicted))
    out_of_scope = [p for g, p in pairs if g is None]
    in_scope = [(g, p) for g, p in pairs if g is not None]
    return {
        "accuracy": sum(g == p for g, p in pairs) / len(pairs),
        "in_scope_accuracy": sum(g == p for g, p in in_scope) / len(in_scope) if in_scope else 0.0,
        "out_of_scope_rejection": sum(p is None for p in out_of_scope) / len(out_of_scope) if out_of_scope else 0.0,
        "false_rejection": sum(p is None for _, p in in_scope) / len(in_scope) if in_scope else 0.0,
    }


def _per_intent(gold: list[str | None], predicted: list[str | None]) -> dict[str, dict[str, float]]:
    labels = sorted({g for g in gold if g} | {p for p in predicted if p})
    report = {}
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        report[label] = {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3), "support": tp + fn}
    return report


def _kind(matcher: Matcher, label: str) -> str:
    """topic, service or smalltalk; emergency and out_of_scope by their flags (for the report's groups)."""
    intent = matcher.knowledge.get(label)
    if intent is None:
        return "unknown"
    return "emergency" if intent.priority else "out_of_scope" if intent.out_of_scope else intent.kind


def rank_all(matcher: Matcher, examples: list[Example]) -> list[list[Candidate]]:
    """Every example's `Matcher.rank`: the one costly part of an evaluation, done once."""
    return [matcher.rank(e.text) for e in examples]


def evaluate(matcher: Matcher, examples: list[Example], rankings: list[list[Candidate]] | None = None) -> dict:
    """Reports at the matcher's threshold and sweeps the others, from the examples' rankings
    (scored here unless the caller already has them from `rank_all`)."""
    rankings = rank_all(matcher, examples) if rankings is None else rankings
    gold = [e.intent for e in examples]
    predicted = [_prediction(matcher, r, matcher.threshold) for r in rankings]
    confusions = Counter(
        (g or "none", p or "none") for g, p in zip(gold, predicted) if g != p
    )
    emergencies = [(e, p) for e, p in zip(examples, predicted) if e.intent == EMERGENCY]
    false_alarms = [e.text for e, p in zip(examples, predicted) if p == EMERGENCY and not e.accepts(EMERGENCY)]
    sweep = []
    for threshold in SWEEP_THRESHOLDS:
        rates = _rates(gold, [_prediction(matcher, r, threshold) for r in rankings])
        sweep.append({"threshold": threshold, **{k: round(v, 3) for k, v in rates.items()}})
    errors = [
        {"line": e.line, "text": e.text, "expected": e.intent, "predicted": p, "score": r[0].score if r else 0.0}
        for e, p, r in zip(examples, predicted, rankings)
        if e.intent != p
    ]
    return {
        "examples": len(examples),
        "threshold": matcher.threshold,
        "gap": matcher.gap,
        **{k: round(v, 3) for k, v in _rates(gold, predicted).items()},
        "accuracy_lenient": round(sum(e.accepts(p) for e, p in zip(examples, predicted)) / len(examples), 3),
        "emergency_recall": round(sum(p == EMERGENCY for _, p in emergencies) / len(emergencies), 3) if emergencies else None,
        "emergencies_missed": [e.text for e, p in emergencies if p != EMERGENCY],
        "false_emergencies": false_alarms,
        "per_intent": {label: {**row, "kind": _kind(matcher, label)} for label, row in _per_intent(gold, predicted).items()},
        "confused_pairs": [{"expected": g, "predicted": p, "count": n} for (g, p), n in confusions.most_common(10)],
        "threshold_sweep": sweep,
        "errors": errors,
    }
