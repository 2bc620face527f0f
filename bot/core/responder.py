"""The core's single entry point: text or a button press in, a `Reply` out, for any channel."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from . import actions
from .actions import Action, ActionKind
from .compose import Composer
from .flow import Flow
from .knowledge import Knowledge
from .matcher import DEFAULT_GAP, DEFAULT_THRESHOLD, Match, Matcher
from .normalise import normalise
from .reply import Reply, ReplyKind
from .session import Session

MAX_INPUT_CHARS = 2000
STOP_WORDS = frozenset({"取消", "退出", "停止", "结束", "算了", "不问了", "stop", "cancel", "quit", "exit"})
EMPTY_TEXT = "请用文字描述您的问题，例如“法律援助怎么申请”。"
FLOW_STOPPED = "好的，已退出。还有其他问题可以直接问我。"
UNKNOWN_ACTION = "这个按钮已经失效了，请重新发送您的问题，或点“菜单”。"


def _touch(session: Session, now: float | None) -> None:
    """Every turn: drop a flow abandoned too long ago, then note that the user spoke now."""
    now = time.time() if now is None else now
    session.expire(now)
    session.updated_at = now


@dataclass(frozen=True)
class _Engine:
    """Matcher and composer for one knowledge set; replaced as a whole on reload."""

    knowledge: Knowledge
    matcher: Matcher
    composer: Composer


class Responder:
    """Routes a message to the active flow, the matcher or a button's target, and composes the reply."""

    def __init__(
        self,
        knowledge: Knowledge,
        flows: Iterable[Flow] = (),
        threshold: float = DEFAULT_THRESHOLD,
        gap: float = DEFAULT_GAP,
    ):
        self.flows = {f.name: f for f in flows}
        self.threshold, self.gap = threshold, gap
        self._engine = self._build(knowledge)

    def _build(self, knowledge: Knowledge) -> _Engine:
        matcher = Matcher(knowledge, self.threshold, self.gap)
        matcher.prepare()
        return _Engine(knowledge, matcher, Composer(knowledge, self.flows))

    @property
    def knowledge(self) -> Knowledge:
        return self._engine.knowledge

    @property
    def matcher(self) -> Matcher:
        return self._engine.matcher

    def reload(self, knowledge: Knowledge) -> None:
        """Swap in a new knowledge set atomically: indexing happens before the swap."""
        self._engine = self._build(knowledge)

    def match(self, text: str) -> Match:
        return self._engine.matcher.match(text[:MAX_INPUT_CHARS])

    def menu(self, session: Session | None = None) -> Reply:
        if session:
            session.end_flow()
        return self._engine.composer.menu()

    def respond(self, text: str, session: Session, now: float | None = None) -> Reply:
        _touch(session, now)
        text = text[:MAX_INPUT_CHARS]
        query = normalise(text)  # once: the stop-word check, the empty check and the matcher share it
        if session.flow:
            if query.text in STOP_WORDS:
                session.end_flow()
                return Reply(FLOW_STOPPED, ReplyKind.FLOW)
            flow = self.flows.get(session.flow)
            reply = flow.handle(session, text) if flow else None
            if reply is not None:
                return reply
            session.end_flow()
        if query.is_empty:
            return Reply(EMPTY_TEXT, ReplyKind.FALLBACK)
        engine = self._engine
        return engine.composer.compose(engine.matcher.match(query))

    def press(self, action: Action | str, session: Session, now: float | None = None) -> Reply:
        """A button was pressed: a menu, an intent's guidance, one of its sections, or a flow step
        (channels hand back the encoded string or the `Action` itself)."""
        _touch(session, now)
        engine = self._engine
        pressed = actions.parse(action) if isinstance(action, str) else action
        kind = pressed.kind if pressed else None
        if kind is ActionKind.MENU:
            return self.menu(session)
        intent = engine.knowledge.get(pressed.target) if kind in (ActionKind.INTENT, ActionKind.SECTION) else None
        if intent and kind is ActionKind.INTENT:
            return engine.composer.guidance(intent)
        if intent and kind is ActionKind.SECTION and (reply := engine.composer.section(intent, pressed.section)):
            return reply
        if kind is ActionKind.FLOW and (flow := self.flows.get(pressed.target)):
            if not pressed.payload or session.flow != pressed.target:
                # A fresh start; a step button from outside the flow (a topic answer's
                # "算一算仲裁时效", or a stale one) is then pressed on its first question.
                session.end_flow()
                session.flow = pressed.target
                started = flow.start(session)
                return flow.press(session, pressed.payload) if pressed.payload else started
            return flow.press(session, pressed.payload)
        return Reply(UNKNOWN_ACTION, ReplyKind.FALLBACK, engine.composer.menu().buttons)

    def command(self, name: str, arg: str, session: Session, now: float | None = None) -> Reply:
        """Slash commands every channel shares: /start, /help, /menu and one per flow."""
        if name in self.flows:
            _touch(session, now)
            session.end_flow()
            session.flow = name
            return self.flows[name].start(session, arg.strip())
        return self.menu(session)
