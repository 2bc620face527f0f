"""The inquiry log on both backends (a real SQLite file, a real PostgreSQL server): what is stored,
filters, feedback, counts by Wanzhou day, purge, and refusing databases it cannot use."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.core.matcher import Candidate
from bot.core.reply import Reply, ReplyKind
from bot.errors import UserError
from bot.store import open_store
from bot.store.base import ZONE, FilterError, InquiryFilter, Store

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
async def store(any_db: str):
    opened = await open_store(any_db)
    yield opened
    await opened.close()


async def test_an_inquiry_is_stored_redacted_with_a_pseudonymous_user(store: Store) -> None:
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


async def test_scores_and_times_come_back_exactly(store: Store) -> None:
    moment = dt.datetime(2025, 3, 1, 9, 15, 42, 123456, tzinfo=ZONE)
    got = await store.get(await store.log("console", "ann", "调解", answer(score=87.3), at=moment))
    assert got.score == 87.3
    assert got.time.isoformat() == "2025-03-01T09:15:42+08:00"  # whole seconds on both backends


async def test_times_from_any_zone_are_stored_and_counted_as_wanzhou_days(store: Store) -> None:
    utc_evening = dt.datetime(2025, 3, 1, 20, 30, tzinfo=dt.timezone.utc)
    got = await store.get(await store.log("console", "ann", "调解", answer(), at=utc_evening))
    assert got.time.isoformat() == "2025-03-02T04:30:00+08:00"
    assert [r.day for r in await store.counts()] == [dt.date(2025, 3, 2)]
    assert len(await store.inquiries(InquiryFilter(since=dt.date(2025, 3, 2), until=dt.date(2025, 3, 2)))) == 1
    assert await store.inquiries(InquiryFilter(until=dt.date(2025, 3, 1))) == []


async def test_the_same_person_keeps_one_key_per_channel_across_reopening(any_db: str) -> None:
    first = await open_store(any_db)
    a = await first.log("telegram", TELEGRAM_ID, "法律援助", answer())
    b = await first.log("console", TELEGRAM_ID, "法律援助", answer())
    c = await first.log("telegram", "42", "法律援助", answer())
    await first.close()
    again = await open_store(any_db)
    d = await again.log("telegram", TELEGRAM_ID, "法律援助", answer())
    users = {i: (await again.get(i)).user for i in (a, b, c, d)}
    await again.close()
    assert users[a] == users[d]
    assert len({users[a], users[b], users[c]}) == 3


async def test_close_writes_everything_logged_concurrently(any_db: str) -> None:
    store = await open_store(any_db)
    ids = await asyncio.gather(*(store.log("telegram", str(n % 7), f"问题 {n}", answer()) for n in range(300)))
    await store.close()
    assert len(set(ids)) == 300
    again = await open_store(any_db, create=False)
    assert len(await again.inquiries()) == 300
    await again.close()


async def test_writing_after_close_is_refused(any_db: str) -> None:
    store = await open_store(any_db)
    await store.close()
    with pytest.raises(RuntimeError, match="closed"):
        await store.log("console", "ann", "法律援助", answer())


async def test_feedback_and_review_are_recorded_and_unknown_ids_reported(store: Store) -> None:
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


async def _sample(store: Store) -> dict[str, int]:
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
async def test_filters_select_by_day_intent_feedback_and_queue(store: Store, where: InquiryFilter, expected: list[str]) -> None:
    ids = await _sample(store)
    names = {v: k for k, v in ids.items()}
    assert [names[i.id] for i in await store.inquiries(where)] == expected


async def test_a_long_log_reads_page_by_page(store: Store) -> None:
    ids = list((await _sample(store)).values())
    first = await store.inquiries(InquiryFilter(limit=2))
    rest = await store.inquiries(InquiryFilter(after_id=first[-1].id, limit=10))
    assert [i.id for i in first + rest] == ids


async def test_reviewed_inquiries_leave_the_queue(store: Store) -> None:
    ids = await _sample(store)
    await store.set_review(ids["none_1st"], "dismissed")
    await store.set_review(ids["aid_3rd"], "accepted")
    assert [i.id for i in await store.inquiries(InquiryFilter(needs_review=True))] == [ids["none_3rd"]]
    assert [i.id for i in await store.inquiries(InquiryFilter(unmatched=True, unreviewed=True))] == [ids["none_3rd"]]


async def test_counts_group_by_day_intent_and_feedback(store: Store) -> None:
    await _sample(store)
    rows = [(r.day.isoformat(), r.intent, r.feedback, r.count) for r in await store.counts()]
    assert rows == [
        ("2025-03-01", None, None, 1),
        ("2025-03-01", "legal_aid", None, 1),
        ("2025-03-02", "mediation", "up", 1),
        ("2025-03-03", None, None, 1),
        ("2025-03-03", "legal_aid", "down", 1),
    ]
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


async def test_purge_removes_old_inquiries_and_never_reuses_ids(store: Store) -> None:
    ids = await _sample(store)
    assert await store.purge(2, at=at("2025-03-04", 0)) == 2  # before 2025-03-02 00:00
    assert [i.id for i in await store.inquiries()] == [ids["med_2nd"], ids["aid_3rd"], ids["none_3rd"]]
    assert await store.purge(30, at=at("2025-03-04")) == 0
    assert await store.purge(0) == 3
    assert await store.inquiries() == []
    assert await store.log("console", "1", "法律援助", answer()) > max(ids.values())


async def test_admin_tools_refuse_a_database_the_bot_never_used(any_db: str) -> None:
    with pytest.raises(UserError, match="no inquiry log"):
        await open_store(any_db, create=False)
