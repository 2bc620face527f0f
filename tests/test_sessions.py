"""Sessions behind the async interface: in memory for one process, in the store for several workers.

The shared case is what a resident notices: a guided flow started on one worker goes on when the
next message reaches another.
"""

from __future__ import annotations

import time

import pytest

from bot.conversation.sessions import AsyncMemorySessions, AsyncSessionStore, DatabaseSessions
from bot.core.reply import ReplyKind
from bot.core.responder import Responder
from bot.core.session import Session
from bot.flows import all_flows
from bot.store import open_store
from bot.store.shared_state import SESSION_IDLE_SECONDS

KEY = (-100123, 4242)  # (chat, user), as the Telegram adapter keys sessions


@pytest.fixture(scope="module")
def responder(knowledge) -> Responder:
    return Responder(knowledge, all_flows())


async def _turn(sessions: AsyncSessionStore, act) -> object:
    """One update on one worker: load the session, let the core act on it, save it."""
    session = await sessions.get(KEY)
    reply = act(session)
    await sessions.save(KEY, session)
    return reply


async def test_a_flow_started_on_one_worker_continues_on_another(any_db: str, responder: Responder) -> None:
    one, two = await open_store(any_db), await open_store(any_db)
    worker_one, worker_two = DatabaseSessions(one), DatabaseSessions(two)
    try:
        await _turn(worker_one, lambda s: responder.command("deadline", "", s))
        asked = await _turn(worker_two, lambda s: responder.press("flow:deadline:k:administrative-review", s))
        assert "知道或者应当知道行政行为之日" in asked.text
        answer = await _turn(worker_one, lambda s: responder.respond("2025-08-02", s))
        assert answer.kind is ReplyKind.ANSWER and "最后一天：2025年10月9日" in answer.text
        assert (await worker_two.get(KEY)).flow is None  # answered on worker one, finished everywhere
    finally:
        await one.close()
        await two.close()


async def test_users_have_separate_sessions_and_idle_ones_start_fresh(any_db: str) -> None:
    store = await open_store(any_db)
    now = time.time()
    clock = [now]
    sessions = DatabaseSessions(store, clock=lambda: clock[0])
    try:
        await sessions.save(KEY, Session("eligibility", {"answers": {"income": "low"}}, now))
        assert (await sessions.get(KEY)).state == {"answers": {"income": "low"}}
        assert (await sessions.get((KEY[0], 1))).flow is None  # another member of the same group
        clock[0] = now + SESSION_IDLE_SECONDS + 1
        fresh = await sessions.get(KEY)
        assert (fresh.flow, fresh.state, fresh.updated_at) == (None, {}, clock[0])
    finally:
        await store.close()


async def test_memory_sessions_work_behind_the_async_interface(responder: Responder) -> None:
    sessions = AsyncMemorySessions()
    await _turn(sessions, lambda s: responder.command("deadline", "", s))
    assert (await sessions.get(KEY)).flow == "deadline"
    assert (await sessions.get("someone else")).flow is None
    assert len(sessions.sessions) == 2
