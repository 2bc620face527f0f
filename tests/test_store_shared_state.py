"""State webhook workers share, on both backends: two stores opened on one database stand for two
workers (two connections to one SQLite file, two pools on one PostgreSQL database)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.core.reply import Reply, ReplyKind
from bot.store import open_store
from bot.store.base import ZONE, ClaimState, Store
from bot.store.shared_state import CLAIM_LEASE_SECONDS, SEND_BURST, SEND_RATE

T0 = 1_750_000_000.0  # a fixed wall-clock time, so windows and expiry don't depend on when tests run
DAY = 24 * 3600


@pytest.fixture
async def workers(any_db: str):
    first = await open_store(any_db)
    second = await open_store(any_db)
    yield first, second
    await first.close()
    await second.close()


async def test_an_update_is_claimed_by_exactly_one_of_many_racing_workers(workers: tuple[Store, Store]) -> None:
    a, b = workers
    results = await asyncio.gather(*(w.claim_update("telegram:777", now=T0) for w in (a, b) * 10))
    assert results.count(True) == 1
    assert await a.claim_update("telegram:778", now=T0) is True


async def test_a_handled_update_stays_a_duplicate_until_claims_are_a_day_old(workers: tuple[Store, Store]) -> None:
    a, b = workers
    assert await a.claim_update("telegram:42", now=T0)
    await a.finish_update("telegram:42", now=T0 + 1)
    assert not await b.claim_update("telegram:42", now=T0 + CLAIM_LEASE_SECONDS * 10)
    assert not await b.claim_update("telegram:42", now=T0 + DAY - 60)
    assert await b.claim_update("telegram:42", now=T0 + DAY + 700)  # swept, so a new claim wins (Telegram has given up by then)


async def test_an_update_whose_worker_died_is_taken_over_once_after_the_lease(workers: tuple[Store, Store]) -> None:
    a, b = workers
    assert await a.claim_update("telegram:9", now=T0)  # …and the worker is killed before finishing
    assert not await b.claim_update("telegram:9", now=T0 + CLAIM_LEASE_SECONDS / 2)
    later = T0 + CLAIM_LEASE_SECONDS + 1
    assert [await b.claim_update("telegram:9", now=later), await a.claim_update("telegram:9", now=later)] == [True, False]


async def test_feedback_pressed_on_another_worker_lands_on_the_inquiry(workers: tuple[Store, Store]) -> None:
    a, b = workers
    inquiry_id = await a.log("telegram", "1", "法律援助怎么申请", Reply("指引", ReplyKind.ANSWER, intent="legal_aid", score=90.0))
    assert await b.set_feedback(inquiry_id, "up")
    assert (await a.get(inquiry_id)).feedback == "up"


async def test_the_send_budget_is_one_bucket_for_all_workers(workers: tuple[Store, Store]) -> None:
    a, b = workers
    waits = [await (a if n % 2 else b).take_send_token("telegram", now=T0) for n in range(int(SEND_BURST) + 3)]
    assert waits[: int(SEND_BURST)] == [0.0] * int(SEND_BURST)  # a full bucket: a burst goes out at once
    assert waits[int(SEND_BURST) :] == pytest.approx([1 / SEND_RATE, 2 / SEND_RATE, 3 / SEND_RATE])  # then queued in turn


async def test_the_send_budget_refills_with_time_but_not_from_a_slow_clock(workers: tuple[Store, Store]) -> None:
    a, b = workers
    for _ in range(int(SEND_BURST)):
        await a.take_send_token("telegram", now=T0)
    assert await b.take_send_token("telegram", now=T0 + 0.5) == 0.0  # half a second refilled 15 tokens
    for _ in range(int(SEND_RATE * 0.5) - 1):
        await a.take_send_token("telegram", now=T0 + 0.5)
    assert await b.take_send_token("telegram", now=T0 + 0.4) == pytest.approx(1 / SEND_RATE)  # a clock behind adds nothing


async def test_concurrent_senders_never_share_a_slot(workers: tuple[Store, Store]) -> None:
    a, b = workers
    waits = await asyncio.gather(*(w.take_send_token("telegram", now=T0) for w in (a, b) * 40))
    slots = sorted(round(wait * SEND_RATE) for wait in waits)
    assert slots == [0] * int(SEND_BURST) + list(range(1, 80 - int(SEND_BURST) + 1))


async def test_user_counters_count_per_user_and_window_across_workers(workers: tuple[Store, Store]) -> None:
    a, b = workers
    window = 10.0
    start = (T0 // window) * window
    hits = [await (a if n % 2 else b).hit_user_counter("555", window, now=start + n * 0.1) for n in range(5)]
    assert hits == [1, 2, 3, 4, 5]
    assert await a.hit_user_counter("666", window, now=start + 1) == 1  # someone else
    assert await a.hit_user_counter("555", 60.0, now=start + 1) == 1  # another limit counts apart
    assert await b.hit_user_counter("555", window, now=start + window) == 1  # the next window starts over


async def test_a_reload_on_one_worker_is_seen_by_the_others(workers: tuple[Store, Store]) -> None:
    a, b = workers
    seen = await b.knowledge_version()
    assert await a.bump_knowledge_version() == seen + 1
    assert await b.knowledge_version() == seen + 1
    assert await b.bump_knowledge_version() == seen + 2
    assert await a.knowledge_version() == seen + 2


async def test_a_renewed_claim_outlives_its_lease_and_its_state_can_be_read(workers: tuple[Store, Store]) -> None:
    a, b = workers
    assert await a.claim_state("telegram:31") is None
    assert await a.claim_update("telegram:31", now=T0, lease=10)
    await a.renew_claim("telegram:31", now=T0 + 8)  # still working on it
    assert not await b.claim_update("telegram:31", now=T0 + 15, lease=10)
    assert await b.claim_state("telegram:31") == ClaimState(claimed_at=T0 + 8, finished=False)
    assert await b.claim_update("telegram:31", now=T0 + 19, lease=10)  # no renewal since: its worker is gone
    await b.finish_update("telegram:31", now=T0 + 20)
    await a.renew_claim("telegram:31", now=T0 + 21)  # a late renewal from the old worker changes nothing
    assert await a.claim_state("telegram:31") == ClaimState(claimed_at=T0 + 19, finished=True)


async def test_the_same_update_logged_by_two_workers_is_one_inquiry(workers: tuple[Store, Store]) -> None:
    a, b = workers
    reply = Reply("指引", ReplyKind.ANSWER, intent="legal_aid", score=90.0)
    first = await a.log("telegram", "1", "法律援助怎么申请", reply, message_key="telegram:5001")
    again = await b.log("telegram", "1", "法律援助怎么申请", reply, message_key="telegram:5001")
    other = await b.log("telegram", "1", "法律援助怎么申请", reply, message_key="telegram:5002")
    plain = [await a.log("telegram", "1", "公证", reply) for _ in range(2)]  # no update id: rows of their own
    assert first == again and len({first, other, *plain}) == 4
    assert len(await a.inquiries()) == 4


async def test_update_ids_on_inquiries_are_forgotten_after_a_day(workers: tuple[Store, Store]) -> None:
    a, _ = workers
    reply = Reply("指引", ReplyKind.ANSWER, intent="legal_aid", score=90.0)
    then = dt.datetime.fromtimestamp(T0, ZONE)
    first = await a.log("telegram", "1", "法律援助", reply, at=then, message_key="telegram:7")
    assert await a.claim_update("telegram:99", now=T0 + DAY + 700)  # any claim sweeps now and then
    assert await a.log("telegram", "1", "法律援助", reply, message_key="telegram:7") != first  # a new update that reuses the number
