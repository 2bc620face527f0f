"""Per-user fairness: the flood gate, in-order handling per user, and the session store."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.conversation.sessions import MemorySessions
from bot.channels.telegram.limits import PerUserUpdateProcessor
from bot.conversation.limits import FloodGate


def test_flood_gate_allows_a_burst_then_a_steady_rate_and_warns_once_per_flood():
    gate = FloodGate(burst=5, rate=1.0)
    verdicts = [gate.admit(1, now=100.0) for _ in range(8)]
    assert [handle for handle, _ in verdicts] == [True] * 5 + [False] * 3
    assert [warn for _, warn in verdicts] == [False] * 5 + [True, False, False]
    assert gate.admit(1, now=101.0) == (True, False)  # one token a second
    assert gate.admit(1, now=101.1)[0] is False
    assert gate.admit(2, now=101.1) == (True, False)  # other users are untouched
    # Once calm again (bucket refilled), a new flood gets a new note.
    for _ in range(5):
        assert gate.admit(1, now=200.0)[0]
    assert gate.admit(1, now=200.0) == (False, True)


def _update(update_id: int, user_id: int) -> Update:
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": {"id": user_id, "type": "private"},
                "from": {"id": user_id, "is_bot": False, "first_name": "u"},
                "text": f"m{update_id}",
            },
        },
        None,
    )


async def test_one_users_updates_run_in_order_while_other_users_run_alongside():
    processor = PerUserUpdateProcessor(16, FloodGate(burst=100, rate=1))
    events: list[tuple[int, str, int]] = []

    async def handle(user: int, n: int, delay: float):
        events.append((user, "start", n))
        await asyncio.sleep(delay)
        events.append((user, "end", n))

    jobs = [processor.process_update(_update(n, 1), handle(1, n, 0.02)) for n in range(5)]
    jobs.append(processor.process_update(_update(99, 2), handle(2, 99, 0)))
    await asyncio.gather(*jobs)
    user1 = [(kind, n) for user, kind, n in events if user == 1]
    assert user1 == [(kind, n) for n in range(5) for kind in ("start", "end")]  # strictly one after another
    # User 2 was not stuck behind user 1's queue: it finished before user 1's second message began.
    assert events.index((2, "end", 99)) < events.index((1, "start", 1))
    assert len(processor.locks) == 0  # no lock left behind


async def test_a_flooding_user_is_dropped_with_one_note_and_others_still_served():
    dropped: list[tuple[int, bool]] = []
    handled: list[int] = []

    async def on_dropped(update, warn):
        dropped.append((update.effective_user.id, warn))

    async def handle(n: int):
        handled.append(n)

    processor = PerUserUpdateProcessor(8, FloodGate(burst=3, rate=0.001), on_dropped)
    await asyncio.gather(*(processor.process_update(_update(n, 7), handle(n)) for n in range(10)))
    await processor.process_update(_update(100, 8), handle(100))
    assert handled[:3] == [0, 1, 2] and handled[3:] == [100]
    assert dropped == [(7, True)] + [(7, False)] * 6


def test_memory_sessions_keep_state_per_user_and_forget_idle_ones():
    sessions = MemorySessions(idle_seconds=60)
    first = sessions.get((1, 1))
    first.flow, first.updated_at = "deadline", 1000.0
    assert sessions.get((1, 1)) is first and sessions.get((2, 2)) is not first
    sessions.get((2, 2)).updated_at = 1050.0
    assert sessions.prune(now=1070.0) == 1
    assert sessions.get((1, 1)).flow is None  # forgotten: a fresh session
