"""Reply → Telegram messages: escaping, 4096-character parts split at paragraphs, keyboards."""

from __future__ import annotations

import html

from telegram import InlineKeyboardMarkup

from bot.channels.telegram.render import (
    MAX_CALLBACK_BYTES,
    MAX_MESSAGE_CHARS,
    button_label,
    feedback_data,
    parse_feedback,
    render,
    split_text,
    tg_len,
    without_feedback,
)
from bot.core import actions
from bot.core.actions import Action, ActionKind
from bot.core.reply import Button, Reply, ReplyKind


def _reply(text: str, buttons=(), kind=ReplyKind.ANSWER) -> Reply:
    return Reply(text, kind, buttons, intent="legal_aid", score=90.0, wants_feedback=True)


def test_html_special_characters_are_escaped():
    [part] = render(_reply("工资<5000元 & 没合同 <b>不是标签</b>"))
    assert part.html == "工资&lt;5000元 &amp; 没合同 &lt;b&gt;不是标签&lt;/b&gt;"
    assert html.unescape(part.html) == "工资<5000元 & 没合同 <b>不是标签</b>"


def test_short_reply_is_one_message_with_its_buttons_and_feedback_row():
    reply = _reply("法律援助怎么申请……", ((Button("人民调解", actions.intent("mediation")), Button("菜单", actions.MENU)),))
    [part] = render(reply, inquiry_id=42)
    rows = part.markup["inline_keyboard"]
    assert rows[0] == [{"text": "人民调解", "callback_data": "intent:mediation"}, {"text": "菜单", "callback_data": "menu"}]
    assert [b["callback_data"] for b in rows[-1]] == ["fb:up:42", "fb:down:42"]
    assert "👍" in rows[-1][0]["text"] and "👎" in rows[-1][1]["text"]


def test_no_feedback_row_without_an_inquiry_id_and_no_keyboard_without_buttons():
    assert render(_reply("你好"))[0].markup is None


def test_long_reply_splits_at_paragraphs_with_buttons_on_the_last_part():
    paragraphs = [f"第{n}段：" + "法律援助" * 300 for n in range(8)]  # 8 × ~1204 chars
    reply = _reply("\n\n".join(paragraphs), ((Button("菜单", actions.MENU),),))
    parts = render(reply, inquiry_id=7)
    assert len(parts) >= 3
    assert all(tg_len(p.html) <= MAX_MESSAGE_CHARS for p in parts)
    assert all(p.markup is None for p in parts[:-1]) and parts[-1].markup is not None
    # Nothing lost, nothing cut inside a paragraph.
    rejoined = [para for p in parts for para in html.unescape(p.html).split("\n\n")]
    assert rejoined == paragraphs


def test_escaping_growth_is_counted_before_splitting():
    text = "<&>" * 2000  # 6000 raw characters, 26000 once escaped
    parts = split_text(text)
    assert all(tg_len(html.escape(p, quote=False)) <= MAX_MESSAGE_CHARS for p in parts)
    assert "".join(parts) == text


def test_one_enormous_line_is_cut_and_emoji_count_as_two_units():
    text = "😀" * 3000  # 6000 UTF-16 units in one line
    parts = split_text(text)
    assert len(parts) == 2 and all(tg_len(p) <= MAX_MESSAGE_CHARS for p in parts)
    assert "".join(parts) == text


def test_long_lines_split_at_line_breaks_before_anywhere():
    lines = [f"第{n}行" + "调" * 900 for n in range(10)]
    parts = split_text("\n".join(lines))
    assert [line for p in parts for line in p.split("\n")] == lines


def test_empty_text_still_renders_something_sendable():
    assert render(_reply("  "))[0].html.strip()


def test_callback_data_over_64_bytes_is_dropped_not_sent():
    long_action = Action(ActionKind.INTENT, "x" * 60)
    assert len(long_action.encode().encode()) > MAX_CALLBACK_BYTES
    [part] = render(_reply("x", ((Button("太长", long_action), Button("菜单", actions.MENU)),)))
    assert [b["callback_data"] for row in part.markup["inline_keyboard"] for b in row] == ["menu"]


def test_feedback_data_round_trips_and_rejects_junk():
    assert parse_feedback(feedback_data("up", 12)) == ("up", 12)
    assert parse_feedback(feedback_data("down", 3)) == ("down", 3)
    for junk in ("fb:sideways:1", "fb:up:x", "intent:legal_aid", "fb:up", ""):
        assert parse_feedback(junk) is None
    assert len(feedback_data("down", 10**15).encode()) <= MAX_CALLBACK_BYTES


def _as_received(markup: dict) -> InlineKeyboardMarkup:
    """The keyboard as PTB parses it when Telegram sends the message back in an update."""
    return InlineKeyboardMarkup.de_json(markup, None)


def test_without_feedback_keeps_other_rows_and_button_label_finds_the_pressed_one():
    [part] = render(_reply("x", ((Button("人民调解", actions.intent("mediation")),),)), inquiry_id=5)
    received = _as_received(part.markup)
    remaining = without_feedback(received)
    assert [[b.callback_data for b in row] for row in remaining.inline_keyboard] == [["intent:mediation"]]
    assert without_feedback(_as_received(render(_reply("x"), inquiry_id=5)[0].markup)) is None
    assert button_label(received, "intent:mediation") == "人民调解"
    assert button_label(received, "intent:nope") is None
