"""A small inquiry log on a real SQLite file, shared by the admin tests."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from bot.core.matcher import Candidate
from bot.core.reply import Reply, ReplyKind
from bot.store.base import ZONE
from bot.store.sqlite import SQLiteStore

PHONE = "13812345678"

# (day, text, intent or None, feedback); the three dog-bite questions are rephrasings of one.
INQUIRIES: tuple[tuple[str, str, str | None, str | None], ...] = (
    ("2025-03-01", f"老板欠工资不给，我电话{PHONE}", "legal_aid", "up"),
    ("2025-03-01", "我家狗被邻居家的狗咬了谁赔", None, None),
    ("2025-03-01", "=HYPERLINK(\"http://x\") 邻居吵架", "mediation", None),
    ("2025-03-02", "邻居的狗把我家狗咬伤了找哪个赔", None, "down"),
    ("2025-03-02", "-1 公证书多久能拿到", "notarization", "down"),
    ("2025-03-04", "狗被邻居狗咬了赔偿找谁", None, None),
    ("2025-03-04", "万州烤鱼哪家好吃", None, None),
    ("2025-03-04", "@所有人 请不起律师怎么办", "legal_aid", None),
)


def reply_for(intent: str | None) -> Reply:
    if intent is None:
        return Reply("抱歉，我没能理解您的问题。", ReplyKind.FALLBACK, score=30.0, candidates=(Candidate("mediation", 30.0),))
    return Reply(f"{intent} 的指引", ReplyKind.ANSWER, intent=intent, score=90.0, candidates=(Candidate(intent, 90.0),))


async def fill(db: Path, rows=INQUIRIES) -> list[int]:
    store = await SQLiteStore.open(db)
    ids = []
    for n, (day, text, intent, feedback) in enumerate(rows):
        moment = dt.datetime.fromisoformat(day).replace(hour=9, minute=n, tzinfo=ZONE)
        inquiry_id = await store.log("telegram", str(1000 + n), text, reply_for(intent), at=moment)
        if feedback:
            await store.set_feedback(inquiry_id, feedback)
        ids.append(inquiry_id)
    await store.close()
    return ids


def make_log(db: Path, rows=INQUIRIES) -> list[int]:
    return asyncio.run(fill(db, rows))
