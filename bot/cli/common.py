"""Options and helpers shared by several commands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..core.knowledge import Knowledge, load_knowledge
from ..settings import Settings


def add_intents_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--intents",
        metavar="DIR",
        type=Path,
        help="intent folder (default: $LEGALBOT_INTENTS or the shipped intents/)",
    )


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="PATH", help="inquiry log, an SQLite file (default: $LEGALBOT_DB or data/inquiries.sqlite3)")


def db_path(args: argparse.Namespace, settings: Settings | None = None) -> str:
    return args.db or (settings or Settings.from_env()).db


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
