"""The web chat's per-visitor history stays bounded: messages per visitor, visitors, idle time."""

from __future__ import annotations

from bot.channels.web.history import VisitorHistory


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def answer(text: str, feedback_id: int | None = None) -> dict:
    return {"text": text, "kind": "answer", "buttons": [[{"label": "在哪里办", "action": "sec:legal_aid:0"}]], "feedback_id": feedback_id, "intent": None}


def test_each_visitor_keeps_only_the_latest_messages_and_retries_are_remembered() -> None:
    history = VisitorHistory(per_visitor=4, max_visitors=10, idle_seconds=60, clock=Clock())
    for n in range(5):
        history.add("a", f"问题{n}", answer(f"回答{n}", feedback_id=n + 1), message_id=f"m{n}")
    assert [m["text"] for m in history.messages("a")] == ["问题3", "回答3", "问题4", "回答4"]
    assert history.answered("a", "m4")["text"] == "回答4" and history.answered("b", "m4") is None
    assert history.given("a", 5) is not None and history.given("a", 1) is None  # rolled out of the history
    assert history.label("a", "sec:legal_aid:0", []) == "在哪里办" and history.label("a", "menu", []) is None


def test_the_least_recent_visitors_and_idle_ones_are_forgotten() -> None:
    clock = Clock()
    history = VisitorHistory(per_visitor=10, max_visitors=2, idle_seconds=60, clock=clock)
    history.add("a", "你好", answer("您好"))
    history.add("b", "你好", answer("您好"))
    history.add("a", "还在吗", answer("在"))  # a is now the most recent
    history.add("c", "你好", answer("您好"))
    assert (history.known("a"), history.known("b"), history.known("c")) == (True, False, True)
    clock.now += 61
    assert not history.known("a") and len(history) == 0
