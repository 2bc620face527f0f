"""What only the SQLite file does: nothing personal on disk, WAL, the secret file, old files migrated.

Behaviour both backends share is tested on both in test_store.py.
"""

from __future__ import annotations

import asyncio
import sqlite3
import stat
from pathlib import Path

import pytest

from bot.errors import UserError
from bot.store import open_store
from bot.store.pseudonym import secret_path
from bot.store.schema import LATEST
from bot.store.sqlite import SQLiteStore

from .test_store import ID_NUMBER, PHONE, TELEGRAM_ID, answer


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "folder" / "inquiries.sqlite3"


@pytest.fixture
async def store(db: Path):
    opened = await SQLiteStore.open(db)
    yield opened
    await opened.close()


async def test_raw_numbers_never_reach_any_file_on_disk(db: Path) -> None:
    store = await SQLiteStore.open(db)
    for n in range(20):
        await store.log("telegram", TELEGRAM_ID, f"第{n}次：电话 {PHONE} 身份证 {ID_NUMBER}", answer(text=f"回电 {PHONE}"))
    await store.save_session(str((TELEGRAM_ID, TELEGRAM_ID)), {"flow": "deadline"}, 1.0)
    await store.hit_user_counter(TELEGRAM_ID, 10.0)
    wal = db.with_name(db.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0  # the rows are in the WAL right now

    def on_disk() -> bytes:
        return b"".join(p.read_bytes() for p in db.parent.iterdir())

    for secret in (PHONE, ID_NUMBER, TELEGRAM_ID):
        assert secret.encode() not in on_disk()
    assert "[手机号]".encode() in on_disk()
    await store.close()
    for secret in (PHONE, ID_NUMBER, TELEGRAM_ID):
        assert secret.encode() not in on_disk()


async def test_opening_creates_the_folder_wal_mode_and_a_private_secret(store: SQLiteStore, db: Path) -> None:
    assert db.is_file()
    mode = stat.S_IMODE(secret_path(db).stat().st_mode)
    assert mode == 0o600
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT version FROM schema_version").fetchone()[0] == LATEST


async def test_close_leaves_everything_in_the_main_file(db: Path) -> None:
    store = await open_store(str(db))
    await asyncio.gather(*(store.log("telegram", str(n % 7), f"问题 {n}", answer()) for n in range(50)))
    await store.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM inquiries").fetchone()[0] == 50
    conn.close()
    assert not db.with_name(db.name + "-wal").exists() or db.with_name(db.name + "-wal").stat().st_size == 0


async def test_a_version_1_database_is_migrated_in_place(db: Path) -> None:
    """A file as issue 3's first release wrote it: no review column yet."""
    db.parent.mkdir(parents=True)
    with sqlite3.connect(db) as conn:
        conn.executescript(
            """
            CREATE TABLE schema_version (version INTEGER NOT NULL);
            INSERT INTO schema_version VALUES (1);
            CREATE TABLE inquiries (
                id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, channel TEXT NOT NULL,
                user TEXT NOT NULL, text TEXT NOT NULL, intent TEXT, score REAL NOT NULL,
                candidates TEXT NOT NULL DEFAULT '[]', reply TEXT NOT NULL DEFAULT '',
                feedback TEXT CHECK (feedback IN ('up', 'down')));
            CREATE INDEX inquiries_time ON inquiries (time);
            INSERT INTO inquiries (time, channel, user, text, intent, score, feedback)
                VALUES ('2025-01-05T09:00:00+08:00', 'telegram', 'abc', '老问题', NULL, 12.5, 'down');
            """
        )
    conn.close()
    store = await SQLiteStore.open(db)
    old = (await store.inquiries())[0]
    assert (old.text, old.intent, old.feedback, old.review) == ("老问题", None, "down", None)
    assert await store.set_review(old.id, "dismissed")
    assert await store.claim_update("telegram:1")  # the shared-state tables came with it
    await store.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchone()[0] == LATEST
        assert conn.execute("SELECT review FROM inquiries").fetchone()[0] == "dismissed"
    conn.close()


async def test_a_database_from_a_newer_legalbot_is_refused(db: Path) -> None:
    store = await SQLiteStore.open(db)
    await store.close()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE schema_version SET version = 99")
    conn.close()
    with pytest.raises(UserError, match="newer"):
        await SQLiteStore.open(db)


async def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("这不是数据库\n" * 100, encoding="utf-8")
    with pytest.raises(UserError, match="notes.txt"):
        await open_store(str(bogus))
