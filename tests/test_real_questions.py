"""Floors on questions residents really posted (tests/data/real_questions.jsonl, with sources):
understanding the problem, refusing what the bot does not cover, and never sounding a false alarm
for a past accident. The set is held out: it is never copied into the intents."""

from __future__ import annotations

import json

import pytest

from bot.evaluation import evaluate, load_examples

from .conftest import ROOT

REAL = ROOT / "tests/data/real_questions.jsonl"
ACCURACY_FLOOR = 0.80
OUT_OF_SCOPE_FLOOR = 0.85
PAST_HARM_TOPICS = frozenset({"traffic_accident", "personal_injury", "work_injury", "medical_dispute"})


@pytest.fixture(scope="module")
def report(matcher) -> dict:
    return evaluate(matcher, load_examples(REAL))


def test_every_line_names_its_source():
    lines = [json.loads(line) for line in REAL.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) >= 300 and all(line.get("source") for line in lines)


def test_the_problem_is_understood(report):
    assert report["accuracy"] >= ACCURACY_FLOOR, report["confused_pairs"]


def test_questions_outside_the_bots_fields_are_refused(report):
    assert report["out_of_scope_rejection"] >= OUT_OF_SCOPE_FLOOR


def test_no_past_accident_or_injury_is_answered_as_an_emergency(matcher):
    past = [e for e in load_examples(REAL) if e.intent in PAST_HARM_TOPICS]
    alarms = [e.text for e in past if matcher.match(e.text).intent == "emergency"]
    assert len(past) >= 50 and not alarms


FRESH = ROOT / "tests/data/fresh_questions.jsonl"
# The second set was measured untouched once (0.675 / 0.624 / 0.741) and is tuned against since, in
# the engineers' own words; these floors keep what that work won.
FRESH_ACCURACY_FLOOR = 0.88
FRESH_OUT_OF_SCOPE_FLOOR = 0.90


def test_the_second_set_keeps_its_floors(matcher):
    report = evaluate(matcher, load_examples(FRESH))
    assert report["accuracy"] >= FRESH_ACCURACY_FLOOR, report["confused_pairs"]
    assert report["out_of_scope_rejection"] >= FRESH_OUT_OF_SCOPE_FLOOR
    assert report["emergency_recall"] == 1.0, report["emergencies_missed"]
    assert not report["false_emergencies"]


SELF_HARM = ROOT / "tests/data/selfharm_questions.jsonl"


def test_every_self_harm_statement_is_an_emergency(matcher):
    """148 real statements (SOS-1K); measured untouched once at 0.750 recall, then the wordings it
    missed were taught in the engineers' own patterns (`bot/core/danger.py`), never copied."""
    report = evaluate(matcher, load_examples(SELF_HARM))
    assert report["emergency_recall"] == 1.0, report["emergencies_missed"]


# Development sets of random real questions (about half out of scope), measured untouched once and
# tuned against since in the engineers' own words; these floors keep what that work won.
RANDOM_SAMPLE_FLOORS = {
    "blind_questions": (0.77, 0.80),
    "tune_a_questions": (0.77, 0.86),
    "tune_b_questions": (0.79, 0.88),
    "tune_c_questions": (0.75, 0.82),
    "tune_d_questions": (0.78, 0.89),
    # Measured untouched once (0.565 / 0.731 and 0.621 / 0.784), then used to choose the classifier's
    # share of the score and the threshold; no knowledge was written from tune_f.
    "tune_e_questions": (0.57, 0.80),
    "tune_f_questions": (0.64, 0.84),
}


def _report_above_floors(matcher, name: str, floors: dict[str, tuple[float, float]]) -> dict:
    accuracy, rejection = floors[name]
    report = evaluate(matcher, load_examples(ROOT / "tests/data" / f"{name}.jsonl"))
    assert report["accuracy"] >= accuracy, report["confused_pairs"]
    assert report["out_of_scope_rejection"] >= rejection
    return report


@pytest.mark.parametrize("name", sorted(RANDOM_SAMPLE_FLOORS))
def test_random_development_sets_keep_their_floors(matcher, name):
    assert not _report_above_floors(matcher, name, RANDOM_SAMPLE_FLOORS)["false_emergencies"]


# The two largest development sets (tune_g: 1,877 random 华律网 posts; tune_h: 1,519 consultation
# questions, mostly marriage and family), labelled blind and measured untouched once at 0.663 / 0.848
# and 0.749 / 0.672. A few questions about violent acts asked as points of law ("这是故意杀人未遂还是
# 持刀威胁") still get 110 first, so false alarms are not asserted here; every call for help is.
LARGE_SAMPLE_FLOORS = {"tune_g_questions": (0.65, 0.83), "tune_h_questions": (0.74, 0.65)}


@pytest.mark.parametrize("name", sorted(LARGE_SAMPLE_FLOORS))
def test_the_large_development_sets_keep_their_floors(matcher, name):
    report = _report_above_floors(matcher, name, LARGE_SAMPLE_FLOORS)
    assert report["emergency_recall"] == 1.0, report["emergencies_missed"]
