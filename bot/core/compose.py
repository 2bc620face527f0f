"""Turning a match into the reply a resident reads: guidance, legal basis, contacts, next steps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from .knowledge import FLOW_PREFIX, Contact, Intent, Knowledge
from .matcher import Match, MatchStatus
from .reply import Button, Reply, ReplyKind

MENU_INTENT = "help"
BUTTONS_PER_ROW = 2
HOTLINE_NOTE = "☎️ 全国公共法律服务热线 12348：法律咨询、法律援助、纠纷调解都可以打这个电话。"
WELCOME = (
    "您好！我是万州区公共法律服务咨询助手。\n"
    "请直接用一句话说说您遇到的事情，例如“老板拖欠工资怎么办”“邻居纠纷找谁调解”，"
    "或者点下面的按钮选择服务。\n"
    "本助手提供的是一般性指引，不构成法律意见；紧急危险请立即拨打 110 / 120。"
)
FALLBACK = (
    "抱歉，我没能理解您的问题。您可以：\n"
    "• 换个说法，用一句话说说遇到了什么事，例如“离婚财产怎么分找谁调解”；\n"
    "• 点下面的按钮，选择您要办的服务；\n"
    "• 直接拨打 12348 公共法律服务热线，由工作人员为您解答。"
)
DID_YOU_MEAN = "您想咨询的是下面哪一项？请点一下："
SUGGEST = "和您的问题最接近的可能是{}，可以点下面的按钮查看，或选择其他服务。"
SUGGEST_FLOOR = 50.0
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

    def __init__(self, knowledge: Knowledge, flow_titles: Mapping[str, str] | None = None):
        self.knowledge = knowledge
        self.flow_titles = dict(flow_titles or {})
        # Admins word the fallback in the out_of_scope intent's response, when there is one.
        self.fallback_text = next((i.response for i in knowledge.intents if i.out_of_scope), FALLBACK)

    def button_for(self, target: str) -> Button | None:
        if target.startswith(FLOW_PREFIX):
            title = self.flow_titles.get(target[len(FLOW_PREFIX) :])
            return Button(title, target) if title else None
        intent = self.knowledge.get(target)
        return Button(intent.title, f"intent:{intent.id}") if intent else None

    def menu_buttons(self) -> list[Button]:
        """The main services: the targets of the `help` intent's buttons, which admins can edit."""
        help_intent = self.knowledge.get(MENU_INTENT)
        targets = help_intent.buttons if help_intent else [i.id for i in self.knowledge.intents if i.sources]
        return [b for b in map(self.button_for, targets) if b]

    def menu(self, text: str = WELCOME) -> Reply:
        return Reply(text, ReplyKind.MENU, rows(self.menu_buttons()))

    def contacts_block(self, intent: Intent) -> str:
        filled = [c for key in intent.contacts if (c := self.knowledge.contacts.get(key)) and c.is_filled]
        if filled:
            return "\n".join(format_contact(c) for c in filled)
        return HOTLINE_NOTE if intent.contacts else ""

    def guidance(self, intent: Intent, match: Match | None = None, kind: ReplyKind = ReplyKind.ANSWER) -> Reply:
        parts = [intent.response]
        if intent.sources:
            parts.append("📖 法律依据：" + cite(intent.sources))
        if contacts := self.contacts_block(intent):
            parts.append(contacts)
        related = [b for b in map(self.button_for, intent.buttons) if b]
        return Reply(
            text="\n\n".join(parts),
            kind=kind,
            buttons=rows(related),
            intent=intent.id,
            score=match.score if match else 100.0,
            candidates=match.candidates if match else (),
            wants_feedback=kind is not ReplyKind.MENU,
        )

    def emergency(self, intent: Intent, match: Match) -> Reply:
        """Danger first: the emergency guidance, then a way to the service the message also needs."""
        reply = self.guidance(intent, match, ReplyKind.EMERGENCY)
        also = [self.button_for(c.intent) for c in match.candidates[1:] if c.score >= 50 and c.intent != intent.id]
        extra = [b for b in also[:1] if b]
        return replace(reply, buttons=rows(extra) + reply.buttons)

    def did_you_mean(self, match: Match) -> Reply:
        close = [c for c in match.candidates if match.score - c.score < 15]
        buttons = [b for c in close if (b := self.button_for(c.intent))]
        return Reply(DID_YOU_MEAN, ReplyKind.AMBIGUOUS, rows(buttons, 1), match.intent, match.score, match.candidates)

    def fallback(self, match: Match) -> Reply:
        """No confident match: say so, offer the closest topics (if any come near), the menu and 12348.

        A weak hint of danger is not suggested: real emergencies are caught by their keywords, and a
        "紧急求助" button under a question about the weather would only alarm.
        """
        near = [
            b
            for c in match.candidates[:2]
            if c.score >= SUGGEST_FLOOR and not self.knowledge[c.intent].priority and (b := self.button_for(c.intent))
        ]
        text = self.fallback_text + ("\n\n" + SUGGEST.format("、".join(f"“{b.label}”" for b in near)) if near else "")
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
        return self.guidance(intent, match)
