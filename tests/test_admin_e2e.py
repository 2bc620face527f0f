"""The admin workflow from the outside: chat, export, stats, review, accept, match, check, purge.

Every step is the real `legalbot` program in a subprocess on one SQLite file and a copy of
intents/. Steps that only read run side by side (WAL lets them), to keep the suite quick.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.matcher import Matcher

from .conftest import EVAL_SET, INTENTS, ROOT, run_cli

PHONE = "13987654321"
ID_NUMBER = "50010119851231002X"
# Three rephrasings of one question the shipped intents do not answer (a wallet found in the street).
LOST_WALLET = ("路上捡到别人的钱包交到哪里", "捡了个钱包该交给谁", "捡到钱包不知道交给谁")
CHAT = (
    f"我的电话{PHONE}，身份证{ID_NUMBER}，老板拖欠工资不给怎么办",
    "=1+1 法律援助怎么申请",
    LOST_WALLET[0],
    "万州烤鱼哪家好吃",
    LOST_WALLET[1],
    "/menu",  # a command, not an inquiry
    LOST_WALLET[2],
)
LOGGED = len(CHAT) - 1


def run_together(*commands: tuple[str, ...]) -> list[subprocess.CompletedProcess]:
    """Start every command, then collect each one's output: they run at the same time."""
    processes = [
        subprocess.Popen([sys.executable, "-m", "bot", *command], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        for command in commands
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def test_chat_export_stats_review_accept_and_purge(tmp_path: Path, matcher: Matcher) -> None:
    unanswered = [text for text in LOST_WALLET if matcher.match(text).intent is None]
    if len(unanswered) < len(LOST_WALLET):
        pytest.fail(f"the shipped intents now answer {set(LOST_WALLET) - set(unanswered)}; pick another unanswered question")
    intents = tmp_path / "intents"
    shutil.copytree(INTENTS, intents)
    db = tmp_path / "new-folder" / "log.sqlite3"
    csv_file = tmp_path / "out.csv"

    chat = run_cli("chat", "--intents", str(intents), stdin="\n".join(CHAT) + "\n", env={"LEGALBOT_DB": str(db)})
    assert chat.returncode == 0, chat.stderr
    assert PHONE not in chat.stderr

    on_db = ("--db", str(db))
    jsonl, csv_out, stats, suggest = run_together(
        ("inquiries", "export", "--format", "jsonl", *on_db),
        ("inquiries", "export", "--format", "csv", "--out", str(csv_file), *on_db),
        ("inquiries", "stats", "--json", *on_db),
        ("review", "suggest", "--json", "--intents", str(intents), *on_db),
    )
    for result in (jsonl, csv_out, stats, suggest):
        assert result.returncode == 0, result.stderr

    records = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [r["text"] for r in records][2:] == [CHAT[2], CHAT[3], CHAT[4], CHAT[6]]
    assert records[0]["text"] == "我的电话[手机号]，身份证[身份证号]，老板拖欠工资不给怎么办"
    assert {r["channel"] for r in records} == {"terminal"} and len({r["user"] for r in records}) == 1
    assert PHONE not in jsonl.stdout and ID_NUMBER not in jsonl.stdout

    rows = list(csv.DictReader(io.StringIO(csv_file.read_text(encoding="utf-8-sig"))))
    assert len(rows) == LOGGED and rows[1]["text"] == "'=1+1 法律援助怎么申请"
    assert not [cell for row in rows for cell in row.values() if cell.startswith(("=", "+", "-", "@"))]
    assert PHONE not in csv_file.read_text(encoding="utf-8-sig")

    summary = json.loads(stats.stdout)
    unmatched = sum(r["intent"] is None for r in records)
    assert summary["total"] == LOGGED == sum(summary["by_intent"].values())
    assert summary["by_intent"]["none"] == unmatched >= 4
    assert summary["unmatched_rate"] == round(unmatched / LOGGED, 4)
    assert summary["feedback"] == {"up": 0, "down": 0}

    clusters = json.loads(suggest.stdout)
    assert clusters[0]["count"] == 3 and set(clusters[0]["texts"]) == set(LOST_WALLET)
    wallet_ids = clusters[0]["ids"]

    accepted = run_cli("review", "accept", str(wallet_ids[1]), "--intent", "mediation", "--intents", str(intents), "--eval", str(EVAL_SET), *on_db)
    assert accepted.returncode == 0, accepted.stderr
    assert "mediation.yaml:" in accepted.stdout and "→" in accepted.stdout

    match, check, purge = run_together(
        ("match", "--json", "--intents", str(intents), LOST_WALLET[1]),
        ("intents", "check", str(intents)),
        ("inquiries", "purge", "--older-than", "0", "--yes", *on_db),
    )
    assert json.loads(match.stdout)["intent"] == "mediation"
    assert check.returncode == 0, check.stdout + check.stderr
    assert purge.stdout.strip() == f"removed {LOGGED} inquiries (all)"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM inquiries").fetchone()[0] == 0
    conn.close()
