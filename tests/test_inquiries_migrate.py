"""`legalbot inquiries migrate`: an SQLite log moved into PostgreSQL without loss, and every admin
command giving the same answer on either store afterwards."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.store import open_store
from bot.store.postgres import PostgresStore
from bot.store.sqlite import SQLiteStore
from bot.store.transfer import copy_log

from .admin_data import INQUIRIES, fill
from .test_store import answer


async def _old_log(db: Path) -> list[int]:
    """The admin sample log as a bot would have left it: reviewed, rated, and its newest rows purged."""
    ids = await fill(db)
    store = await SQLiteStore.open(db)
    await store.set_review(ids[1], "dismissed")
    await store.set_review(ids[7], "accepted")
    gone = [await store.log("telegram", "9", "后来删掉的问题", answer()) for _ in range(3)]
    for inquiry_id in gone:  # purge takes whole days; these three are newer than everything else
        await store._write("DELETE FROM inquiries WHERE id = ?", inquiry_id)
    await store.close()
    return ids + gone


@pytest.fixture
def sqlite_log(tmp_path: Path) -> Path:
    db = tmp_path / "inquiries.sqlite3"
    asyncio.run(_old_log(db))
    return db


def test_migrate_copies_the_log_and_both_export_identically(cli, sqlite_log: Path, postgres_url: str) -> None:
    moved = cli("inquiries", "migrate", "--from", str(sqlite_log), "--to", postgres_url)
    assert moved.returncode == 0, moved.stderr
    assert f"copied {len(INQUIRIES)}/{len(INQUIRIES)} inquiries" in moved.stdout
    assert moved.stdout.strip().endswith(f"now holds {len(INQUIRIES)}, as the SQLite log does")
    exports = {}
    for fmt in ("jsonl", "csv"):
        before = cli("inquiries", "export", "--format", fmt, "--db", str(sqlite_log))
        after = cli("inquiries", "export", "--format", fmt, "--db", postgres_url)
        assert before.returncode == after.returncode == 0, after.stderr
        assert after.stdout == before.stdout
        exports[fmt] = after.stdout
    records = [json.loads(line) for line in exports["jsonl"].splitlines()]
    assert len(records) == len(INQUIRIES)
    assert [r["review"] for r in records][:2] == [None, "dismissed"]
    assert [r["feedback"] for r in records][:2] == ["up", None]


def test_a_second_migrate_is_refused_and_resume_finds_nothing_left(capsys, sqlite_log: Path, postgres_url: str) -> None:
    migrate = ["inquiries", "migrate", "--from", str(sqlite_log), "--to", postgres_url]
    assert main(migrate) == 0
    capsys.readouterr()
    assert main(migrate) == 2
    refused = capsys.readouterr().err
    assert f"already holds {len(INQUIRIES)} inquiries" in refused and "--resume" in refused
    assert main([*migrate, "--resume"]) == 0
    assert f"done: 0 inquiries copied ({len(INQUIRIES)} were already there)" in capsys.readouterr().out


def _run(capsys, *args: str) -> str:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def test_every_admin_command_answers_the_same_on_either_store(capsys, tmp_path: Path, sqlite_log: Path, postgres_url: str) -> None:
    _run(capsys, "inquiries", "migrate", "--from", str(sqlite_log), "--to", postgres_url)
    commands = [
        ("inquiries", "list"),
        ("inquiries", "list", "--unmatched", "--limit", "2"),
        ("inquiries", "list", "--feedback", "down", "--since", "2025-03-02"),
        ("inquiries", "export", "--format", "csv", "--intent", "legal_aid"),
        ("inquiries", "export", "--format", "jsonl", "--until", "2025-03-01"),
        ("inquiries", "stats"),
        ("inquiries", "stats", "--json", "--since", "2025-02-27", "--until", "2025-03-05"),
        ("review", "suggest", "--json"),
        ("review", "dismiss", "4"),
        ("inquiries", "export", "--format", "jsonl"),
    ]
    for command in commands:
        outputs = {db: _run(capsys, *command, "--db", db) for db in (str(sqlite_log), postgres_url)}
        assert len(set(outputs.values())) == 1, (command, outputs)
        assert outputs[postgres_url].strip(), command
    for db, name in ((str(sqlite_log), "sqlite"), (postgres_url, "postgres")):
        _run(capsys, "report", "--db", db, "--out", str(tmp_path / name))
    assert (tmp_path / "sqlite" / "report.md").read_text() == (tmp_path / "postgres" / "report.md").read_text()
    purged = {_run(capsys, "inquiries", "purge", "--older-than", "0", "--yes", "--db", db) for db in (str(sqlite_log), postgres_url)}
    assert purged == {f"removed {len(INQUIRIES)} inquiries (all)\n"}


async def test_an_interrupted_copy_resumes_where_it_stopped(sqlite_log: Path, postgres_url: str) -> None:
    class Interrupted(Exception):
        pass

    def stop_after_first_batch(done: int, total: int) -> None:
        raise Interrupted

    source, target = await SQLiteStore.open(sqlite_log), await PostgresStore.open(postgres_url)
    try:
        with pytest.raises(Interrupted):
            await copy_log(source, target, progress=stop_after_first_batch, batch=3)
        assert len(await target.inquiries()) == 3
        result = await copy_log(source, target, resume=True, batch=3)
        assert (result.copied, result.already_there, result.total) == (len(INQUIRIES) - 3, 3, len(INQUIRIES))
        assert await target.inquiries() == await source.inquiries()
    finally:
        await source.close()
        await target.close()


async def test_a_database_holding_another_log_is_refused_even_with_resume(sqlite_log: Path, postgres_url: str) -> None:
    other = await open_store(postgres_url)
    await other.log("telegram", "1", "别的日志", answer())
    await other.close()
    code = await asyncio.to_thread(main, ["inquiries", "migrate", "--from", str(sqlite_log), "--to", postgres_url, "--resume"])
    assert code == 2
    target = await open_store(postgres_url)
    assert [i.text for i in await target.inquiries()] == ["别的日志"]
    await target.close()


async def test_after_the_move_residents_keep_their_keys_and_ids_move_on(sqlite_log: Path, postgres_url: str) -> None:
    source = await SQLiteStore.open(sqlite_log)
    highest = await source.last_id()  # a purged row's: higher than any id left
    before = (await source.inquiries())[0]  # user "1000" on telegram
    await source.close()
    assert await asyncio.to_thread(main, ["inquiries", "migrate", "--from", str(sqlite_log), "--to", postgres_url]) == 0
    target = await open_store(postgres_url)
    try:
        new_id = await target.log("telegram", "1000", "又来问了", answer())
        assert new_id == highest + 1
        assert (await target.get(new_id)).user == before.user
    finally:
        await target.close()
