"""`legalbot chat`: the bot in the terminal, through the same conversation service as every channel."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from pathlib import Path

from ..channels.terminal import CHANNEL, TerminalChat
from ..conversation import Conversation
from ..core.responder import Responder
from ..flows import all_flows
from ..knowledge import source as knowledge_source
from ..settings import Settings
from ..store import open_store
from .common import add_db_option, add_intents_option, db_path, intents_dir, knowledge_from


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (e.g. a bare container): one shared key
        return CHANNEL


async def _chat(responder: Responder, db: str, directory: Path) -> None:
    """Chat until stdin ends or the user quits; the log is closed (everything written) either way."""
    store = await open_store(db)
    try:
        loaded = await knowledge_source.load(store, directory)
        if loaded.revision is not None:  # the staff console's newest save, not the folder
            responder.reload(loaded.knowledge)
        chat = TerminalChat(Conversation(responder, store), sys.stdout, _os_user())
        await chat.run(sys.stdin, interactive=sys.stdin.isatty())
    finally:
        await store.close()


def run_chat(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    responder = Responder(knowledge_from(args), all_flows())
    asyncio.run(_chat(responder, db_path(args, settings), intents_dir(args, settings)))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    chat = commands.add_parser(
        "chat",
        help="chat with the bot in the terminal (stdin: a TTY or a pipe); inquiries go to the log",
        description="Chat with the bot in the terminal. Each question is logged (redacted) to the inquiry "
        f"log with channel '{CHANNEL}' and your login name as the (pseudonymised) user.",
    )
    add_intents_option(chat)
    add_db_option(chat)
    chat.set_defaults(run=run_chat)
