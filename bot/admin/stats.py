"""Figures an admin reports: volume, per-intent counts, unmatched rate, 👍/👎, per-day volume.

One grouped query (`InquiryStore.counts`) feeds everything; a `Stats` can then be narrowed to a
sub-period in memory, so Telegram's /stats reads the week once and shows today and the week::

    week = await stats_summary(store, InquiryFilter(since=today - dt.timedelta(days=6), until=today))
    day = week.between(today, today)
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from ..store.base import CountRow, InquiryFilter, InquiryStore

UNMATCHED = "none"  # the by_intent key for inquiries no intent answered


@dataclass(frozen=True)
class Stats:
    """Counts over a period; ``since``/``until`` (inclusive) bound the days shown, None: the data's own."""

    rows: tuple[CountRow, ...]
    since: dt.date | None = None
    until: dt.date | None = None

    @property
    def total(self) -> int:
        return sum(r.count for r in self.rows)

    @property
    def unmatched(self) -> int:
        return sum(r.count for r in self.rows if r.intent is None)

    @property
    def unmatched_rate(self) -> float:
        return self.unmatched / self.total if self.total else 0.0

    @property
    def by_intent(self) -> dict[str, int]:
        """Intent id → count, most asked first (ties by id); unmatched under ``"none"``."""
        counts = Counter[str]()
        for r in self.rows:
            counts[r.intent or UNMATCHED] += r.count
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    @property
    def feedback(self) -> dict[str, int]:
        return {value: sum(r.count for r in self.rows if r.feedback == value) for value in ("up", "down")}

    @property
    def days(self) -> list[dt.date]:
        """Every day of the period, including quiet ones, so charts show gaps as zeros."""
        first = self.since or min((r.day for r in self.rows), default=None)
        last = self.until or max((r.day for r in self.rows), default=None)
        if first is None or last is None:
            return []
        return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]

    def _per_day(self, unmatched_only: bool) -> dict[dt.date, int]:
        counts = dict.fromkeys(self.days, 0)
        for r in self.rows:
            if r.day in counts and (r.intent is None or not unmatched_only):
                counts[r.day] += r.count
        return counts

    @property
    def per_day(self) -> dict[dt.date, int]:
        return self._per_day(unmatched_only=False)

    @property
    def unmatched_per_day(self) -> dict[dt.date, int]:
        return self._per_day(unmatched_only=True)

    @property
    def busiest_day(self) -> tuple[dt.date, int] | None:
        return max(self.per_day.items(), key=lambda item: (item[1], item[0]), default=None) if self.total else None

    def between(self, since: dt.date, until: dt.date) -> "Stats":
        return Stats(tuple(r for r in self.rows if since <= r.day <= until), since, until)

    def as_dict(self) -> dict:
        """The JSON form (`inquiries stats --json`)."""
        return {
            "since": self.days[0].isoformat() if self.days else None,
            "until": self.days[-1].isoformat() if self.days else None,
            "total": self.total,
            "by_intent": self.by_intent,
            "unmatched": self.unmatched,
            "unmatched_rate": round(self.unmatched_rate, 4),
            "feedback": self.feedback,
            "per_day": {day.isoformat(): n for day, n in self.per_day.items()},
            "unmatched_per_day": {day.isoformat(): n for day, n in self.unmatched_per_day.items()},
        }


async def stats_summary(store: InquiryStore, where: InquiryFilter = InquiryFilter()) -> Stats:
    """Statistics over the inquiries ``where`` selects; its since/until also bound the days shown."""
    return Stats(tuple(await store.counts(where)), where.since, where.until)


def format_stats(stats: Stats, title: str = "Inquiries") -> str:
    """A plain-text summary (no markup), for the terminal and for a chat message alike."""
    days = stats.days
    period = f"{days[0]} – {days[-1]}" if days else "no data"
    lines = [
        f"{title} ({period})",
        f"total: {stats.total}",
        f"unmatched: {stats.unmatched} ({stats.unmatched_rate:.1%})",
        f"feedback: 👍 {stats.feedback['up']}  👎 {stats.feedback['down']}",
    ]
    if busiest := stats.busiest_day:
        lines.append(f"busiest day: {busiest[0]} ({busiest[1]})")
    if stats.total:
        lines.append("by intent:")
        lines += [f"  {intent:<24} {n:6d}" for intent, n in stats.by_intent.items()]
    return "\n".join(lines)
