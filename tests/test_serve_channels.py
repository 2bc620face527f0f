"""`legalbot serve` without Telegram: the web chat alone still gets the runtime — retention of
old inquiries and intent reload on file change — and with no channel at all it says so."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bot.core.reply import Reply, ReplyKind
from bot.store import open_store
from bot.store.base import now

from .conftest import INTENTS, ROOT, run_cli

pytestmark = pytest.mark.timeout(90)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def without_channels(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "LEGALBOT_WEB", "LEGALBOT_WECHAT_TOKEN")}
    return {**env, "LEGALBOT_ENV_FILE": os.devnull, "LEGALBOT_DB": str(tmp_path / "log.sqlite3"), **extra}


def wait_for(check, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except OSError:
        return 0


async def _log_old_inquiry(db: str) -> None:
    store = await open_store(db)
    await store.log("web", "visitor", "很久以前的问题", Reply("指引", ReplyKind.ANSWER, intent="legal_aid"), at=now() - dt.timedelta(days=40))
    await store.close()


def test_serve_without_any_channel_says_so_and_exits_2(tmp_path):
    result = run_cli("serve", "--listen", f"127.0.0.1:{free_port()}", env=without_channels(tmp_path))
    assert result.returncode == 2
    assert "no channel is switched on" in result.stderr and "--web" in result.stderr and "LEGALBOT_WECHAT_TOKEN" in result.stderr


def test_serve_with_only_the_web_chat_runs_retention_and_intent_reload(tmp_path):
    intents = tmp_path / "intents"
    shutil.copytree(INTENTS, intents)
    env = without_channels(tmp_path, LEGALBOT_INTENTS=str(intents), LEGALBOT_RETENTION_DAYS="30")
    asyncio.run(_log_old_inquiry(env["LEGALBOT_DB"]))
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--web", "--listen", f"127.0.0.1:{port}"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: get(f"http://127.0.0.1:{port}/healthz") == 200, "/healthz")
        assert get(f"http://127.0.0.1:{port}/") == 200, "the web chat is mounted at /"
        wait_for(lambda: "retention: removed 1 inquiries" in log.read_text(), "retention")
        path = intents / "notarization.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        wait_for(lambda: "intent files changed: reloaded" in log.read_text(), "the intent reload")
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    text = log.read_text()
    assert "Traceback" not in text and "serving on" in text and ": web" in text
