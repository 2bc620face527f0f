"""The web chat's per-visitor history stays bounded, remembers retried message ids, and lives in
the visitor's session (so it travels through the shared store to every worker)."""

from __future__ import annotations

from bot.channels.web import history
from bot.core.session import Session


def answer(text: str, feedback_id: int | None = None) -> dict:
    return {"text": text, "kind": "answer", "buttons": [[{"label": "在哪里办", "action": "sec:legal_aid:0"}]], "feedback_id": feedback_id, "intent": None}


def test_each_visitor_keeps_only_the_latest_messages_and_retries_are_remembered() -> None:
    kept: list[dict] = []
    for n in range(5):
        history.add(kept, 4, f"问题{n}", answer(f"回答{n}", feedback_id=n + 1), message_id=f"m{n}")
    assert [m["text"] for m in history.shown(kept)] == ["问题3", "回答3", "问题4", "回答4"]
    assert history.answered(kept, "m4")["text"] == "回答4" and history.answered(kept, "m1") is None
    assert all("message_id" not in m for m in history.shown(kept)), "the page is not shown the ids"
    assert history.given(kept, 5) is not None and history.given(kept, 1) is None  # rolled out of the history
    assert history.label(kept, "sec:legal_aid:0", []) == "在哪里办" and history.label(kept, "menu", []) is None


def test_the_history_is_redacted_and_survives_the_session_store_round_trip() -> None:
    session = Session()
    history.add(session.history, 10, "我手机13812345678被骗了", answer("请拨打110"), message_id="m1")
    again = Session.from_dict(session.to_dict())
    assert history.shown(again.history)[0] == {"role": "user", "text": "我手机[手机号]被骗了"}
    assert history.answered(again.history, "m1")["text"] == "请拨打110"
