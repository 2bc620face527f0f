"""The bot in a terminal: a thin adapter over the conversation service, buttons as numbered choices.

Reads lines from any text stream (a TTY or a pipe). Typing a choice's number presses that button
(the service remembers the choices in the session); ``/menu``, ``/help`` and the flow commands
(``/deadline 2025-08-02``) work as on Telegram. Output: ``机器人> `` before each reply, the
choices as ``  [N] 标题`` lines after the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TextIO

from ..conversation import Conversation, Turn
from ..core.reply import Reply

CHANNEL = "terminal"
PROMPT = "您> "
GOODBYE = "再见！如有法律问题，随时拨打 12348。"
QUIT_WORDS = frozenset({"/quit", "/exit", "quit", "exit"})


def render(reply: Reply) -> str:
    lines = [reply.text]
    choices = reply.flat_buttons
    if choices:
        lines.append("")
        lines += [f"  [{n}] {button.label}" for n, button in enumerate(choices, 1)]
        lines.append("  （输入编号选择；/menu 回到菜单）")
    return "\n".join(lines)


def line_turn(user: str, line: str) -> Turn:
    """A typed line as a turn: ``/name arg`` is a command, anything else text (a number included:
    the service resolves it against the choices last offered)."""
    if line.startswith("/"):
        name, _, arg = line[1:].partition(" ")
        return Turn(CHANNEL, user, line, command=name.lower(), arg=arg, numbered=True)
    return Turn(CHANNEL, user, line, numbered=True)


@dataclass
class TerminalChat:
    """One person at one terminal. Flood control is left out: the terminal is the operator's own,
    and a piped file of questions should be answered line by line."""

    conversation: Conversation
    out: TextIO
    user: str = CHANNEL

    async def _turn(self, turn: Turn) -> None:
        outcome = await self.conversation.turn(turn, admitted=True)
        await outcome.commit()  # the reply is printed right after: nothing can fail in between
        print("机器人> " + render(outcome.reply) + "\n", file=self.out, flush=True)

    async def handle(self, line: str) -> bool:
        """Answer one line; False when the user asked to leave."""
        line = line.strip()
        if line.lower() in QUIT_WORDS:
            print(GOODBYE, file=self.out, flush=True)
            return False
        if line:
            await self._turn(line_turn(self.user, line))
        return True

    async def run(self, lines: TextIO, interactive: bool) -> None:
        await self._turn(Turn(CHANNEL, self.user, command="menu", numbered=True))
        while True:
            if interactive:
                print(PROMPT, end="", file=self.out, flush=True)
            line = lines.readline()
            if not line or not await self.handle(line):
                break
