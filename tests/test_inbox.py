"""The inbox over a real SQLite log: what needs a look and why, clusters that keep their ids,
the conversation around an item, and teaching, dismissing and undoing, batch by batch."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.admin.inbox import InboxError, abandoned_flows, batches, context, dismiss, inbox, stored_form, teach, undo
from bot.core.matcher import Matcher
from bot.core.responder import Responder
from bot.core.session import Session
from bot.flows import all_flows
from bot.knowledge.source import load, newest
from bot.store.base import ZONE


DRAFTING = ("起诉状谁能帮我写", "起诉状哪个帮我写嘛", "谁帮忙写起诉状")
CONTRACT = ("帮忙看下合同条款坑不坑", "合同条款坑不坑帮忙看下")
START = dt.datetime(2026, 11, 20, 9, 0, tzinfo=ZONE)


@pytest.fixture
def responder(knowledge) -> Responder:
    return Responder(knowledge, all_flows())


async def ask(store, responder: Responder, person: str, text: str, minutes: int) -> int:
    reply = responder.respond(text, Session())
    return await store.log("web", person, text, reply, at=START + dt.timedelta(minutes=minutes))


def today() -> dt.date:
    return START.date()


async def test_what_needs_a_look_is_grouped_with_its_reasons(store, responder, matcher) -> None:
    drafting = [await ask(store, responder, f"居民{n}", text, n) for n, text in enumerate(DRAFTING)]
    contract = [await ask(store, responder, f"居民{n + 10}", text, 30 + n) for n, text in enumerate(CONTRACT)]
    answered = await ask(store, responder, "居民20", "法律援助怎么申请", 40)
    disliked = await ask(store, responder, "居民21", "在哪里可以打官司不要钱", 41)
    await store.set_feedback(disliked, "down")
    # Answered, then within minutes the same person asks again in words the bot cannot place.
    missed = await ask(store, responder, "居民22", "婆婆总是骂我", 50)
    await ask(store, responder, "居民22", "起诉状谁能帮我写", 52)

    clusters = await inbox(store, matcher, today())
    by_item = {item.inquiry.id: (c, item) for c in clusters for item in c.items}
    assert answered not in by_item
    assert {by_item[i][0].id for i in drafting} == {min(drafting)}
    assert {by_item[i][0].id for i in contract} == {min(contract)}
    assert "unmatched" in by_item[drafting[0]][1].reasons
    assert "down" in by_item[disliked][1].reasons
    assert "rephrased" in by_item[missed][1].reasons
    biggest = clusters[0]
    assert biggest.id == min(drafting) and len(biggest.items) == 4  # the rephrasing joined it
    assert biggest.texts[0] == "起诉状谁能帮我写"  # asked twice


async def test_cluster_ids_stay_as_questions_come_and_go(store, responder, matcher) -> None:
    drafting = [await ask(store, responder, f"居民{n}", text, n) for n, text in enumerate(DRAFTING[:2])]
    contract = [await ask(store, responder, f"居民{n + 10}", text, 30 + n) for n, text in enumerate(CONTRACT)]
    first = {c.id: {i.inquiry.id for i in c.items} for c in await inbox(store, matcher, today())}
    assert set(first) == {min(drafting), min(contract)}

    await dismiss(store, contract[:1], "审核员")
    later = await ask(store, responder, "居民30", DRAFTING[2], 60)
    second = {c.id: {i.inquiry.id for i in c.items} for c in await inbox(store, matcher, today())}
    assert second[min(drafting)] == {*drafting, later}
    assert second[min(contract)] == {contract[1]}  # the cluster kept its id without its founder


async def test_the_conversation_around_an_item_is_that_person_only(store, responder) -> None:
    before = await ask(store, responder, "居民1", "法律援助怎么申请", 0)
    item = await ask(store, responder, "居民1", "起诉状谁能帮我写", 2)
    await ask(store, responder, "居民2", "调解要收费吗", 3)
    after = await ask(store, responder, "居民1", "谢谢", 4)
    earlier, later = await context(store, await store.get(item))
    assert [i.id for i in earlier] == [before] and [i.id for i in later] == [after]


async def test_teaching_a_cluster_adds_one_redacted_example_and_undo_takes_it_back(store, responder, matcher, intents_copy: Path) -> None:
    ids = [await ask(store, responder, f"居民{n}", text, n) for n, text in enumerate(DRAFTING)]
    typed = "我叫张三，起诉状谁能帮我写"
    assert stored_form(typed) == "我叫[姓名]，起诉状谁能帮我写"
    done = await teach(store, intents_copy, ids, "legal_consultation", typed, "审核员王")

    loaded = await load(store, intents_copy)
    assert "我叫[姓名]，起诉状谁能帮我写" in loaded.knowledge["legal_consultation"].examples
    assert all("张三" not in text for text in (await newest(store))[1].values())
    assert Matcher(loaded.knowledge).match("起诉状谁能帮我写").intent == "legal_consultation"
    assert done.saved.revision.author == "审核员王"
    assert all(c.id not in ids for c in await inbox(store, matcher, today()))
    with pytest.raises(InboxError, match="已经是"):
        await teach(store, intents_copy, ids[:1], "legal_aid", typed, "审核员王")

    await undo(store, intents_copy, done.batch, "审核员王")
    loaded = await load(store, intents_copy)
    assert "我叫[姓名]，起诉状谁能帮我写" not in loaded.knowledge["legal_consultation"].examples
    assert {i.inquiry.id for c in await inbox(store, matcher, today()) for i in c.items} == set(ids)
    with pytest.raises(InboxError, match="撤销过"):
        await undo(store, intents_copy, done.batch, "审核员王")
    assert [b.undone for b in await batches(store)] == [True]


async def test_out_of_scope_teaches_the_bot_to_decline(store, responder, intents_copy: Path) -> None:
    text = "万州哪家火锅最好吃"
    item = await ask(store, responder, "居民1", text, 0)
    await teach(store, intents_copy, [item], None, text, "审核员")
    knowledge = (await load(store, intents_copy)).knowledge
    assert text in knowledge["out_of_scope"].examples
    assert Matcher(knowledge).match(text).intent is None
    assert (await batches(store))[0].action == "out_of_scope"


async def test_dismiss_and_undo(store, responder, matcher) -> None:
    ids = [await ask(store, responder, f"居民{n}", text, n) for n, text in enumerate(CONTRACT)]
    done = await dismiss(store, ids, "审核员")
    assert not await inbox(store, matcher, today())
    await undo(store, Path("unused"), done.batch, "审核员")
    assert {i.inquiry.id for c in await inbox(store, matcher, today()) for i in c.items} == set(ids)
    with pytest.raises(InboxError, match="找不到编号"):
        await dismiss(store, [9999], "审核员")


async def test_flows_left_half_way_are_counted_by_how_far_residents_got(store) -> None:
    now_s = 1_800_000_000.0
    left = now_s - 3600
    await store.save_session("web:a", {"flow": "eligibility", "state": {"answers": [["income", "low"]]}, "updated_at": left}, left)
    await store.save_session("web:b", {"flow": "eligibility", "state": {"answers": [["income", "low"]]}, "updated_at": left}, left)
    await store.save_session("web:c", {"flow": "deadline", "state": {}, "updated_at": left}, left)
    await store.save_session("web:d", {"flow": "deadline", "state": {}, "updated_at": now_s - 60}, now_s - 60)  # still in it
    await store.save_session("web:e", {"flow": None, "state": {}, "updated_at": left}, left)
    found = [(a.flow, a.answered, a.count) for a in await abandoned_flows(store, now_s)]
    assert found == [("eligibility", 1, 2), ("deadline", 0, 1)]
