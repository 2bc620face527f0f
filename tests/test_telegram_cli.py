"""`legalbot run` refuses to start with a clear message, never a traceback, when it cannot work."""

from __future__ import annotations

import os
import shutil

from .conftest import INTENTS, run_cli
from .fake_bot_api import TOKEN, FakeBotAPI


def _env(tmp_path, **extra: str) -> dict[str, str]:
    return {
        "LEGALBOT_ENV_FILE": os.devnull,
        "LEGALBOT_DB": str(tmp_path / "inquiries.sqlite3"),
        "TELEGRAM_BOT_TOKEN": "",
        "HTTPS_PROXY": "",
        "https_proxy": "",
        "LEGALBOT_PROXY": "",
        **extra,
    }


def test_without_a_token_run_explains_and_points_to_chat(tmp_path):
    result = run_cli("run", env=_env(tmp_path))
    assert result.returncode != 0
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "legalbot chat" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_broken_intent_file_is_named_with_its_line(tmp_path):
    intents = tmp_path / "intents"
    shutil.copytree(INTENTS, intents)
    (intents / "mediation.yaml").write_text("intents:\n  - id: mediation\n    title: [unclosed\n", encoding="utf-8")
    result = run_cli("run", "--intents", str(intents), env=_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN))
    assert result.returncode == 2
    assert "mediation.yaml:" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_bot_api_is_a_clear_error(tmp_path):
    result = run_cli("run", env=_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot"))
    assert result.returncode == 2
    assert "cannot reach the Telegram Bot API at http://127.0.0.1:9/bot" in result.stderr
    assert TOKEN not in result.stderr and "Traceback" not in result.stderr


def test_a_rejected_token_is_a_clear_error(tmp_path):
    with FakeBotAPI(token="999:OTHER") as api:
        result = run_cli("run", env=_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url))
    assert result.returncode == 2
    assert "rejected TELEGRAM_BOT_TOKEN" in result.stderr
    assert TOKEN not in result.stderr and "Traceback" not in result.stderr


def test_an_unusable_database_path_is_a_clear_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the log's folder should be")
    with FakeBotAPI() as api:
        env = _env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api.base_url, LEGALBOT_DB=str(blocker / "log.sqlite3"))
        result = run_cli("run", env=env)
    assert result.returncode == 2
    assert "inquiry log" in result.stderr and "Traceback" not in result.stderr
