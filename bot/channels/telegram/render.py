"""`Reply` → Telegram messages: escaped HTML text, inline keyboards, and splitting at 4096.

Pure functions, no network: the Telegram adapter sends what `render` returns. Telegram counts a
message's length in UTF-16 code units after entity parsing; we measure the *escaped* text in
UTF-16 units, which is never less, so every part is safe to send as it is. Keyboards are built
as the Bot API's JSON (``{"inline_keyboard": [[{"text", "callback_data"}]]}``) rather than PTB
objects: a reply's keyboard is only ever sent, and building then serialising PTB objects cost
about 0.5 ms of CPU per reply.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from ...core import actions
from ...core.actions import ActionKind
from ...core.reply import Button, Reply

MAX_MESSAGE_CHARS = 4096
MAX_CALLBACK_BYTES = 64
FEEDBACK_PREFIX = ActionKind.FEEDBACK.value + ":"
FEEDBACK_UP_LABEL = "👍 有帮助"
FEEDBACK_DOWN_LABEL = "👎 没帮助"

logger = logging.getLogger(__name__)


Keyboard = dict[str, list[list[dict[str, str]]]]  # the Bot API's InlineKeyboardMarkup as JSON


@dataclass(frozen=True)
class OutgoingMessage:
    """One Telegram message: HTML text (already escaped) and an optional inline keyboard."""

    html: str
    markup: Keyboard | None = None


def tg_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def _fits(text: str, limit: int) -> bool:
    return tg_len(escape(text)) <= limit


def _pack(pieces: list[str], sep: str, limit: int) -> list[str]:
    """Greedily join pieces with `sep` into chunks that fit; pieces are assumed to fit alone."""
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{sep}{piece}" if current else piece
        if current and not _fits(candidate, limit):
            chunks.append(current)
            current = piece
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


def _hard_split(text: str, limit: int) -> list[str]:
    """Last resort for one enormous line: cut by characters (escaping is per character, so costs add up)."""
    chunks: list[str] = []
    start, used = 0, 0
    for index, char in enumerate(text):
        cost = tg_len(escape(char))
        if used + cost > limit:
            chunks.append(text[start:index])
            start, used = index, 0
        used += cost
    return chunks + [text[start:]]


def split_text(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Split raw text so each part's escaped form fits `limit`: at blank lines, then lines, then anywhere."""
    text = text.strip() or "…"
    if _fits(text, limit):
        return [text]
    paragraphs: list[str] = []
    for paragraph in text.split("\n\n"):
        if _fits(paragraph, limit):
            paragraphs.append(paragraph)
            continue
        lines: list[str] = []
        for line in paragraph.split("\n"):
            lines += [line] if _fits(line, limit) else _hard_split(line, limit)
        paragraphs += _pack(lines, "\n", limit)
    return [chunk.strip() or "…" for chunk in _pack(paragraphs, "\n\n", limit)]


def feedback_data(value: str, inquiry_id: int) -> str:
    return actions.feedback(value, inquiry_id).encode()


def parse_feedback(data: str) -> tuple[str, int] | None:
    """``fb:up:17`` → ("up", 17); anything else → None."""
    action = actions.parse(data)
    if action is None or action.kind is not ActionKind.FEEDBACK:
        return None
    return action.target, action.inquiry_id


def _button(label: str, data: str) -> dict[str, str] | None:
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        logger.warning("button %r dropped: callback data over %d bytes", data, MAX_CALLBACK_BYTES)
        return None
    return {"text": label, "callback_data": data}


def keyboard(rows: tuple[tuple[Button, ...], ...], inquiry_id: int | None = None) -> Keyboard | None:
    """Inline keyboard for the reply's buttons, plus a 👍/👎 row when an inquiry id is given."""
    keyboard_rows = [kept for row in rows if (kept := [b for b in (_button(x.label, x.action.encode()) for x in row) if b])]
    if inquiry_id is not None:
        keyboard_rows.append(
            [
                {"text": FEEDBACK_UP_LABEL, "callback_data": feedback_data("up", inquiry_id)},
                {"text": FEEDBACK_DOWN_LABEL, "callback_data": feedback_data("down", inquiry_id)},
            ]
        )
    return {"inline_keyboard": keyboard_rows} if keyboard_rows else None


def without_feedback(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """The keyboard of a message we sent (as PTB parsed it from an update) minus the feedback row,
    after a vote, so nobody votes twice."""
    if markup is None:
        return None
    rows = [
        list(row)
        for row in markup.inline_keyboard
        if not any(isinstance(b.callback_data, str) and b.callback_data.startswith(FEEDBACK_PREFIX) for b in row)
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def render(reply: Reply, inquiry_id: int | None = None) -> list[OutgoingMessage]:
    """The messages that show `reply`; the keyboard goes under the last one.

    ``inquiry_id`` adds the feedback row (the adapter passes it when ``reply.wants_feedback``
    and the inquiry was logged).
    """
    parts = split_text(reply.text)
    markup = keyboard(reply.buttons, inquiry_id)
    return [OutgoingMessage(escape(part), markup if n == len(parts) - 1 else None) for n, part in enumerate(parts)]


def button_label(markup: InlineKeyboardMarkup | None, data: str) -> str | None:
    """The label of the button carrying `data` (what the user saw and pressed)."""
    for row in markup.inline_keyboard if markup else ():
        for button in row:
            if button.callback_data == data:
                return button.text
    return None
