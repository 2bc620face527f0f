"""`/deadline`: asks which statutory period and the start day, then answers with the last day.

State: ``{}`` while asking which period, ``{"kind": "<DEADLINE_KINDS key>"}`` while asking the date.
Other answers open the calculator on one period with the period's own button action,
``flow:deadline:k:<kind>`` (e.g. ``flow:deadline:k:labour-arbitration``): pressed outside the flow,
the core starts it and presses that choice, so the resident is asked for the date straight away.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from ..core import actions
from ..core.reply import Button, Reply
from ..core.session import Session
from .choices import BACK, STALE_NOTE, STOP, Choice, Question, ask, final_answer, split_payload, stop, typed_payload
from .deadline import DEADLINE_KINDS, DateParseError, compute_deadline, date_in, format_deadline, parse_date

NAME = "deadline"
TITLE = "期限计算"
# `/deadline 2025-08-02` and a bare date typed at the first question mean the most asked-about period.
DEFAULT_KIND = "administrative-review"
KIND_QUESTION = Question(
    "k",
    "您要计算哪个期限？请选择：",
    tuple(Choice(kind, f"{rule.title}（{rule.period}）") for kind, rule in DEADLINE_KINDS.items()),
    per_row=1,
)


@dataclass(frozen=True)
class Guidance:
    """The answer a result links to, and the intent it is logged and rated under."""

    intent: str
    label: str


_REVIEW_GUIDANCE = Guidance("administrative_review", "行政复议怎么申请")
_CONSULTATION_GUIDANCE = Guidance("legal_consultation", "法律咨询")
# Topic and service intent ids are fixed (issue 9 §1), so other code can rely on them.
GUIDANCE: Mapping[str, Guidance] = MappingProxyType(
    {
        "administrative-review": _REVIEW_GUIDANCE,
        "administrative-litigation": _REVIEW_GUIDANCE,
        "litigation-after-review": _REVIEW_GUIDANCE,
        "labour-arbitration": Guidance("labour_dispute", "劳动争议怎么办"),
        "work-injury": Guidance("work_injury", "工伤怎么办"),
        "civil-limitation": _CONSULTATION_GUIDANCE,
        "enforcement": _CONSULTATION_GUIDANCE,
        "judicial-confirmation": Guidance("mediation", "人民调解怎么申请"),
    }
)


def _date_question(kind: str) -> Question:
    rule = DEADLINE_KINDS[kind]
    return Question("d", f"{rule.title}（{rule.period}）：请输入{rule.start_label}，例如 2025-08-02 或 2025年8月2日。")


def _chosen_kind(session: Session) -> str | None:
    """The period chosen so far; None while asking which (or if a stored kind no longer exists)."""
    kind = session.state.get("kind")
    return kind if kind in DEADLINE_KINDS else None


def _question(kind: str | None) -> Question:
    return _date_question(kind) if kind else KIND_QUESTION


class DeadlineFlow:
    """Both steps accept typing as well as buttons, so the terminal and Telegram work alike."""

    name = NAME
    title = TITLE

    def start(self, session: Session, arg: str = "") -> Reply:
        session.state = {}
        if not arg:
            return ask(NAME, KIND_QUESTION, can_go_back=False)
        return self._read(session, DEFAULT_KIND, arg, strict=True)

    def press(self, session: Session, payload: str) -> Reply:
        if payload == STOP:
            return stop(session)
        if payload == BACK:
            return self.start(session)
        step, kind = split_payload(payload)
        # A period button is valid at either step: pressing another one simply switches period.
        if step == KIND_QUESTION.step and kind in DEADLINE_KINDS:
            session.state = {"kind": kind}
            return ask(NAME, _date_question(kind), can_go_back=True)
        return self._reask(session, STALE_NOTE)

    def entry_label(self, payload: str) -> str | None:
        """``k:<kind>`` opens the calculator on one period."""
        step, kind = split_payload(payload)
        return f"算一算：{DEADLINE_KINDS[kind].title}" if step == KIND_QUESTION.step and kind in DEADLINE_KINDS else None

    def handle(self, session: Session, text: str) -> Reply | None:
        kind = _chosen_kind(session)
        if payload := typed_payload(_question(kind), text, can_go_back=kind is not None):
            return self.press(session, payload)
        return self._read(session, kind or DEFAULT_KIND, text)

    def _read(self, session: Session, kind: str, text: str, strict: bool = False) -> Reply | None:
        """The answer for the date in ``text``; the question again, politely, for a date that cannot be
        read; None for text that is no date at all (a new question), unless ``strict``."""
        try:
            day = date_in(text) or (parse_date(text) if strict else None)
        except DateParseError as error:
            return self._reask(session, f"{error}。")
        return self._answer(session, kind, day) if day else None

    def _reask(self, session: Session, note: str) -> Reply:
        kind = _chosen_kind(session)
        return ask(NAME, _question(kind), can_go_back=kind is not None, note=note)

    def _answer(self, session: Session, kind: str, day: date) -> Reply:
        session.end_flow()
        guidance = GUIDANCE[kind]
        buttons = [Button("再算一个", actions.flow(NAME)), Button(guidance.label, actions.intent(guidance.intent))]
        return final_answer(format_deadline(compute_deadline(kind, day)), guidance.intent, buttons)
