"""The matcher's second opinion: a classifier trained on the examples, blended into the score."""

import json
from dataclasses import replace

import numpy as np

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
    fresh = classifier._train.__wrapped__(tuple((i.id, i.examples) for i in rebuilt.intents))
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
