"""Questions answered by buttons, and the final answer, shared by the guided flows so they behave alike.

Every question carries a 退出 button, and a 返回上一步 button once there is a step to go back to.
A button's action is ``flow:<name>:<step>:<code>``: the step lets a flow ignore a stale button
from an earlier message, and the codes are short because Telegram limits callback data to 64 bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..core.compose import rows
from ..core import actions
from ..core.normalise import normalise
from ..core.reply import Button, Reply, ReplyKind
from ..core.responder import FLOW_STOPPED
from ..core.session import Session

BACK, STOP = "back", "stop"
BACK_LABEL, STOP_LABEL = "返回上一步", "退出"
STALE_NOTE = "这个按钮已经过期，请回答当前这一步："


@dataclass(frozen=True)
class Choice:
    code: str
    label: str


@dataclass(frozen=True)
class Question:
    step: str
    text: str
    choices: tuple[Choice, ...] = ()
    per_row: int = 2

    def choice(self, code: str) -> Choice | None:
        return next((c for c in self.choices if c.code == code), None)


def payload_for(step: str, code: str) -> str:
    return f"{step}:{code}"


def split_payload(payload: str) -> tuple[str, str]:
    """``"m:wage"`` → ``("m", "wage")``; a control (back, stop) has no step."""
    step, _, code = payload.rpartition(":")
    return step, code


def typed_payload(question: Question, text: str, can_go_back: bool) -> str | None:
    """The button payload whose label the user typed instead of pressing it, if any."""
    typed = normalise(text).text
    if not typed:
        return None
    for choice in question.choices:
        if normalise(choice.label).text == typed:
            return payload_for(question.step, choice.code)
    if can_go_back and typed == normalise(BACK_LABEL).text:
        return BACK
    return None


def ask(flow: str, question: Question, can_go_back: bool, note: str = "") -> Reply:
    """The question as a reply: its choices, then 返回上一步 (when possible) and 退出."""
    answers = [Button(c.label, actions.flow(flow, payload_for(question.step, c.code))) for c in question.choices]
    controls = [Button(BACK_LABEL, actions.flow(flow, BACK))] if can_go_back else []
    controls.append(Button(STOP_LABEL, actions.flow(flow, STOP)))
    text = f"{note}\n\n{question.text}" if note else question.text
    return Reply(text, ReplyKind.FLOW, rows(answers, question.per_row) + (tuple(controls),))


def final_answer(text: str, intent: str, buttons: Sequence[Button]) -> Reply:
    """A flow's result. Questions are FLOW replies, which channels do not log; the result is an
    ANSWER so it is logged and rated (👍/👎) under ``intent`` like any guidance. Chosen by buttons,
    it is as certain as a pressed guidance button: score 100."""
    return Reply(text, ReplyKind.ANSWER, rows(buttons), intent=intent, score=100.0, wants_feedback=True)


def stop(session: Session) -> Reply:
    """The 退出 button: the same answer as typing a stop word."""
    session.end_flow()
    return Reply(FLOW_STOPPED, ReplyKind.FLOW)
