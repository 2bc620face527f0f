"""`legalbot chat`: the bot in the terminal."""

from __future__ import annotations

import argparse
import asyncio
import sys

from ..channels.terminal import TerminalChat
from ..core.responder import Responder
from ..flows import all_flows
from .common import add_intents_option, knowledge_from


def run_chat(args: argparse.Namespace) -> int:
    responder = Responder(knowledge_from(args), all_flows())
    chat = TerminalChat(responder, sys.stdout)
    asyncio.run(chat.run(sys.stdin, interactive=sys.stdin.isatty()))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    chat = commands.add_parser("chat", help="chat with the bot in the terminal (stdin: a TTY or a pipe)")
    add_intents_option(chat)
    chat.set_defaults(run=run_chat)
