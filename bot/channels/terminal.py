"""The bot in a terminal: the same core as Telegram, buttons shown as numbered choices.

Reads lines from any text stream (a TTY or a pipe). Typing a choice's number presses that
button; ``/menu``, ``/help`` and the flow commands (``/deadline 2025-08-02``) work as on Telegram.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TextIO

from ..core.reply import Button, Reply
from ..core.responder import Responder
from ..core.session import Session

PROMPT = "您> "
GOODBYE = "再见！如有法律问题，随时拨打 12348。"
QUIT_WORDS = frozenset({"/quit", "/exit", "quit", "exit"})

# Called after every reply with (what the user said, reply): the typed text, or the label of the
# button a number pressed (as Telegram logs a press). The CLI passes the inquiry log here.
ReplyHook = Callable[[str, Reply], Awaitable[None]]


def render(reply: Reply) -> str:
    lines = [reply.text]
    choices = reply.flat_buttons
    if choices:
        lines.append("")
        lines += [f"  [{n}] {button.label}" for n, button in enumerate(choices, 1)]
        lines.append("  （输入编号选择；/menu 回到菜单）")
    return "\n".join(lines)


@dataclass
class TerminalChat:
    responder: Responder
    out: TextIO
    on_reply: ReplyHook | None = None
    session: Session = field(default_factory=Session)
    _choices: list[Button] = field(default_factory=list)

    def _say(self, reply: Reply) -> None:
        self._choices = reply.flat_buttons
        print("机器人> " + render(reply) + "\n", file=self.out, flush=True)

    def _pressed(self, line: str) -> Button | None:
        if line.isdigit() and 1 <= int(line) <= len(self._choices):
            return self._choices[int(line) - 1]
        return None

    def _reply_to(self, line: str, pressed: Button | None) -> Reply:
        if pressed:
            return self.responder.press(pressed.action, self.session)
        if line.startswith("/"):
            name, _, arg = line[1:].partition(" ")
            return self.responder.command(name.lower(), arg, self.session)
        return self.responder.respond(line, self.session)

    async def handle(self, line: str) -> bool:
        """Answer one line; False when the user asked to leave."""
        line = line.strip()
        if line.lower() in QUIT_WORDS:
            print(GOODBYE, file=self.out, flush=True)
            return False
        if not line:
            return True
        pressed = self._pressed(line)
        reply = self._reply_to(line, pressed)
        self._say(reply)
        if self.on_reply:
            await self.on_reply(pressed.label if pressed else line, reply)
        return True

    async def run(self, lines: TextIO, interactive: bool) -> None:
        self._say(self.responder.menu())
        while True:
            if interactive:
                print(PROMPT, end="", file=self.out, flush=True)
            line = lines.readline()
            if not line or not await self.handle(line):
                break
