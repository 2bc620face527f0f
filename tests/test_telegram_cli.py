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


def test_automatic_retention_purges_old_inquiries_when_the_bot_starts(tmp_path):
    import asyncio
    import datetime as dt
    import signal
    import subprocess
    import sys

    from bot.core.reply import Reply, ReplyKind
    from bot.store import open_store
    from bot.store.base import now

    from .conftest import ROOT
    from .test_telegram_e2e import bot_env, export

    db = tmp_path / "inquiries.sqlite3"

    async def seed() -> None:
        store = await open_store(str(db))
        reply = Reply("答复", ReplyKind.ANSWER, intent="legal_aid", score=90.0)
        await store.log("telegram", "1", "很久以前的问题", reply, at=now() - dt.timedelta(days=40))
        await store.log("telegram", "1", "昨天的问题", reply, at=now() - dt.timedelta(days=1))
        await store.close()

    asyncio.run(seed())
    with FakeBotAPI() as api:
        env = bot_env(api, db, LEGALBOT_RETENTION_DAYS="30")
        process = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            api.wait_for(lambda: [r["text"] for r in export(db)] == ["昨天的问题"], timeout=30, what="the purge")
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0 and "Traceback" not in stderr


def test_a_socks_proxy_is_refused_with_a_clear_message_and_no_credentials(tmp_path):
    env = _env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, LEGALBOT_PROXY="socks5://user:secret@127.0.0.1:1080")
    result = run_cli("run", env=env)
    assert result.returncode == 2
    assert "socks5://" in result.stderr and "http://" in result.stderr
    assert "secret" not in result.stderr and "Traceback" not in result.stderr


def test_an_http_proxy_carries_every_bot_api_request(tmp_path):
    """The stand-in server doubles as the proxy: the Bot API host itself does not resolve."""
    import signal
    import subprocess
    import sys

    from .conftest import ROOT
    from .test_telegram_e2e import bot_env

    with FakeBotAPI() as api:
        proxy = api.base_url.removesuffix("/bot")
        env = bot_env(api, tmp_path / "inquiries.sqlite3", TELEGRAM_API_BASE_URL="http://api.telegram.invalid/bot", LEGALBOT_PROXY=proxy)
        process = subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            api.send_text(120, "法律援助怎么申请")
            assert "法律援助" in api.wait_message(120, timeout=30).text
        finally:
            process.send_signal(signal.SIGINT)  # Ctrl-C stops as cleanly as SIGTERM
            _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
