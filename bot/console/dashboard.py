"""The month (or any period) at a glance: volume per day, per topic and service, unmatched rate,
👍/👎, channel mix and busiest hours — as JSON with Chinese labels, for the dashboard and the
monthly report alike (both draw it with `static/charts.js`).

One grouped query reads everything (day, hour, channel, intent, feedback → count); days and hours
are Wanzhou's (Asia/Shanghai). Labels are the intents' titles, never their ids; an intent no longer
in the knowledge keeps its id so its inquiries are not lost from the figures.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..admin.export import CHANNEL_NAMES, UNMATCHED_NAME as UNMATCHED
from ..core.knowledge import Knowledge
from ..store.base import ZONE
from ..store.sql import SQLStore

HOUR = {"sqlite": "substr(time, 12, 2)", "postgres": f"to_char(time AT TIME ZONE '{ZONE.key}', 'HH24')"}
KIND_NAMES = {"topic": "问题类别", "service": "法律服务", "other": "其他"}
ANSWERED, FEEDBACK_UP, FEEDBACK_DOWN = "已回答", "有帮助", "没帮助"  # words: not every PC has an emoji font


@dataclass(frozen=True)
class Slice:
    day: dt.date
    hour: int
    channel: str
    intent: str | None
    feedback: str | None
    count: int


async def load_slices(store: SQLStore, since: dt.date, until: dt.date) -> list[Slice]:
    """Inquiries from ``since`` to ``until`` (days in `ZONE`, inclusive), grouped."""
    rows = await store.select(
        f"SELECT {{day}} AS day, {HOUR[store.dialect.name]} AS hour, channel, intent, feedback, COUNT(*) AS n"
        " FROM inquiries WHERE time >= ? AND time < ? GROUP BY day, hour, channel, intent, feedback",
        store.dialect.day_start(since),
        store.dialect.day_start(until + dt.timedelta(days=1)),
    )
    return [Slice(dt.date.fromisoformat(r["day"]), int(r["hour"]), r["channel"], r["intent"], r["feedback"], int(r["n"])) for r in rows]


def _kind(knowledge: Knowledge, intent_id: str | None) -> str:
    intent = knowledge.get(intent_id) if intent_id else None
    if intent is None or intent.priority or intent.out_of_scope or intent.kind not in ("topic", "service"):
        return "other"
    return intent.kind


def title_of(knowledge: Knowledge, intent_id: str | None) -> str:
    if intent_id is None:
        return UNMATCHED
    intent = knowledge.get(intent_id)
    return intent.title if intent is not None else intent_id


def _chart(title: str, kind: str, labels: list[str], *series: tuple[str, list[float]], percent: bool = False) -> dict[str, Any]:
    return {"title": title, "type": kind, "labels": labels, "percent": percent, "series": [{"name": n, "values": v} for n, v in series]}


def _ranked(counts: Counter[str]) -> tuple[list[str], list[float]]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [label for label, _ in ordered], [n for _, n in ordered]


@dataclass(frozen=True)
class Period:
    since: dt.date
    until: dt.date

    @property
    def days(self) -> list[dt.date]:
        return [self.since + dt.timedelta(days=n) for n in range((self.until - self.since).days + 1)]

    @classmethod
    def month(cls, first: dt.date) -> "Period":
        following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return cls(first.replace(day=1), following - dt.timedelta(days=1))


def figures(slices: Iterable[Slice], knowledge: Knowledge, period: Period) -> dict[str, Any]:
    """Everything the dashboard shows, labelled in Chinese."""
    slices = list(slices)
    total = sum(s.count for s in slices)
    count = lambda keep: sum(s.count for s in slices if keep(s))  # noqa: E731
    unmatched = count(lambda s: s.intent is None)
    up, down = count(lambda s: s.feedback == "up"), count(lambda s: s.feedback == "down")
    days = period.days

    def per_day(keep: Callable[[Slice], bool]) -> list[float]:
        counts = Counter({d: 0 for d in days})
        for s in slices:
            if keep(s):
                counts[s.day] += s.count
        return [counts[d] for d in days]

    day_totals, day_unmatched = per_day(lambda s: True), per_day(lambda s: s.intent is None)
    by_kind: dict[str, Counter[str]] = {kind: Counter() for kind in KIND_NAMES}
    by_channel: Counter[str] = Counter()
    hours = [0.0] * 24
    rows: dict[str | None, Counter[str]] = {}
    for s in slices:
        by_kind[_kind(knowledge, s.intent)][title_of(knowledge, s.intent)] += s.count
        by_channel[CHANNEL_NAMES.get(s.channel, s.channel)] += s.count
        hours[s.hour] += s.count
        row = rows.setdefault(s.intent, Counter())
        row["count"] += s.count
        if s.feedback:
            row[s.feedback] += s.count
    day_labels = [f"{d.month}月{d.day}日" for d in days]
    rated = sorted((i for i, r in rows.items() if r["up"] or r["down"]), key=lambda i: (-(rows[i]["up"] + rows[i]["down"]), title_of(knowledge, i)))
    charts = {
        "per_day": _chart("每日咨询量", "columns", day_labels, (ANSWERED, [t - u for t, u in zip(day_totals, day_unmatched)]), (UNMATCHED, day_unmatched)),
        "unmatched_rate": _chart("每日未匹配率", "columns", day_labels, ("未匹配率", [u / t if t else 0 for t, u in zip(day_totals, day_unmatched)]), percent=True),
        "topics": _chart("按问题类别", "bars", *_with_name(_ranked(by_kind["topic"]))),
        "services": _chart("按法律服务", "bars", *_with_name(_ranked(by_kind["service"]))),
        "channels": _chart("渠道分布", "bars", *_with_name(_ranked(by_channel))),
        "hours": _chart("各时段咨询量（北京时间）", "columns", [f"{h}时" for h in range(24)], ("咨询量", hours)),
        "feedback": _chart(
            "居民评价", "bars", [title_of(knowledge, i) for i in rated],
            (FEEDBACK_UP, [rows[i]["up"] for i in rated]), (FEEDBACK_DOWN, [rows[i]["down"] for i in rated]),
        ),
    }
    table = [
        {
            "label": title_of(knowledge, intent),
            "kind": KIND_NAMES[_kind(knowledge, intent)] if intent else UNMATCHED,
            "count": r["count"],
            "share": r["count"] / total if total else 0.0,
            "up": r["up"],
            "down": r["down"],
        }
        for intent, r in sorted(rows.items(), key=lambda item: (-item[1]["count"], title_of(knowledge, item[0])))
    ]
    busiest = max(range(24), key=lambda h: (hours[h], -h)) if total else None
    return {
        "period": {"since": period.since.isoformat(), "until": period.until.isoformat(), "days": len(days)},
        "totals": {
            "inquiries": total,
            "unmatched": unmatched,
            "unmatched_rate": unmatched / total if total else 0.0,
            "up": up,
            "down": down,
            "daily_average": total / len(days) if days else 0.0,
            "busiest_hour": busiest,
        },
        "charts": charts,
        "intents": table,
    }


def _with_name(ranked: tuple[list[str], list[float]]) -> tuple[list[str], tuple[str, list[float]]]:
    labels, values = ranked
    return labels, ("咨询量", values)


async def dashboard(store: SQLStore, knowledge: Knowledge, period: Period) -> dict[str, Any]:
    return figures(await load_slices(store, period.since, period.until), knowledge, period)
