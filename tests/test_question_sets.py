"""The three sets of real questions stay independent: a question counted in the held-out test set
(real_questions) or in the second set (fresh_questions, measured untouched once, now tuned against
in the engineers' own words) must not also sit, nearly word for word, in the tuning set
(dev_questions), in another set, twice in its own set, or among the intent examples the matcher
learns from. Otherwise a score on it measures memory, not understanding."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import yaml
from rapidfuzz import fuzz, process

from .conftest import INTENTS, ROOT

DATA = ROOT / "tests" / "data"
SETS = ("real_questions", "dev_questions", "fresh_questions", "check_questions", "blind_questions", "selfharm_questions", "audit_questions", "tune_a_questions", "tune_b_questions", "tune_c_questions", "tune_d_questions", "tune_e_questions", "tune_f_questions", "tune_g_questions", "tune_h_questions", "holdout_questions")
# Two lines above this rapidfuzz ratio count as the same question (the rule the sets' *_sources.md
# files were built with).
NEAR_DUPLICATE = 80


@cache
def _texts(name: str) -> list[str]:
    lines = (DATA / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()]


@cache
def _intent_examples() -> list[str]:
    examples: list[str] = []
    for path in sorted(INTENTS.glob("*.yaml")):
        for intent in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("intents") or []:
            examples += [str(example) for example in intent.get("examples") or []]
    return examples


def _clashes(left: list[str], right: list[str], *, same: bool = False) -> list[tuple[str, str, float]]:
    scores = process.cdist(left, right, scorer=fuzz.ratio, score_cutoff=NEAR_DUPLICATE + 1, workers=-1)
    rows, columns = np.nonzero(scores > NEAR_DUPLICATE)
    return [(left[i], right[j], float(scores[i, j])) for i, j in zip(rows.tolist(), columns.tolist()) if not same or j > i]


@pytest.mark.parametrize("name", SETS)
def test_no_question_is_in_its_own_set_twice(name: str):
    texts = _texts(name)
    assert _clashes(texts, texts, same=True) == []


@pytest.mark.parametrize(
    "left, right", [(a, b) for i, a in enumerate(SETS) for b in SETS[i + 1 :]]
)
def test_no_question_is_in_two_sets(left: str, right: str):
    assert _clashes(_texts(left), _texts(right)) == []


@pytest.mark.parametrize("name", SETS)
def test_real_questions_are_not_intent_examples(name: str):
    assert _clashes(_texts(name), _intent_examples()) == []


def test_fresh_set_names_a_source_for_every_line():
    lines = (DATA / "fresh_questions.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    assert len(rows) >= 250
    assert all(row["source"] and set(row) == {"text", "topic", "service", "source"} for row in rows)
    assert all(len(row["text"]) <= 200 for row in rows)
