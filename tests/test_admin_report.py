"""Charts and the report: real PNGs, a summary that embeds them, no font warnings."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import struct
import warnings
from pathlib import Path

import pytest

from bot.admin.charts import render_daily_chart, render_intent_chart, render_unmatched_chart
from bot.admin.stats import Stats, stats_summary
from bot.cli import main
from bot.store.base import now
from bot.store.sqlite import SQLiteStore

from .admin_data import make_log
from .conftest import INTENTS

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_MAGIC)
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "inquiries.sqlite3"
    make_log(path)
    return path


@pytest.mark.parametrize("render", [render_daily_chart, render_intent_chart, render_unmatched_chart])
async def test_every_chart_is_a_png_with_or_without_data(db: Path, render) -> None:
    store = await SQLiteStore.open(db)
    stats = await stats_summary(store)
    await store.close()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "Glyph missing from font"
        full = render(stats)
        empty = render(Stats((), dt.date(2025, 1, 1), dt.date(2025, 1, 7)))
        one_day = render(stats.between(dt.date(2025, 3, 2), dt.date(2025, 3, 2)))
    assert png_size(full) == (800, 400)
    assert png_size(empty) == png_size(one_day) == (800, 400)
    assert full != empty


def test_report_writes_charts_and_a_summary_into_todays_folder(db: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    intents = tmp_path / "intents"
    shutil.copytree(INTENTS, intents)
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code = main(["report", "--db", str(db), "--intents", str(intents), "--until", "2025-03-31"])
    stdout = capsys.readouterr().out
    out = tmp_path / "reports" / now().date().isoformat()
    assert code == 0 and "8 inquiries" in stdout
    summary = (out / "report.md").read_text(encoding="utf-8")
    for chart in ("daily_volume.png", "intent_volume.png", "unmatched_rate.png"):
        assert (out / chart).read_bytes().startswith(PNG_MAGIC)
        assert f"]({chart})" in summary
    assert "2025-03-01 – 2025-03-31" in summary
    assert "| Inquiries 咨询总数 | 8 |" in summary
    assert "| Unmatched 未匹配 | 4 (50.0%) |" in summary
    assert re.search(r"^\| legal_aid \| \S+ \| 2 \| 25\.0% \|$", summary, re.MULTILINE)  # with its Chinese title
