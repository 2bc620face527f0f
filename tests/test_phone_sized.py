"""Every topic and service answer fits a phone on every channel: the first message is at most 300
characters before its buttons, and every section is one tap away, with a way back."""

from __future__ import annotations

import html

import pytest

from bot.channels.telegram.render import render
from bot.channels.terminal import render as terminal_render
from bot.core import actions
from bot.core.actions import ActionKind
from bot.core.responder import Responder
from bot.core.session import Session
from bot.flows import all_flows
from bot.intent_check import SUMMARY_MAX_CHARS

TOPICS = (
    "wage_arrears", "labour_dispute", "work_injury", "divorce", "family_support", "inheritance", "domestic_violence",
    "traffic_accident", "personal_injury", "debt_dispute", "neighbour_dispute", "property_management", "tenancy",
    "consumer_rights", "fraud", "medical_dispute", "land_and_demolition", "criminal_case",
)


@pytest.fixture(scope="module")
def responder(knowledge) -> Responder:
    return Responder(knowledge, all_flows())


def answered(knowledge) -> list[str]:
    return [i.id for i in knowledge.intents if i.kind in ("service", "topic") and not i.out_of_scope]


def test_every_fixed_topic_exists_as_a_topic(knowledge):
    assert all(knowledge.get(t) is not None and knowledge[t].kind == "topic" for t in TOPICS)


def test_every_first_message_fits_a_phone_on_telegram_and_in_the_terminal(knowledge, responder):
    for intent_id in answered(knowledge):
        reply = responder.press(actions.intent(intent_id), Session())
        [telegram] = render(reply)  # one message: the text and its keyboard
        assert len(reply.text) <= SUMMARY_MAX_CHARS, intent_id
        assert telegram.markup and html.unescape(telegram.html) == reply.text, intent_id  # the summary, nothing added
        shown = terminal_render(reply)
        assert shown.startswith(reply.text) and "  [1] " in shown, intent_id


def test_every_section_opens_in_one_tap_with_a_way_back(knowledge, responder):
    for intent_id in answered(knowledge):
        reply = responder.press(actions.intent(intent_id), Session())
        sections = [b for b in reply.flat_buttons if b.action.kind is ActionKind.SECTION]
        assert sections, intent_id
        assert any(b.label == "法律依据" for b in sections) or not knowledge[intent_id].sources, intent_id
        for button in sections:
            opened = responder.press(button.action, Session())
            assert opened.text and button.label in opened.text.split("\n", 1)[0], (intent_id, button.label)
            back = [b for b in opened.flat_buttons if b.action == actions.intent(intent_id)]
            assert back, (intent_id, button.label)
        labels = [b.label for b in reply.flat_buttons]
        assert len(labels) == len(set(labels)), intent_id  # no button twice
