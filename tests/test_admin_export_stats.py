"""Export, statistics and retention over a real inquiry log, and the `inquiries` commands in-process."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from bot.admin.export import export_csv, export_jsonl, spreadsheet_safe
from bot.admin.retention import apply_retention, retention_loop
from bot.admin.stats import format_stats, stats_summary
from bot.cli import main
from bot.store.base import InquiryFilter
from bot.store.sqlite import SQLiteStore

from .admin_data import INQUIRIES, PHONE, fill, make_log
from .conftest import ROOT, run_cli

REQUIRED_FIELDS = {"id", "time", "channel", "user", "text", "intent", "score", "feedback"}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "inquiries.sqlite3"
    make_log(path)
    return path


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("cell", ["=1+1", "+86", "-5", "@SUM(A1)", "\tx", "\rx", "＝1+1", "＋86", "－5", "＠SUM(A1)", "\t=1+1", "\r\n=1"])
def test_formula_starts_are_defused(cell: str) -> None:
    assert spreadsheet_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["法律援助", "12348", "'quoted", "a=b", "工资＝5000元", ""])
def test_ordinary_cells_are_left_alone(cell: str) -> None:
    assert spreadsheet_safe(cell) == cell


async def test_csv_is_excel_friendly_and_formula_safe(db: Path) -> None:
    store = await SQLiteStore.open(db)
    data = export_csv(await store.inquiries())
    await store.close()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == len(INQUIRIES)
    assert REQUIRED_FIELDS <= set(rows[0])
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert rows[2]["text"].startswith("'=HYPERLINK")
    assert rows[0]["text"] == "老板欠工资不给，我电话[手机号]"
    assert json.loads(rows[0]["candidates"]) == [{"intent": "legal_aid", "score": 90.0}]
    assert PHONE not in data.decode("utf-8")


async def test_jsonl_keeps_text_as_typed_except_redaction(db: Path) -> None:
    store = await SQLiteStore.open(db)
    records = [json.loads(line) for line in export_jsonl(await store.inquiries()).decode().splitlines()]
    await store.close()
    assert [r["text"] for r in records][2] == '=HYPERLINK("http://x") 邻居吵架'
    assert all(REQUIRED_FIELDS <= set(r) for r in records)
    assert [r["feedback"] for r in records][:2] == ["up", None]


async def test_stats_count_intents_unmatched_feedback_and_quiet_days(db: Path) -> None:
    store = await SQLiteStore.open(db)
    stats = await stats_summary(store)
    await store.close()
    summary = stats.as_dict()
    assert summary["total"] == 8
    assert summary["by_intent"] == {"none": 4, "legal_aid": 2, "mediation": 1, "notarization": 1}
    assert summary["unmatched_rate"] == 0.5
    assert summary["feedback"] == {"up": 1, "down": 2}
    assert summary["per_day"] == {"2025-03-01": 3, "2025-03-02": 2, "2025-03-03": 0, "2025-03-04": 3}
    assert summary["unmatched_per_day"]["2025-03-04"] == 2
    week = stats.between(dt.date(2025, 3, 2), dt.date(2025, 3, 8))
    assert (week.total, len(week.per_day), week.feedback["down"]) == (5, 7, 2)
    text = format_stats(stats)
    assert "total: 8" in text and "50.0%" in text and "legal_aid" in text


async def test_stats_of_an_empty_log_are_zeros_not_errors(tmp_path: Path) -> None:
    store = await SQLiteStore.open(tmp_path / "empty.sqlite3")
    stats = await stats_summary(store, InquiryFilter(since=dt.date(2025, 3, 1), until=dt.date(2025, 3, 2)))
    await store.close()
    assert stats.as_dict()["total"] == 0 and stats.unmatched_rate == 0.0
    assert stats.as_dict()["per_day"] == {"2025-03-01": 0, "2025-03-02": 0}
    assert "total: 0" in format_stats(stats)


async def test_retention_purges_only_when_configured(tmp_path: Path) -> None:
    db = tmp_path / "log.sqlite3"
    await fill(db)
    store = await SQLiteStore.open(db)
    assert await apply_retention(store, 0) == 0
    await retention_loop(store, 0)  # returns at once: keep forever
    assert len(await store.inquiries()) == len(INQUIRIES)
    assert await apply_retention(store, 1) == len(INQUIRIES)  # all are from 2025
    await store.close()


def test_list_shows_a_table_newest_first_with_filters(db: Path, capsys) -> None:
    code, out, _ = cli(capsys, "inquiries", "list", "--db", str(db), "--unmatched", "--since", "2025-03-02")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "TIME", "INTENT", "SCORE", "FB", "TEXT"]
    assert "万州烤鱼哪家好吃" in lines[1] and "2025-03-04 09:06" in lines[1]
    assert "邻居的狗把我家狗咬伤了" in lines[3] and "down" in lines[3]
    assert lines[-1] == "(3 shown, newest first)"
    code, out, _ = cli(capsys, "inquiries", "list", "--db", str(db), "--intent", "legal_aid", "--until", "2025-03-01")
    assert "[手机号]" in out and "(1 shown" in out
    code, out, _ = cli(capsys, "inquiries", "list", "--db", str(db), "--feedback", "down", "--limit", "1")
    assert "公证书" in out and "(1 shown" in out


def test_export_to_a_file_and_stdout_with_the_same_filters(db: Path, tmp_path: Path, capsys) -> None:
    out_file = tmp_path / "out" / "inquiries.csv"
    code, _, err = cli(capsys, "inquiries", "export", "--db", str(db), "--format", "csv", "--feedback", "down", "--out", str(out_file))
    assert code == 0 and "wrote 2 inquiries" in err
    rows = list(csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8-sig"))))
    assert [r["feedback"] for r in rows] == ["down", "down"]
    assert rows[1]["text"] == "'-1 公证书多久能拿到"
    code, out, _ = cli(capsys, "inquiries", "export", "--db", str(db), "--format", "csv", "--unmatched")
    assert not out.startswith("\ufeff")  # stdout is for programs; files get the BOM
    assert len(list(csv.DictReader(io.StringIO(out)))) == 4


def test_stats_json_and_text(db: Path, capsys) -> None:
    code, out, _ = cli(capsys, "inquiries", "stats", "--db", str(db), "--json", "--since", "2025-03-02")
    summary = json.loads(out)
    assert (code, summary["total"], summary["by_intent"]["none"], summary["feedback"]) == (0, 5, 3, {"up": 0, "down": 2})
    code, out, _ = cli(capsys, "inquiries", "stats", "--db", str(db))
    assert "total: 8" in out and "by intent:" in out


def test_purge_reports_how_many_went(db: Path, capsys) -> None:
    code, out, _ = cli(capsys, "inquiries", "purge", "--db", str(db), "--older-than", "36500", "--yes")
    assert (code, out.strip()) == (0, "removed 0 inquiries older than 36500 days")
    code, out, _ = cli(capsys, "inquiries", "purge", "--db", str(db), "--older-than", "0", "--yes")
    assert (code, out.strip()) == (0, f"removed {len(INQUIRIES)} inquiries (all)")
    code, out, _ = cli(capsys, "inquiries", "list", "--db", str(db))
    assert out.strip() == "no inquiries match"


def test_purge_without_a_terminal_or_yes_refuses_and_keeps_the_log(db: Path) -> None:
    result = run_cli("inquiries", "purge", "--db", str(db), "--older-than", "0", stdin="y\n")
    assert result.returncode == 2 and result.stdout == ""
    assert "无法确认" in result.stderr and "--yes" in result.stderr and str(db) in result.stderr
    assert "Traceback" not in result.stderr
    assert run_cli("inquiries", "stats", "--db", str(db), "--json").stdout.count('"total": 8') == 1


@pytest.mark.parametrize(("answer", "left"), [("n\n", len(INQUIRIES)), ("\n", len(INQUIRIES)), ("y\n", 0)])
def test_purge_on_a_terminal_asks_first(db: Path, answer: str, left: int) -> None:
    result = on_a_terminal(["inquiries", "purge", "--db", str(db), "--older-than", "0"], answer)
    assert "将删除" in result and "全部咨询记录" in result and "[y/N]" in result
    assert ("removed 8 inquiries (all)" in result) == (left == 0)
    assert json.loads(run_cli("inquiries", "stats", "--db", str(db), "--json").stdout)["total"] == left


def on_a_terminal(args: list[str], typed: str) -> str:
    """Run the CLI with a pseudo-terminal as stdin, stdout and stderr; type ``typed``; return what it showed."""
    leader, follower = pty.openpty()
    with subprocess.Popen([sys.executable, "-m", "bot", *args], stdin=follower, stdout=follower, stderr=follower, cwd=ROOT) as process:
        os.close(follower)
        os.write(leader, typed.encode())
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        process.wait(timeout=60)
    os.close(leader)
    return shown.decode("utf-8", "replace")


def test_list_shows_control_characters_escaped(tmp_path: Path, capsys) -> None:
    db = tmp_path / "log.sqlite3"
    make_log(db, [("2025-03-01", "\x1b[2J\x1b]0;owned\x07清屏了\u202e吗\u200b", None, None)])
    code, out, _ = cli(capsys, "inquiries", "list", "--db", str(db))
    assert code == 0 and "\x1b" not in out and "\u202e" not in out and "\u200b" not in out
    assert "\\x1b[2J\\x1b]0;owned\\x07清屏了\\u202e吗\\u200b" in out.splitlines()[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "--since", "2025-03-05", "--until", "2025-03-01"], "is after"),
        (["list", "--intent", "legal_aid", "--unmatched"], "exclude each other"),
    ],
)
def test_impossible_filters_are_explained_without_a_traceback(db: Path, capsys, args: list[str], message: str) -> None:
    code, _, err = cli(capsys, "inquiries", *args, "--db", str(db))
    assert code == 2 and message in err and "Traceback" not in err


@pytest.mark.parametrize("args", [["list", "--since", "March 1"], ["purge", "--older-than", "-3"], ["list", "--limit", "0"]])
def test_malformed_options_are_usage_errors(db: Path, args: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["inquiries", *args, "--db", str(db)])
    assert exit_.value.code == 2


def test_a_database_that_cannot_be_opened_is_a_plain_error(tmp_path: Path, capsys) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database " * 200, encoding="utf-8")
    code, _, err = cli(capsys, "inquiries", "stats", "--db", str(bogus))
    assert code == 2 and "notes.txt" in err and "Traceback" not in err


def test_admin_commands_do_not_create_a_log_at_a_mistyped_path(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "typo.sqlite3"
    code, _, err = cli(capsys, "inquiries", "list", "--db", str(missing))
    assert code == 2 and "no inquiry log at" in err and str(missing) in err
    assert list(tmp_path.iterdir()) == []
