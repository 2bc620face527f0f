"""A `Reply` as the JSON the page (and any other front end) reads, and the texts the page shows."""

from __future__ import annotations

from typing import Any

from ...conversation import Outcome
from ...core.reply import Reply

Answer = dict[str, Any]


def answer(reply: Reply, feedback_id: int | None = None) -> Answer:
    """``{"text", "kind", "buttons": [[{"label", "action"}]], "feedback_id", "intent"}``."""
    return {
        "text": reply.text,
        "kind": reply.kind.value,
        "buttons": [[{"label": b.label, "action": b.action.encode()} for b in row] for row in reply.buttons],
        "feedback_id": feedback_id,
        "intent": reply.intent,
    }


def outcome_answer(outcome: Outcome) -> Answer:
    assert outcome.reply is not None, "a dropped turn has no answer"
    return answer(outcome.reply, outcome.feedback_id)


def privacy_note(retention_days: int, visitor_hours: int) -> str:
    """What is logged, for how long, and that personal numbers are removed — shown before the first message."""
    kept = (
        f"记录保存 {retention_days} 天，到期自动删除。"
        if retention_days
        else "记录由工作人员按规定保管，用于统计和改进服务。"
    )
    return (
        "隐私说明：本页不用登录，不收集姓名。您发的问题和机器人的回答会记录下来，用于改进解答；"
        "记录前会自动去掉手机号、电话、身份证号、银行卡号和邮箱。"
        + kept
        + f"浏览器里只保存一个随机编号（Cookie），让您刷新页面后还能看到 {visitor_hours} 小时内的对话。"
        "请不要发送别人的个人信息。"
    )
