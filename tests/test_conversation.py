"""The conversation service on its own: one turn, numbered choices, flood control, logging."""

from __future__ import annotations

import pytest

from bot.conversation import Conversation, Turn
from bot.conversation.limits import FloodGate
from bot.core.knowledge import load_knowledge
from bot.core.reply import ReplyKind
from bot.core.responder import Responder
from bot.flows import all_flows
from bot.store import open_store


@pytest.fixture
async def conversation(tmp_path):
    store = await open_store(str(tmp_path / "log.sqlite3"))
    yield Conversation(Responder(load_knowledge(), all_flows()), store)
    await store.close()


async def _say(conversation: Conversation, text: str, **extra) -> "object":
    outcome = await conversation.turn(Turn("terminal", "resident-1", text, numbered=True, **extra))
    await outcome.commit()
    return outcome


async def test_a_question_is_answered_and_logged_with_its_channel(conversation):
    outcome = await _say(conversation, "法律援助怎么申请")
    assert outcome.reply.intent == "legal_aid" and outcome.feedback_id is not None
    [logged] = await conversation.store.inquiries()
    assert logged.channel == "terminal" and logged.intent == "legal_aid" and logged.user != "resident-1"


async def test_a_number_presses_the_choice_last_offered(conversation):
    menu = await _say(conversation, "", command="menu")
    labels = [b.label for b in menu.reply.flat_buttons]
    second = await _say(conversation, "2")
    assert second.reply.intent is not None and second.reply.kind is ReplyKind.ANSWER
    assert conversation.responder.knowledge[second.reply.intent].title == labels[1]
    [logged] = await conversation.store.inquiries()
    assert logged.text == labels[1]  # a press is logged under the label the resident chose


async def test_a_number_with_no_choices_offered_is_just_text(conversation):
    outcome = await _say(conversation, "7")
    assert outcome.reply.kind is ReplyKind.FALLBACK


async def test_a_flood_is_dropped_with_one_note(conversation):
    conversation.flood = FloodGate(burst=2, rate=0.001)
    outcomes = [await conversation.turn(Turn("web", "fast", "你好")) for _ in range(5)]
    assert [o.dropped for o in outcomes] == [False, False, True, True, True]
    assert [o.notice is not None for o in outcomes[2:]] == [True, False, False]
