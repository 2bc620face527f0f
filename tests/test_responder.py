"""What a resident reads, whatever the channel: the core's replies."""

from dataclasses import replace

import pytest

from bot.core.knowledge import Contact, Knowledge
from bot.core.reply import ReplyKind
from bot.core.responder import MAX_INPUT_CHARS, Responder
from bot.core.session import Session
from bot.flows import all_flows


@pytest.fixture(scope="module")
def responder(knowledge) -> Responder:
    return Responder(knowledge, all_flows())


def test_menu_offers_the_main_services(responder):
    reply = responder.menu()
    actions = {str(b.action) for b in reply.flat_buttons}
    assert {"intent:legal_aid", "intent:mediation", "intent:administrative_review", "intent:notarization"} <= actions
    assert reply.kind is ReplyKind.MENU


def _open(responder, reply, title: str) -> str:
    """The text behind the button titled ``title`` under ``reply`` (one tap)."""
    button = next(b for b in reply.flat_buttons if b.label == title)
    return responder.press(button.action, Session()).text


def test_guidance_cites_the_law_one_tap_away_and_names_the_national_hotline(responder):
    reply = responder.respond("法律援助怎么申请", Session())
    assert reply.kind is ReplyKind.ANSWER and reply.intent == "legal_aid"
    assert "12348" in reply.text
    basis = _open(responder, reply, "法律依据")
    assert "法律援助法" in basis and "第三十一条" in basis
    assert "12348" in _open(responder, reply, "在哪里办")  # no local contacts filled in: the hotline
    assert reply.wants_feedback


def test_a_section_has_a_way_back_to_the_answer(responder):
    reply = responder.respond("法律援助怎么申请", Session())
    basis = responder.press(next(b.action for b in reply.flat_buttons if b.label == "法律依据"), Session())
    back = next(b for b in basis.flat_buttons if "返回" in b.label)
    assert responder.press(back.action, Session()).text == reply.text
    assert len({b.label for b in reply.flat_buttons}) == len(reply.flat_buttons)  # no button twice


def test_filled_contacts_replace_the_hotline_note(knowledge):
    contacts = dict(knowledge.contacts)
    contacts["legal_aid_center"] = Contact("legal_aid_center", name="测试法律援助中心", phone="023-00000000")
    responder = Responder(Knowledge(knowledge.intents, contacts, knowledge.directory))
    text = _open(responder, responder.press("intent:legal_aid", Session()), "在哪里办")
    assert "测试法律援助中心" in text and "023-00000000" in text


def test_out_of_scope_gets_a_polite_fallback_with_12348_and_the_menu(responder):
    reply = responder.respond("明天万州会不会下雨", Session())
    assert reply.kind is ReplyKind.FALLBACK and reply.intent is None
    assert "12348" in reply.text
    assert "intent:legal_aid" in {str(b.action) for b in reply.flat_buttons}


def test_emergency_puts_110_before_anything_else(responder):
    reply = responder.respond("救命！有人拿刀要杀我", Session())
    assert reply.kind is ReplyKind.EMERGENCY
    first_lines = reply.text.split("\n\n")[0]
    assert "110" in first_lines
    assert reply.text.index("110") < 80


def test_pressing_a_service_button_shows_its_guidance(responder):
    reply = responder.press("intent:notarization", Session())
    assert reply.intent == "notarization" and "公证" in reply.text


def test_stale_or_unknown_button_is_explained_not_crashed(responder):
    reply = responder.press("intent:does_not_exist", Session())
    assert reply.kind is ReplyKind.FALLBACK and reply.flat_buttons


def test_empty_and_huge_messages_are_handled(responder):
    assert responder.respond("   ", Session()).kind is ReplyKind.FALLBACK
    huge = "我想问下法律援助怎么申请。" * 1000
    reply = responder.respond(huge, Session())
    assert reply.intent == "legal_aid"
    assert len(huge) > MAX_INPUT_CHARS


def test_reload_swaps_knowledge_atomically(knowledge):
    responder = Responder(knowledge)
    assert responder.respond("法律援助怎么申请", Session()).intent == "legal_aid"
    trimmed = Knowledge(tuple(i for i in knowledge.intents if i.id != "legal_aid"),
                        knowledge.contacts, knowledge.directory)
    responder.reload(trimmed)
    assert responder.respond("法律援助怎么申请", Session()).intent != "legal_aid"


def test_ambiguous_message_offers_both_intents(knowledge):
    mediation = knowledge["mediation"]
    twin = replace(mediation, id="mediation_twin", title="调解（副本）")
    responder = Responder(Knowledge(knowledge.intents + (twin,), knowledge.contacts, knowledge.directory))
    reply = responder.respond(mediation.examples[0], Session())
    assert reply.kind is ReplyKind.AMBIGUOUS
    assert {"intent:mediation", "intent:mediation_twin"} <= {str(b.action) for b in reply.flat_buttons}


def test_the_fallback_wording_comes_from_the_out_of_scope_intent(knowledge, responder):
    reply = responder.respond("帮我写一首诗", Session())
    assert reply.kind is ReplyKind.FALLBACK
    assert reply.text.startswith(knowledge["out_of_scope"].summary.strip()[:20])


def test_a_legal_question_outside_the_bots_fields_gets_its_own_fallback(responder):
    reply = responder.respond("去日本旅游的签证要怎么办理", Session())
    assert reply.kind is ReplyKind.FALLBACK and reply.intent is None
    assert "不在本助手" in reply.text and "12348" in reply.text
