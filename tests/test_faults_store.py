"""Issue 12 row 13: the real `legalbot run` on a store that fails under it, against the stand-in Bot API.

A full disk is a real one: the database sits on a small tmpfs, filled up mid-run by a file of
zeros and given its space back by deleting that file. Mounting needs root; without it the test is
skipped. The -shm case (SQLite's shared-memory index beside the database) is made unwritable with
``chattr +i`` as root (file modes do not stop root) or with file modes otherwise.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import run_cli
from .fake_bot_api import FakeBotAPI
from .postgres import fresh_database
from .test_telegram_e2e import bot_env, export, start_bot

pytestmark = pytest.mark.timeout(180)

QUESTION = "公司拖欠我三个月工资不给怎么办"
DISK_SIZE = "64m"  # room for the store and its WAL; the filler takes the rest


@contextlib.contextmanager
def small_disk(where: Path) -> Iterator[Path]:
    where.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_SIZE}", "tmpfs", str(where)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("a small disk needs mount (root): " + mounted.stderr.decode(errors="replace").strip())
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(disk: Path) -> Path:
    """Take every free byte of the disk; deleting the returned file gives them back."""
    filler = disk / "filler"
    block = b"\0" * (1 << 16)
    with filler.open("wb") as out:
        try:
            while True:
                out.write(block)
                out.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
    with contextlib.suppress(OSError), filler.open("ab") as out:  # the last partial block too
        while True:
            out.write(b"\0")
            out.flush()
    return filler


def answered(api: FakeBotAPI, chat_id: int) -> int:
    return sum(1 for c in api.sent(chat_id) if c.params.get("reply_markup"))


@pytest.fixture
def api():
    with FakeBotAPI() as server:
        yield server


def test_a_full_disk_keeps_answering_holds_the_inquiries_and_writes_them_when_space_returns(api, tmp_path):
    log = tmp_path / "bot.log"
    with small_disk(tmp_path / "disk") as disk:
        db = disk / "inquiries.sqlite3"
        process = start_bot(api, db, log)
        try:
            api.send_text(701, f"{QUESTION}（满之前）")
            api.wait_message(701, timeout=15)
            filler = fill(disk)
            users = range(702, 712)
            for user in users:
                api.send_text(user, f"{QUESTION}（满{user}）")
            api.wait_for(lambda: all(answered(api, u) for u in users), timeout=30, what="answers on a full disk")
            api.wait_for(lambda: "inquiries are kept in memory" in log.read_text(), timeout=10, what="the log to say so")
            filler.unlink()
            api.wait_for(lambda: "takes writes again" in log.read_text(), timeout=20, what="the kept inquiries written")
            fill(disk)  # full again at the stop: it still ends cleanly
            process.send_signal(signal.SIGTERM)
            assert process.wait(15) == 0, log.read_text()[-3000:]
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            (disk / "filler").unlink(missing_ok=True)
        assert all(answered(api, u) == 1 for u in [701, *users]), "everyone answered once"
        logged = [r["text"] for r in export(db) if r["text"].startswith(QUESTION)]
        assert sorted(logged) == sorted([f"{QUESTION}（满之前）", *(f"{QUESTION}（满{u}）" for u in users)]), "each inquiry logged once"
    text = log.read_text()
    assert "Traceback" not in text
    written = re.search(r"takes writes again: (\d+) inquiries kept in memory written", text)
    assert written and 1 <= int(written[1]) <= len(users), "the log says how many waited and were written"


def _immutable(path: Path, on: bool) -> None:
    if os.geteuid() == 0:
        assert subprocess.run(["chattr", "+i" if on else "-i", str(path)]).returncode == 0
    else:
        path.chmod(0o444 if on else 0o644)


def test_an_unwritable_shm_file_stops_start_up_with_a_clear_message(api, tmp_path):
    db = tmp_path / "inquiries.sqlite3"
    process = start_bot(api, db, tmp_path / "first.log")
    api.send_text(721, QUESTION)
    api.wait_message(721, timeout=15)
    process.kill()  # as after a crash: the -wal and -shm files stay beside the database
    process.wait()
    shm = Path(f"{db}-shm")
    assert shm.exists()
    _immutable(shm, True)
    try:
        result = run_cli("run", env=bot_env(api, db))
    finally:
        _immutable(shm, False)
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])  # not -7: no SIGBUS
    assert f"{db}-shm" in result.stderr and "Traceback" not in result.stderr
    again = start_bot(api, db, tmp_path / "again.log")  # writable again: it starts, nothing lost
    try:
        time.sleep(1)
    finally:
        again.send_signal(signal.SIGTERM)
        assert again.wait(15) == 0
    assert [r["text"] for r in export(db)].count(QUESTION) == 1


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "inquiries.sqlite3")
    else:
        with fresh_database() as url:
            yield url


def test_the_intake_writes_a_fetched_batch_and_the_answered_marks_in_one_statement(database):
    import asyncio

    from bot.store import open_store

    async def scenario() -> None:
        store = await open_store(database)
        try:
            batch = [(f"telegram:{n}", {"update_id": n, "message": {"text": f"问题{n}"}}) for n in (1, 2, 3)]
            assert await store.intake_add("telegram", batch) == {"telegram:1", "telegram:2", "telegram:3"}
            await store.intake_keep_answer("telegram", "telegram:3", [{"chat_id": 9, "html": "稍后发送"}], send_at=0)
            # The next batch carries the marks of what was answered meanwhile; 1 comes again (a re-delivery).
            again = [("telegram:1", batch[0][1]), ("telegram:4", {"update_id": 4, "message": {"text": "问题4"}})]
            assert await store.intake_add("telegram", again, ["telegram:1", "telegram:3"]) == {"telegram:4"}
            unanswered = [e.message_key for e in await store.intake_unanswered("telegram")]
            assert unanswered == ["telegram:2", "telegram:4"], "1 answered; 3 kept its answer to send"
            assert [e.message_key for e in await store.intake_due("telegram")] == ["telegram:3"]
            await store.intake_add("telegram", [], ["telegram:2", "telegram:4"])
            assert await store.intake_unanswered("telegram") == []
            assert await store.intake_add("telegram", [batch[1]]) == set(), "an answered update fetched again is not new"
        finally:
            await store.close()

    asyncio.run(scenario())
