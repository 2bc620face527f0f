"""Our matcher beside a TF-IDF character n-gram + logistic-regression classifier.

The baseline is trained on exactly the YAML examples the bot uses, and is given the best
possible out-of-scope threshold, picked on the evaluation set itself (an advantage ours does
not get: our threshold is fixed in the code). Usage:

    python benchmarks/compare_baseline.py [EVAL.jsonl ...] [--intents DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from bot.core.knowledge import load_knowledge
from bot.core.matcher import Matcher
from bot.evaluation import evaluate, load_examples

ROOT = Path(__file__).resolve().parents[1]


def train_baseline(knowledge):
    texts = [e for i in knowledge.intents for e in i.examples]
    labels = [i.id for i in knowledge.intents for _ in i.examples]
    model = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True),
        LogisticRegression(max_iter=2000, C=10.0),
    )
    return model.fit(texts, labels)


def baseline_report(model, examples, rejecting: set[str]) -> dict:
    """Accuracy at the threshold that suits it best; a predicted out_of_scope label counts as a
    rejection, so it learns from the same out-of-scope examples as ours."""
    probabilities = model.predict_proba([e.text for e in examples])
    best_label = [None if label in rejecting else label for label in model.classes_[probabilities.argmax(axis=1)]]
    best_probability = probabilities.max(axis=1)
    gold = [e.intent for e in examples]
    results = []
    for threshold in np.arange(0.0, 1.0, 0.01):
        predicted = [label if p >= threshold else None for label, p in zip(best_label, best_probability)]
        accuracy = sum(g == p for g, p in zip(gold, predicted)) / len(gold)
        oos = [p for g, p in zip(gold, predicted) if g is None]
        rejection = sum(p is None for p in oos) / len(oos) if oos else 0.0
        results.append((accuracy, rejection, float(threshold)))
    accuracy, rejection, threshold = max(results)
    return {"accuracy": accuracy, "out_of_scope_rejection": rejection, "threshold": threshold}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("eval_files", nargs="*", type=Path, default=[ROOT / "tests/data/eval.jsonl"])
    parser.add_argument("--intents", type=Path, default=None)
    args = parser.parse_args()
    knowledge = load_knowledge(args.intents)
    matcher = Matcher(knowledge)
    model = train_baseline(knowledge)
    print(f"trained on {sum(len(i.examples) for i in knowledge.intents)} examples of {len(knowledge.intents)} intents")
    print(f"{'set':<28} {'n':>4}  {'ours acc':>8} {'ours oos':>8}  {'tfidf+lr acc':>12} {'tfidf+lr oos':>12} {'(its best thr)':>14}")
    for path in args.eval_files:
        examples = load_examples(path)
        ours = evaluate(matcher, examples)
        theirs = baseline_report(model, examples, {i.id for i in knowledge.intents if i.out_of_scope})
        print(
            f"{path.name:<28} {len(examples):>4}  {ours['accuracy']:8.3f} {ours['out_of_scope_rejection']:8.3f}"
            f"  {theirs['accuracy']:12.3f} {theirs['out_of_scope_rejection']:12.3f} {theirs['threshold']:14.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
