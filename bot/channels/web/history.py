"""What a visitor was shown, so a reload (or a second tab) shows the conversation again.

Kept in the visitor's conversation session (`Session.history`), which the store shares between
workers: a reload, a 👍/👎 or a retried message may reach another worker than the one that
answered. At most `WebSettings.history_messages` messages; the session store forgets idle
sessions (a day). Text is redacted before it is kept, like everything the store writes. The
history also answers three questions the API must not trust the browser with: which label a
pressed button had, whether a 👍/👎 is on an answer this visitor was given, and whether a message
id was answered already (a retry).
"""

from __future__ import annotations

from typing import Any

from ...store.redact import redact

Message = dict[str, Any]
MESSAGE_ID = "message_id"  # kept on an answer for retries, never shown


def shown(history: list[Message]) -> list[Message]:
    """The messages as the page shows them."""
    return [{k: v for k, v in m.items() if k != MESSAGE_ID} for m in history]


def add(history: list[Message], limit: int, said: str, answer: Message, message_id: str | None = None) -> Message:
    """Remember one exchange (what the visitor said, if anything, and the answer), keeping the
    newest ``limit`` messages; returns the answer as kept (redacted)."""
    if said:
        history.append({"role": "user", "text": redact(said)})
    kept = {**answer, "role": "bot", "text": redact(answer["text"]), "feedback": None}
    history.append({**kept, MESSAGE_ID: message_id} if message_id else kept)
    del history[:-limit]
    return kept


def answered(history: list[Message], message_id: str | None) -> Message | None:
    """The answer already given to this message id (a retry is answered from here)."""
    found = next((m for m in history if message_id and m.get(MESSAGE_ID) == message_id), None)
    return shown([found])[0] if found else None


def label(history: list[Message], action: str, menu: list[list[Message]]) -> str | None:
    """The label of the newest button with this action the visitor was shown (or on the menu)."""
    for rows in [*(m.get("buttons") or [] for m in reversed(history)), menu]:
        for row in rows:
            for button in row:
                if button["action"] == action:
                    return button["label"]
    return None


def given(history: list[Message], inquiry_id: int) -> Message | None:
    """The answer with this feedback id that this visitor was given (None: not theirs, or forgotten)."""
    return next((m for m in reversed(history) if m.get("feedback_id") == inquiry_id), None)
