"""Options and helpers shared by several commands."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import unicodedata
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from ..core.knowledge import Knowledge, load_knowledge
from ..settings import Settings
from ..store import InquiryStore, open_store

T = TypeVar("T")


def add_intents_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--intents",
        metavar="DIR",
        type=Path,
        help="intent folder (default: $LEGALBOT_INTENTS or the shipped intents/)",
    )


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="DB",
        help="inquiry log: an SQLite file or a postgresql://user:pass@host:port/db URL (default: $LEGALBOT_DB or data/inquiries.sqlite3)",
    )


def db_path(args: argparse.Namespace, settings: Settings | None = None) -> str:
    return args.db or (settings or Settings.from_env()).db


def with_store(
    args: argparse.Namespace, use: Callable[[InquiryStore], Awaitable[T]], settings: Settings | None = None, create: bool = False
) -> T:
    """Open the inquiry log named by ``--db``, run ``use`` on it and close it (all writes landed).
    ``create``: a missing SQLite file is created (the first staff account on a fresh install)."""

    async def session() -> T:
        store = await open_store(db_path(args, settings), create=create)
        try:
            return await use(store)
        finally:
            await store.close()

    return asyncio.run(session())


def intents_dir(args: argparse.Namespace, settings: Settings | None = None) -> Path:
    return args.intents or (settings or Settings.from_env()).intents_dir


def knowledge_from(args: argparse.Namespace) -> Knowledge:
    return load_knowledge(intents_dir(args))


def print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False), flush=True)


def input_lines(texts: list[str]) -> list[str]:
    """Each TEXT argument as one message, or else each non-empty stdin line."""
    if texts:
        return list(texts)
    return [line.rstrip("\n") for line in sys.stdin if line.strip()]


# Characters a terminal would act on or hide instead of showing: controls (ESC starts escape
# codes), format characters (bidi overrides, zero-width), separators, surrogates, private use.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def visible(char: str) -> str:
    """``char`` as a terminal should show it: a hidden or controlling one as its escape (``\\x1b``)."""
    return char.encode("unicode_escape").decode("ascii") if unicodedata.category(char) in _HIDDEN_CATEGORIES else char


def truncate(text: str, columns: int) -> str:
    """At most ``columns`` terminal columns (Chinese characters take two), ending in … when cut;
    runs of whitespace become one space and control characters are shown escaped, so a
    resident's text can neither break the table nor drive the admin's terminal."""
    shown: list[str] = []
    used = 0
    for char in " ".join(text.split()):
        piece = visible(char)
        used += 2 if unicodedata.east_asian_width(char) in "WF" else len(piece)
        if used > columns:
            return "".join(shown[:-1]) + "…" if shown else "…"
        shown.append(piece)
    return "".join(shown)
