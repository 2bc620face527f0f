"""PNG charts of a `Stats`: daily volume, per-intent volume, daily unmatched rate.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no GUI, no global state), so
the bot can render a chart for /stats in a worker thread. Labels are intent ids and English
titles: matplotlib's bundled font has no Chinese glyphs, and ids read the same on every server.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, DateFormatter, DayLocator
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from .stats import UNMATCHED, Stats

SIZE = (8.0, 4.0)
DPI = 100
MAX_DAY_TICKS = 10
MATCHED_COLOUR = "#3b7dd8"
UNMATCHED_COLOUR = "#d8703b"


def _png(draw: Callable[[Axes], None], stats: Stats, title: str) -> bytes:
    figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_title(title)
    if stats.total:
        draw(axes)
    else:
        axes.set_axis_off()
        axes.text(0.5, 0.5, "no inquiries in this period", ha="center", va="center", transform=axes.transAxes)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _date_axis(axes: Axes, days: list[dt.date]) -> None:
    """Ticks on whole days (month-day up to a month), and the period's own span even for one day."""
    if len(days) <= MAX_DAY_TICKS * 3:
        axes.xaxis.set_major_locator(DayLocator(interval=-(-len(days) // MAX_DAY_TICKS)))
        axes.xaxis.set_major_formatter(DateFormatter("%m-%d"))
    else:
        locator = AutoDateLocator(minticks=3, maxticks=MAX_DAY_TICKS)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    half_day = dt.timedelta(hours=12)
    axes.set_xlim(dt.datetime.combine(days[0], dt.time()) - half_day, dt.datetime.combine(days[-1], dt.time()) + half_day)


def render_daily_chart(stats: Stats) -> bytes:
    """Inquiries per day, the unmatched part stacked on top in a second colour."""

    def draw(axes: Axes) -> None:
        days = stats.days
        matched = [stats.per_day[d] - stats.unmatched_per_day[d] for d in days]
        unmatched = [stats.unmatched_per_day[d] for d in days]
        axes.bar(days, matched, color=MATCHED_COLOUR, label="answered")
        axes.bar(days, unmatched, bottom=matched, color=UNMATCHED_COLOUR, label="unmatched")
        axes.set_ylabel("inquiries")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.legend(loc="upper left")
        _date_axis(axes, days)

    return _png(draw, stats, "Inquiries per day")


def render_intent_chart(stats: Stats) -> bytes:
    """Inquiries per intent, most asked at the top; unmatched shown as "none"."""

    def draw(axes: Axes) -> None:
        items = list(stats.by_intent.items())[::-1]
        colours = [UNMATCHED_COLOUR if intent == UNMATCHED else MATCHED_COLOUR for intent, _ in items]
        axes.barh([intent for intent, _ in items], [n for _, n in items], color=colours)
        axes.set_xlabel("inquiries")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))

    return _png(draw, stats, "Inquiries per intent")


def render_unmatched_chart(stats: Stats) -> bytes:
    """Share of each day's inquiries that no intent answered (days without inquiries left out)."""

    def draw(axes: Axes) -> None:
        days = [d for d in stats.days if stats.per_day[d]]
        rates = [stats.unmatched_per_day[d] / stats.per_day[d] for d in days]
        axes.plot(days, rates, marker="o", color=UNMATCHED_COLOUR)
        axes.set_ylim(0, 1.05)
        axes.yaxis.set_major_formatter(PercentFormatter(1.0))
        axes.set_ylabel("unmatched")
        _date_axis(axes, stats.days)

    return _png(draw, stats, "Unmatched rate per day")
