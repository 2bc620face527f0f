"""A `Reply` as WeChat text messages: buttons become numbered choices, long text is split.

WeChat shows no buttons under a message, so each is a line "回复 1 查看“时限”" and the
conversation service (``numbered=True``) maps the resident's next "1" back to it. A text message
carries at most `WeChatSettings.max_text_bytes` bytes of UTF-8; a longer answer is cut at
paragraphs (then lines, then characters) and its choices stay together in the last part.
Phone numbers such as 110, 120 and 12348 stay plain text: WeChat makes them tappable itself.
"""

from __future__ import annotations

import re

from ...core.actions import ActionKind
from ...core.reply import Button, Reply, ReplyKind

MENU_HINT = "回复“菜单”回到主菜单。"
CUT_NOTE = "……（内容较长，未显示完。可以回复“菜单”，或拨打 12348 公共法律服务热线咨询。）"
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot carry


def choice_line(number: int, button: Button) -> str:
    label = button.label.lstrip("« ").strip()
    verb = "选择" if button.action.kind is ActionKind.FLOW else "查看"
    return f"回复 {number} {verb}“{label}”"


def choices(reply: Reply) -> str:
    """The reply's buttons as numbered choices (and the way back to the menu), or "" without any."""
    if not reply.flat_buttons:
        return ""
    lines = [choice_line(n, b) for n, b in enumerate(reply.flat_buttons, 1)]
    return "\n".join(lines if reply.kind is ReplyKind.MENU else [*lines, MENU_HINT])


def clean(text: str) -> str:
    """Text a WeChat XML reply can carry: no XML-illegal control characters."""
    return _NOT_XML.sub("", text)


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _hard_cut(text: str, limit: int) -> list[str]:
    """A paragraph-free run longer than a message, cut at characters (never inside one)."""
    parts, current = [], ""
    for char in text:
        if _size(current + char) > limit:
            parts.append(current)
            current = ""
        current += char
    return [*parts, current] if current else parts


def _pack(pieces: list[str], joiner: str, limit: int) -> list[str]:
    """Greedily join pieces into parts of at most `limit` bytes; a piece too big is cut finer."""
    parts: list[str] = []
    current = ""
    for piece in pieces:
        candidate = current + joiner + piece if current else piece
        if _size(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        if _size(piece) <= limit:
            current = piece
        else:
            finer = _pack(piece.split("\n"), "\n", limit) if joiner == "\n\n" else _hard_cut(piece, limit)
            parts += finer[:-1]
            current = finer[-1] if finer else ""
    return [*parts, current] if current else parts


def split(text: str, limit: int) -> list[str]:
    """`text` in parts of at most `limit` bytes of UTF-8, cut at paragraphs where possible."""
    return _pack(text.split("\n\n"), "\n\n", limit) or [""]


def _with_cut_note(text: str, limit: int) -> str:
    while text and _size(text + "\n" + CUT_NOTE) > limit:
        text = text[:-1]
    return text + "\n" + CUT_NOTE


def messages(reply: Reply, limit: int, max_messages: int) -> list[str]:
    """The reply as at most `max_messages` texts of at most `limit` bytes each, its choices whole
    at the end (a body too long for that is cut, with a note saying so)."""
    tail = split(clean(choices(reply)), limit) if reply.flat_buttons else []
    body = split(clean(reply.text.strip()), limit)
    room = max(1, max_messages - len(tail))
    if len(body) > room:
        body = [*body[: room - 1], _with_cut_note(body[room - 1], limit)]
    if tail and _size(body[-1] + "\n\n" + tail[0]) <= limit:
        body[-1] += "\n\n" + tail.pop(0)
    return [*body, *tail][:max_messages]
