"""`/eligibility`: the legal-aid pre-check as buttons, one question at a time, ending in a result.

State: ``{"answers": [[step, code], ...]}`` — only the codes of the buttons chosen, in order (a
list, because a JSON column need not keep an object's key order, and 返回上一步 drops the last).
"""

from __future__ import annotations

from ..core import actions
from ..core.reply import Button, Reply
from ..core.session import Session
from .choices import BACK, STALE_NOTE, STOP, ask, final_answer, split_payload, stop, typed_payload
from .legal_aid_check import next_step, question_for, replay, result_text

NAME = "eligibility"
TITLE = "法律援助自测"
INTRO = "法律援助自测：回答几个问题（最多6个），看看是否可能符合申请条件。"
GUIDANCE_INTENT = "legal_aid"


class EligibilityFlow:
    name = NAME
    title = TITLE

    def start(self, session: Session, arg: str = "") -> Reply:
        session.state = {"answers": []}
        return self._next(session, {}, INTRO)

    def entry_label(self, payload: str) -> str | None:
        """The check is only entered at its start."""
        return None

    def press(self, session: Session, payload: str) -> Reply:
        if payload == STOP:
            return stop(session)
        answers = _answers(session)
        if payload == BACK:
            if answers:
                answers.popitem()
            return self._next(session, answers)
        step, code = split_payload(payload)
        current = next_step(answers)
        if current is None or step != current or question_for(step, answers).choice(code) is None:
            return self._next(session, answers, STALE_NOTE)  # a button from an earlier message
        answers[step] = code
        return self._next(session, answers)

    def handle(self, session: Session, text: str) -> Reply | None:
        answers = _answers(session)
        step = next_step(answers)
        payload = step and typed_payload(question_for(step, answers), text, can_go_back=bool(answers))
        return self.press(session, payload) if payload else None

    def _next(self, session: Session, answers: dict[str, str], note: str = "") -> Reply:
        """Ask the next question, or give the result when the answers suffice."""
        step = next_step(answers)
        if step is None:
            session.end_flow()
            buttons = [Button("重新自测", actions.flow(NAME)), Button("法律援助怎么申请", actions.intent(GUIDANCE_INTENT))]
            return final_answer(result_text(answers), GUIDANCE_INTENT, buttons)
        session.state = {"answers": [[s, c] for s, c in answers.items()]}
        return ask(NAME, question_for(step, answers), can_go_back=bool(answers), note=note)


def _answers(session: Session) -> dict[str, str]:
    return replay(session.state.get("answers") or [])
