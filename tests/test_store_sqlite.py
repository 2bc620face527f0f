"""The SQLite inquiry log on real files: what is stored, what never is, filters, feedback, purge."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import stat
from pathlib import Path

import pytest

from bot.core.matcher import Candidate
from bot.core.reply import Reply, ReplyKind
from bot.errors import UserError
from bot.store import open_store
from bot.store.base import ZONE, FilterError, InquiryFilter
from bot.store.pseudonym import secret_path
from bot.store.sqlite import SQLiteStore

PHONE = "13812345678"
ID_NUMBER = "500101199001011234"
TELEGRAM_ID = "987654321012"


def answer(intent: str | None = "legal_aid", score: float = 88.0, text: str = "法律援助的办理指引") -> Reply:
    kind = ReplyKind.ANSWER if intent else ReplyKind.FALLBACK
    candidates = (Candidate(intent or "mediation", score), Candidate("mediation", 40.0))
    return Reply(text, kind, intent=intent, score=score, candidates=candidates)


def at(day: str, hour: int = 12) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=ZONE)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "folder" / "inquiries.sqlite3"


@pytest.fixture
async def store(db: Path):
    opened = await SQLiteStore.open(db)
    yield opened
    await opened.close()


async def test_an_inquiry_is_stored_redacted_with_a_pseudonymous_user(store: SQLiteStore, db: Path) -> None:
    text = f"我电话{PHONE}，身份证{ID_NUMBER}，想申请法律援助"
    inquiry_id = await store.log("telegram", TELEGRAM_ID, text, answer(text=f"已记下 {PHONE}"), at=at("2025-03-01"))
    got = await store.get(inquiry_id)
    assert got is not None
    assert got.text == "我电话[手机号]，身份证[身份证号]，想申请法律援助"
    assert got.reply == "已记下 [手机号]"
    assert (got.channel, got.intent, got.score, got.feedback, got.review) == ("telegram", "legal_aid", 88.0, None, None)
    assert got.candidates == [{"intent": "legal_aid", "score": 88.0}, {"intent": "mediation", "score": 40.0}]
    assert got.time.isoformat() == "2025-03-01T12:00:00+08:00"
    assert TELEGRAM_ID not in got.user and len(got.user) == 16


async def test_times_from_any_zone_are_stored_as_wanzhou_time(store: SQLiteStore) -> None:
    utc_evening = dt.datetime(2025, 3, 1, 20, 30, tzinfo=dt.timezone.utc)
    got = await store.get(await store.log("console", "ann", "调解", answer(), at=utc_evening))
    assert got.time.isoformat() == "2025-03-02T04:30:00+08:00"
    assert [r.day for r in await store.counts()] == [dt.date(2025, 3, 2)]


async def test_the_same_person_keeps_one_key_per_channel_across_reopening(db: Path) -> None:
    first = await SQLiteStore.open(db)
    a = await first.log("telegram", TELEGRAM_ID, "法律援助", answer())
    b = await first.log("console", TELEGRAM_ID, "法律援助", answer())
    c = await first.log("telegram", "42", "法律援助", answer())
    await first.close()
    again = await SQLiteStore.open(db)
    d = await again.log("telegram", TELEGRAM_ID, "法律援助", answer())
    users = {i: (await again.get(i)).user for i in (a, b, c, d)}
    await again.close()
    assert users[a] == users[d]
    assert len({users[a], users[b], users[c]}) == 3


async def test_raw_numbers_never_reach_any_file_on_disk(db: Path) -> None:
    store = await SQLiteStore.open(db)
    for n in range(20):
        await store.log("telegram", TELEGRAM_ID, f"第{n}次：电话 {PHONE} 身份证 {ID_NUMBER}", answer(text=f"回电 {PHONE}"))
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
        assert conn.execute("SELECT version FROM schema_version").fetchone()[0] == 2


async def test_close_writes_everything_logged_concurrently(db: Path) -> None:
    store = await open_store(str(db))
    ids = await asyncio.gather(*(store.log("telegram", str(n % 7), f"问题 {n}", answer()) for n in range(300)))
    await store.close()
    assert len(set(ids)) == 300
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM inquiries").fetchone()[0] == 300
    assert not db.with_name(db.name + "-wal").exists() or db.with_name(db.name + "-wal").stat().st_size == 0


async def test_writing_after_close_is_refused(db: Path) -> None:
    store = await SQLiteStore.open(db)
    await store.close()
    with pytest.raises(RuntimeError, match="closed"):
        await store.log("console", "ann", "法律援助", answer())


async def test_feedback_and_review_are_recorded_and_unknown_ids_reported(store: SQLiteStore) -> None:
    inquiry_id = await store.log("telegram", "1", "法律援助", answer())
    assert await store.set_feedback(inquiry_id, "down") is True
    assert await store.set_feedback(inquiry_id, "up") is True
    assert await store.set_review(inquiry_id, "dismissed") is True
    got = await store.get(inquiry_id)
    assert (got.feedback, got.review) == ("up", "dismissed")
    assert await store.set_feedback(inquiry_id + 100, "up") is False
    assert await store.get(inquiry_id + 100) is None
    with pytest.raises(ValueError):
        await store.set_feedback(inquiry_id, "meh")


async def _sample(store: SQLiteStore) -> dict[str, int]:
    """Five inquiries over three days: matched, unmatched, 👍 and 👎."""
    ids = {
        "aid_1st": await store.log("telegram", "1", "法律援助怎么申请", answer(), at=at("2025-03-01", 0)),
        "none_1st": await store.log("telegram", "2", "烤鱼哪家好", answer(None, 30.0), at=at("2025-03-01", 23)),
        "med_2nd": await store.log("console", "3", "邻居纠纷", answer("mediation", 90.0), at=at("2025-03-02")),
        "aid_3rd": await store.log("telegram", "4", "请不起律师", answer(), at=at("2025-03-03")),
        "none_3rd": await store.log("telegram", "5", "天气", answer(None, 20.0), at=at("2025-03-03", 23)),
    }
    await store.set_feedback(ids["aid_3rd"], "down")
    await store.set_feedback(ids["med_2nd"], "up")
    return ids


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (InquiryFilter(), ["aid_1st", "none_1st", "med_2nd", "aid_3rd", "none_3rd"]),
        (InquiryFilter(since=dt.date(2025, 3, 2)), ["med_2nd", "aid_3rd", "none_3rd"]),
        (InquiryFilter(until=dt.date(2025, 3, 1)), ["aid_1st", "none_1st"]),
        (InquiryFilter(since=dt.date(2025, 3, 2), until=dt.date(2025, 3, 2)), ["med_2nd"]),
        (InquiryFilter(intent="legal_aid"), ["aid_1st", "aid_3rd"]),
        (InquiryFilter(unmatched=True), ["none_1st", "none_3rd"]),
        (InquiryFilter(feedback="down"), ["aid_3rd"]),
        (InquiryFilter(feedback="up"), ["med_2nd"]),
        (InquiryFilter(needs_review=True), ["none_1st", "aid_3rd", "none_3rd"]),
        (InquiryFilter(limit=2), ["aid_1st", "none_1st"]),
        (InquiryFilter(limit=2, newest_first=True), ["none_3rd", "aid_3rd"]),
    ],
)
async def test_filters_select_by_day_intent_feedback_and_queue(store: SQLiteStore, where: InquiryFilter, expected: list[str]) -> None:
    ids = await _sample(store)
    names = {v: k for k, v in ids.items()}
    assert [names[i.id] for i in await store.inquiries(where)] == expected


async def test_reviewed_inquiries_leave_the_queue(store: SQLiteStore) -> None:
    ids = await _sample(store)
    await store.set_review(ids["none_1st"], "dismissed")
    await store.set_review(ids["aid_3rd"], "accepted")
    assert [i.id for i in await store.inquiries(InquiryFilter(needs_review=True))] == [ids["none_3rd"]]
    assert [i.id for i in await store.inquiries(InquiryFilter(unmatched=True, unreviewed=True))] == [ids["none_3rd"]]


async def test_counts_group_by_day_intent_and_feedback(store: SQLiteStore) -> None:
    await _sample(store)
    rows = {(r.day.isoformat(), r.intent, r.feedback): r.count for r in await store.counts()}
    assert rows == {
        ("2025-03-01", "legal_aid", None): 1,
        ("2025-03-01", None, None): 1,
        ("2025-03-02", "mediation", "up"): 1,
        ("2025-03-03", "legal_aid", "down"): 1,
        ("2025-03-03", None, None): 1,
    }
    assert sum(r.count for r in await store.counts(InquiryFilter(since=dt.date(2025, 3, 3)))) == 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {"since": dt.date(2025, 3, 2), "until": dt.date(2025, 3, 1)},
        {"intent": "legal_aid", "unmatched": True},
        {"feedback": "sideways"},
        {"limit": 0},
    ],
)
def test_contradictory_filters_are_user_errors(kwargs: dict) -> None:
    with pytest.raises(FilterError):
        InquiryFilter(**kwargs)


async def test_purge_removes_old_inquiries_and_never_reuses_ids(store: SQLiteStore) -> None:
    ids = await _sample(store)
    assert await store.purge(2, at=at("2025-03-04", 0)) == 2  # before 2025-03-02 00:00
    assert [i.id for i in await store.inquiries()] == [ids["med_2nd"], ids["aid_3rd"], ids["none_3rd"]]
    assert await store.purge(30, at=at("2025-03-04")) == 0
    assert await store.purge(0) == 3
    assert await store.inquiries() == []
    assert await store.log("console", "1", "法律援助", answer()) > max(ids.values())


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
    await store.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchone()[0] == 2
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


async def test_a_postgres_url_is_refused_with_advice() -> None:
    with pytest.raises(UserError, match="PostgreSQL"):
        await open_store("postgresql://bot@localhost/legal")
