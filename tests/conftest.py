"""Shared fixtures: the shipped knowledge (loaded once), a copy of it to edit, a fresh SQLite inquiry log,
a way to run the real CLI, an empty PostgreSQL database."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.knowledge import Knowledge, load_knowledge
from bot.core.matcher import Matcher
from bot.store import open_store

ROOT = Path(__file__).resolve().parents[1]
INTENTS = ROOT / "intents"
EVAL_SET = ROOT / "tests" / "data" / "eval.jsonl"


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    return load_knowledge(INTENTS)


@pytest.fixture(scope="session")
def matcher(knowledge: Knowledge) -> Matcher:
    return Matcher(knowledge)


@pytest.fixture
def intents_copy(tmp_path: Path) -> Path:
    """A copy of the shipped intents/ that the test may edit."""
    copy = tmp_path / "intents"
    shutil.copytree(INTENTS, copy)
    return copy


@pytest.fixture
async def store(tmp_path: Path):
    """An inquiry log in a new SQLite file, closed after the test."""
    opened = await open_store(str(tmp_path / "inquiries.sqlite3"))
    yield opened
    await opened.close()


def run_cli(*args: str, stdin: str | None = None, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run `legalbot` exactly as a user would (python -m bot), capturing its output."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or ROOT,
        timeout=120,
    )


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture(scope="module")
def api():
    """A stand-in Bot API server on 127.0.0.1, one per test module (the bot under test talks to it)."""
    from .fake_bot_api import FakeBotAPI

    with FakeBotAPI() as server:
        yield server


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """An empty PostgreSQL database (a schema of its own) for one test; skips without a server."""
    from .postgres import fresh_database  # noqa: PLC0415 - asyncpg only where PostgreSQL is tested

    with fresh_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store's LEGALBOT_DB on each backend in turn: an SQLite file path, a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "nested" / "inquiries.sqlite3")
    return request.getfixturevalue("postgres_url")
