"""Replies as WeChat text messages: numbered choices, and splits that keep within WeChat's bytes."""

from __future__ import annotations

from bot.channels.wechat import WeChatSettings
from bot.channels.wechat import render
from bot.core import actions
from bot.core.reply import Button, Reply, ReplyKind

LIMIT = WeChatSettings(token="t0k", appid="wx" + "0" * 16, secret="s" * 32).max_text_bytes


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def answer(text: str, *buttons: Button) -> Reply:
    return Reply(text, ReplyKind.ANSWER, (tuple(buttons),) if buttons else (), intent="legal_aid")


def test_buttons_become_numbered_choices_with_a_way_back_to_the_menu():
    reply = answer(
        "可以申请法律援助。",
        Button("时限", actions.section("legal_aid", 4)),
        Button("法律援助自测", actions.flow("eligibility")),
        Button("« 返回", actions.intent("legal_aid")),
    )
    (text,) = render.messages(reply, LIMIT, 3)
    assert text == "可以申请法律援助。\n\n回复 1 查看“时限”\n回复 2 选择“法律援助自测”\n回复 3 查看“返回”\n回复“菜单”回到主菜单。"


def test_the_menu_itself_has_no_menu_hint_and_a_reply_without_buttons_no_choices():
    menu = Reply("您好！", ReplyKind.MENU, ((Button("法律援助", actions.intent("legal_aid")),),))
    assert render.messages(menu, LIMIT, 3) == ["您好！\n\n回复 1 查看“法律援助”"]
    assert render.messages(answer("请拨打 110 或 120，或 12348。"), LIMIT, 3) == ["请拨打 110 或 120，或 12348。"]


def test_a_long_answer_is_cut_at_paragraphs_within_wechats_limit():
    paragraphs = [f"第{n}段：" + "法律援助是国家建立的为经济困难公民提供无偿法律服务的制度。" * 6 for n in range(12)]
    reply = answer("\n\n".join(paragraphs), Button("时限", actions.section("legal_aid", 4)))
    parts = render.messages(reply, LIMIT, 10)
    assert len(parts) > 1
    assert all(size(p) <= LIMIT for p in parts)
    assert all(p.startswith("第") for p in parts)  # each part begins with a paragraph
    assert "\n\n".join(parts) == "\n\n".join(paragraphs) + "\n\n回复 1 查看“时限”\n回复“菜单”回到主菜单。"


def test_a_paragraph_longer_than_a_message_is_cut_between_characters():
    text = "调解" * 1500  # 6000 bytes, no line breaks
    parts = render.split(text, LIMIT)
    assert all(size(p) <= LIMIT for p in parts) and "".join(parts) == text
    assert [size(p) for p in parts[:-1]] == [2046] * (len(parts) - 1)  # whole 3-byte characters only


def test_too_long_for_the_allowed_messages_the_body_is_cut_with_a_note_and_the_choices_kept():
    reply = answer("\n\n".join(["很长的一段说明。" * 80] * 6), Button("时限", actions.section("legal_aid", 4)))
    parts = render.messages(reply, LIMIT, 3)
    assert len(parts) == 3 and all(size(p) <= LIMIT for p in parts)
    assert parts[1].endswith(render.CUT_NOTE)
    assert parts[2] == "回复 1 查看“时限”\n回复“菜单”回到主菜单。"


def test_characters_xml_cannot_carry_are_dropped():
    assert render.messages(answer("第一\x00行\x08\n第二行"), LIMIT, 3) == ["第一行\n第二行"]
