"""`legalbot chat` through a pipe, as `printf '…' | make run` does without a token."""

import os
import shutil
import subprocess

import pytest

from .conftest import ROOT


def test_piped_chat_answers_and_numbers_buttons(cli, tmp_path):
    result = cli("chat", stdin="法律援助怎么申请\n1\n", env={"LEGALBOT_DB": str(tmp_path / "db.sqlite3")})
    assert result.returncode == 0, result.stderr
    assert "法律援助" in result.stdout and "12348" in result.stdout
    assert "[1]" in result.stdout
    assert "Traceback" not in result.stderr


def test_piped_chat_understands_menu_numbers(cli, tmp_path):
    result = cli("chat", stdin="/menu\n2\n", env={"LEGALBOT_DB": str(tmp_path / "db.sqlite3")})
    assert result.returncode == 0
    assert result.stdout.count("机器人>") >= 3


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_make_run_without_token_chats_in_the_terminal(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["LEGALBOT_DB"] = str(tmp_path / "db.sqlite3")
    result = subprocess.run(
        ["make", "--no-print-directory", "run"], input="法律援助怎么申请\n", capture_output=True, text=True,
        cwd=ROOT, env=env, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "12348" in result.stdout and "[" in result.stdout and "法律依据" in result.stdout  # the basis is one choice away
