"""The matcher's second opinion: a classifier trained on the examples, blended into the score."""

import json
import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.core import classifier
from bot.core.knowledge import Knowledge
from bot.core.matcher import Matcher

from .conftest import run_cli


def test_a_relative_arrested_for_fraud_is_a_criminal_case_not_a_scam_to_report(matcher):
    # The sounds alone favour fraud (诈骗 is its word); the classifier has learned that 抓了 with a
    # family member is about the detained person, whose answer is a defence lawyer and time limits.
    assert matcher.match("老公被公安局抓了，说是涉嫌诈骗，我该怎么办").intent == "criminal_case"


def test_training_is_deterministic_and_shared_by_matchers_on_the_same_knowledge(knowledge):
    first, second = Matcher(knowledge), Matcher(knowledge)
    assert first._classifier is second._classifier  # one training per knowledge version
    rebuilt = Knowledge(tuple(replace(i) for i in knowledge.intents), knowledge.contacts, knowledge.directory)
    examples = tuple((i.id, i.examples) for i in rebuilt.intents)
    fresh = classifier._fit(examples, *classifier._training_set(examples))
    text = "工地老板拖了我半年工钱"
    assert np.array_equal(fresh.probabilities(text), first._classifier.probabilities(text))


def test_an_edited_example_gives_a_new_model(knowledge):
    edited = Knowledge(
        tuple(replace(i, examples=i.examples + ("邻居家的狗天天半夜叫",)) if i.id == "neighbour_dispute" else i for i in knowledge.intents),
        knowledge.contacts,
        knowledge.directory,
    )
    assert Matcher(edited)._classifier is not Matcher(knowledge)._classifier


def test_a_call_for_help_is_not_blended_away(matcher):
    match = matcher.match("救命，有人拿刀在砍我")
    assert match.intent == "emergency" and match.score >= 70


def test_match_json_shows_the_sound_and_classifier_parts(cli):
    out = run_cli("match", "--json", "老板拖欠我三个月工资，打电话也不接，过年都回不了家")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    top = result["evidence"][0]
    assert result["intent"] == top["intent"] == "wage_arrears"
    assert 0 < top["classifier_score"] <= 100 and 0 < top["sound_score"] <= 100
    # a message of 16 characters or more gets the documented blend, 0.6 × sound + 0.4 × classifier
    # (sound evidence past 100 is shown capped at 100, so the blend is at least that of the parts)
    blend = 0.6 * top["sound_score"] + 0.4 * top["classifier_score"]
    assert blend - 0.2 <= top["score"] <= max(top["sound_score"], top["classifier_score"]) + 0.2


SMALL = (("wage_arrears", ("老板拖欠工资", "包工头不给工钱")), ("divorce", ("我想离婚", "离婚孩子归谁")))


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user cache folder of the test's own, and no model trained in memory yet."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    classifier._train.cache_clear()
    yield tmp_path / "cache" / "legalbot" / "models"
    classifier._train.cache_clear()


@pytest.fixture
def trainings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts real trainings (the real `_fit` runs)."""
    calls: list[int] = []
    fit = classifier._fit

    def counted(examples, texts, labels):
        calls.append(len(examples))
        return fit(examples, texts, labels)

    monkeypatch.setattr(classifier, "_fit", counted)
    return calls


def test_a_trained_model_is_kept_for_the_next_start(cache_home: Path, trainings: list[int]) -> None:
    first = classifier._train(SMALL)
    assert trainings == [2] and len(list(cache_home.glob("*.pickle"))) == 1
    classifier._train.cache_clear()  # as a new process would start
    again = classifier._train(SMALL)
    assert trainings == [2]  # loaded, not trained
    assert np.array_equal(again.probabilities("工钱不给"), first.probabilities("工钱不给"))
    edited = (SMALL[0], ("divorce", SMALL[1][1] + ("协议离婚怎么办",)))
    classifier._train(edited)
    assert trainings == [2, 2] and len(list(cache_home.glob("*.pickle"))) == 2  # an edit never meets a stale model


def test_a_damaged_kept_model_is_trained_again_and_replaced(cache_home: Path, trainings: list[int]) -> None:
    classifier._train(SMALL)
    (kept,) = cache_home.glob("*.pickle")
    kept.write_bytes(b"not a model")
    classifier._train.cache_clear()
    model = classifier._train(SMALL)
    assert trainings == [2, 2] and model.probabilities("拖欠工资").argmax() == 0
    classifier._train.cache_clear()
    classifier._train(SMALL)
    assert trainings == [2, 2]  # the replacement loads


def test_a_cache_folder_that_cannot_be_written_only_costs_the_training(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    classifier._train.cache_clear()
    try:
        assert classifier._train(SMALL).probabilities("我想离婚").argmax() == 1
    finally:
        classifier._train.cache_clear()
    assert blocker.read_text() == ""


def test_only_the_most_recently_used_models_are_kept(cache_home: Path) -> None:
    cache_home.mkdir(parents=True)
    for n in range(classifier._CACHED_MODELS):
        old = cache_home / f"{n:064x}.pickle"
        old.write_bytes(b"")
        os.utime(old, (n, n))
    classifier._train(SMALL)
    kept = {p.name for p in cache_home.glob("*.pickle")}
    assert len(kept) == classifier._CACHED_MODELS and f"{0:064x}.pickle" not in kept  # the oldest went
    assert not list(cache_home.glob("*.partial"))
