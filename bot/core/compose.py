"""Turning a match into the reply a resident reads: a phone-sized first message, the rest one tap away.

The first message is the intent's summary; its sections (what to prepare, time limits, costs),
where to go and the legal basis sit behind buttons under it, each a short message with a way back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from . import actions
from .actions import Action, ActionKind
from .flow import Flow
from .knowledge import Contact, Intent, Knowledge, Section
from .matcher import Match, MatchStatus
from .reply import Button, Reply, ReplyKind

MENU_INTENT = "help"
BUTTONS_PER_ROW = 2
WELCOME = (
    "您好！我是万州区公共法律服务咨询助手。\n"
    "请直接用一句话说说您遇到的事情，例如“老板拖欠工资怎么办”“邻居纠纷找谁调解”，"
    "或者从下面的服务中选一项。\n"
    "本助手提供的是一般性指引，不构成法律意见；紧急危险请立即拨打 110 / 120。"
)
FALLBACK = (
    "抱歉，我没能理解您的问题。您可以：\n"
    "• 换个说法，用一句话说说遇到了什么事，例如“离婚财产怎么分找谁调解”；\n"
    "• 从下面的服务中选择您要办的事；\n"
    "• 直接拨打 12348 公共法律服务热线，由工作人员为您解答。"
)
DID_YOU_MEAN = "您想咨询的是下面哪一项？请选一下："
SUGGEST = "和您的问题最接近的可能是{}，可以在下面查看，或选择其他服务。"
# On the matcher's score, which answers from 45 (`matcher.DEFAULT_THRESHOLD`):
SUGGEST_FLOOR = 36.0  # a candidate this strong is worth a button beside a fallback or an answer
ALSO_FLOOR = 51.0  # a second problem in the same message ("他打我，我要离婚") scores this well: offer it too
DID_YOU_MEAN_SPREAD = 11.0  # "did you mean" offers the candidates this close to the best
BACK_LABEL = "« 返回"
BASIS_TITLE = "法律依据"
WHERE_TITLE = "在哪里办"
NO_LOCAL_CONTACTS = "本地服务点的地址和电话由工作人员核实后公布。现在可以先拨打 12348 公共法律服务热线，由工作人员告诉您到哪里办。"
_CONTACT_LABELS = (("address", "地址"), ("phone", "电话"), ("hours", "办公时间"), ("url", "网址"), ("note", "备注"))


def cite(sources: Sequence[str]) -> str:
    """Sources grouped by law: 《A法》第一条、第二条；《B法》第三条."""
    grouped: dict[str, list[str]] = {}
    for source in sources:
        law, _, article = source.partition("》")
        key, rest = (law + "》", article.strip()) if article.strip() else (source, "")
        grouped.setdefault(key, [])
        if rest:
            grouped[key].append(rest)
    return "；".join(law + "、".join(articles) for law, articles in grouped.items())


def rows(buttons: Sequence[Button], per_row: int = BUTTONS_PER_ROW) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))


def format_contact(contact: Contact) -> str:
    lines = [f"📍 {contact.name}" if contact.name else "📍 本地服务点"]
    lines += [f"   {label}：{getattr(contact, key)}" for key, label in _CONTACT_LABELS if getattr(contact, key)]
    return "\n".join(lines)


class Composer:
    """Builds replies from the knowledge; the same for every channel."""

    def __init__(self, knowledge: Knowledge, flows: Mapping[str, Flow] | None = None):
        self.knowledge = knowledge
        self.flows = dict(flows or {})
        # Admins word the fallback in the out_of_scope intent's summary, when there is one; a message
        # another out-of-scope intent rejects (other legal fields) gets that intent's wording.
        self.fallback_text = next((i.summary for i in knowledge.intents if i.out_of_scope), FALLBACK)

    def button_for(self, action: Action) -> Button | None:
        """The button for an intent or flow reference; None when its target is gone."""
        if action.kind is ActionKind.FLOW:
            flow = self.flows.get(action.target)
            label = (flow.entry_label(action.payload) if action.payload else flow.title) if flow else None
            return Button(label, action) if label else None
        intent = self.knowledge.get(action.target)
        return Button(intent.title, action) if intent else None

    def intent_button(self, intent_id: str) -> Button | None:
        return self.button_for(actions.intent(intent_id))

    def menu_buttons(self) -> list[Button]:
        """The main services: the targets of the `help` intent's buttons, which admins can edit."""
        help_intent = self.knowledge.get(MENU_INTENT)
        targets = help_intent.buttons if help_intent else [actions.intent(i.id) for i in self.knowledge.intents if i.sources]
        return [b for b in map(self.button_for, targets) if b]

    def menu(self, text: str = WELCOME) -> Reply:
        return Reply(text, ReplyKind.MENU, rows(self.menu_buttons()))

    def sections(self, intent: Intent) -> tuple[Section, ...]:
        """What sits behind the first message: the written sections, where to go (the contacts
        staff filled in, else the hotline), and the legal basis built from `sources`."""
        written = list(intent.sections)
        if intent.contacts:
            filled = [c for key in intent.contacts if (c := self.knowledge.contacts.get(key)) and c.is_filled]
            where = "\n".join(format_contact(c) for c in filled) if filled else NO_LOCAL_CONTACTS
            written.append(Section(WHERE_TITLE, where))
        if intent.sources and not any(s.title == BASIS_TITLE for s in written):
            written.append(Section(BASIS_TITLE, "📖 " + cite(intent.sources)))
        return tuple(written)

    def _section_buttons(self, intent: Intent, skip: int | None = None) -> list[Button]:
        return [Button(s.title, actions.section(intent.id, n)) for n, s in enumerate(self.sections(intent)) if n != skip]

    def guidance(self, intent: Intent, match: Match | None = None, kind: ReplyKind = ReplyKind.ANSWER, also: Sequence[Button] = ()) -> Reply:
        """The first message: the summary, its sections as buttons, then related services and flows."""
        related = [b for b in map(self.button_for, intent.buttons) if b]
        extra = [b for b in also if b not in related]
        return Reply(
            text=intent.summary,
            kind=kind,
            buttons=rows(self._section_buttons(intent)) + rows(extra + related),
            intent=intent.id,
            score=match.score if match else 100.0,
            candidates=match.candidates if match else (),
            wants_feedback=kind is not ReplyKind.MENU,
        )

    def section(self, intent: Intent, number: int) -> Reply | None:
        """One section as a message of its own: the other sections and the way back under it."""
        sections = self.sections(intent)
        if not 0 <= number < len(sections):
            return None
        shown = sections[number]
        back = Button(BACK_LABEL, actions.intent(intent.id))
        return Reply(
            f"【{intent.title} · {shown.title}】\n{shown.text}",
            ReplyKind.SECTION,
            rows(self._section_buttons(intent, skip=number)) + ((back,),),
            intent=intent.id,
            score=100.0,
        )

    def _second_problem(self, intent: Intent, match: Match) -> list[Button]:
        """Another problem the same message names in its own words ("他打我，我要离婚"), offered beside the main one."""
        for c in match.candidates[1:3]:
            other = self.knowledge.get(c.intent)
            if other and other.kind == "topic" and c.intent != intent.id and c.named and c.score >= ALSO_FLOOR:
                return [b for b in [self.intent_button(c.intent)] if b]
        return []

    def emergency(self, intent: Intent, match: Match) -> Reply:
        """Danger first: the emergency guidance, then a way to the service the message also needs."""
        also = [self.intent_button(c.intent) for c in match.candidates[1:] if c.score >= SUGGEST_FLOOR and c.intent != intent.id]
        return self.guidance(intent, match, ReplyKind.EMERGENCY, also=[b for b in also[:1] if b])

    def did_you_mean(self, match: Match) -> Reply:
        """Close candidates as buttons, never the emergency intent on a weak hint, never twice."""
        buttons: list[Button] = []
        for c in match.candidates:
            if match.score - c.score >= DID_YOU_MEAN_SPREAD or self.knowledge[c.intent].priority:
                continue
            if (b := self.intent_button(c.intent)) and b not in buttons:
                buttons.append(b)
        if len(buttons) < 2:
            top = self.knowledge[match.intent]
            return self.guidance(top, match) if not top.priority else self.fallback(match)
        return Reply(DID_YOU_MEAN, ReplyKind.AMBIGUOUS, rows(buttons, 1), match.intent, match.score, match.candidates)

    def fallback(self, match: Match) -> Reply:
        """No confident match: say so, offer the closest topics (if any come near), the menu and 12348.

        A weak hint of danger is not suggested: real emergencies are caught by their keywords, and a
        "紧急求助" button under a question about the weather would only alarm.
        """
        near: list[Button] = []
        for c in match.candidates[:2]:
            if c.score >= SUGGEST_FLOOR and not self.knowledge[c.intent].priority and (b := self.intent_button(c.intent)) and b not in near:
                near.append(b)
        rejecting = self.knowledge.get(match.rejected_by) if match.rejected_by else None
        text = (rejecting.summary if rejecting else self.fallback_text) + ("\n\n" + SUGGEST.format("、".join(f"“{b.label}”" for b in near)) if near else "")
        menu = [b for b in self.menu_buttons() if b not in near]
        return Reply(text, ReplyKind.FALLBACK, rows(near, 1) + rows(menu), None, match.score, match.candidates, wants_feedback=True)

    def compose(self, match: Match) -> Reply:
        intent = self.knowledge.get(match.intent) if match.intent else None
        if intent is None or match.status is MatchStatus.NONE:
            return self.fallback(match)
        if intent.priority:
            return self.emergency(intent, match)
        if match.status is MatchStatus.AMBIGUOUS:
            return self.did_you_mean(match)
        return self.guidance(intent, match, also=self._second_problem(intent, match))
