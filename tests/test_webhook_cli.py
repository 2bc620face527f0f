"""`legalbot webhook set|info|delete` against the stand-in Bot API, and `legalbot serve` refusing to
start, in plain words with exit status 2 and no traceback, when it could not work."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import pytest

from .conftest import ROOT, run_cli
from .fake_bot_api import TOKEN, Failure, FakeBotAPI
from .workers import SECRET, free_port, start_worker

pytestmark = pytest.mark.timeout(120)


def env(tmp_path, api: FakeBotAPI | None = None, **extra: str) -> dict[str, str]:
    values = {
        "LEGALBOT_ENV_FILE": os.devnull,
        "LEGALBOT_DB": str(tmp_path / "inquiries.sqlite3"),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.base_url if api else "http://127.0.0.1:9/bot",
        "LEGALBOT_WEBHOOK_SECRET": SECRET,
        "HTTPS_PROXY": "",
        "https_proxy": "",
        "LEGALBOT_PROXY": "",
    }
    return {**values, **extra}


def refused(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


# ---- legalbot webhook ---------------------------------------------------------------------------


def test_webhook_set_registers_url_secret_connections_and_the_updates_the_bot_handles(api, tmp_path):
    url = "https://bot.example.org/telegram/webhook"
    result = run_cli("webhook", "set", "--url", url, "--max-connections", "12", env=env(tmp_path, api))
    assert result.returncode == 0, result.stderr
    assert url in result.stdout and "12 connections" in result.stdout
    assert (api.webhook.url, api.webhook.secret, api.webhook.max_connections) == (url, SECRET, 12)
    assert api.webhook.allowed_updates == ["message", "callback_query"]

    info = run_cli("webhook", "info", env=env(tmp_path, api))
    assert info.returncode == 0, info.stderr
    lines = dict(line.split(":", 1) for line in info.stdout.splitlines())
    assert lines["url"].strip() == url and lines["max connections"].strip() == "12"
    assert lines["allowed updates"].strip() == "message, callback_query" and lines["last error"].strip() == "none"

    deleted = run_cli("webhook", "delete", env=env(tmp_path, api))
    assert deleted.returncode == 0 and "deleted" in deleted.stdout
    assert api.webhook is None
    assert "no webhook set" in run_cli("webhook", "info", env=env(tmp_path, api)).stdout


def test_webhook_set_takes_the_secret_from_the_command_line_and_can_drop_pending_updates(api, tmp_path):
    api.send_text(501, "还没有人取走的消息")
    result = run_cli("webhook", "set", "--url", "https://bot.example.org/hook", "--secret", "from_the-cli", "--drop-pending-updates",
                     env=env(tmp_path, api, LEGALBOT_WEBHOOK_SECRET=""))
    assert result.returncode == 0, result.stderr
    assert api.webhook.secret == "from_the-cli" and api.confirmed_all()
    run_cli("webhook", "delete", env=env(tmp_path, api))


def test_webhook_set_refuses_without_a_usable_secret_url_or_connection_count(api, tmp_path):
    refused(run_cli("webhook", "set", "--url", "https://x.org/h", env=env(tmp_path, api, LEGALBOT_WEBHOOK_SECRET="")), "--secret", "LEGALBOT_WEBHOOK_SECRET")
    refused(run_cli("webhook", "set", "--url", "https://x.org/h", "--secret", "has spaces", env=env(tmp_path, api)), "--secret must be", "A-Z")
    refused(run_cli("webhook", "set", "--url", "x.org/h", env=env(tmp_path, api)), "expected a URL")
    refused(run_cli("webhook", "set", "--url", "https://x.org/h", "--max-connections", "0", env=env(tmp_path, api)), "1 to 100")
    assert api.webhook is None


def test_webhook_set_reports_what_telegram_objected_to(api, tmp_path):
    api.failures.append(Failure("setWebhook", 400, "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"))
    refused(run_cli("webhook", "set", "--url", "https://x.org:9999/h", env=env(tmp_path, api)), "Telegram refused", "ports 80, 88, 443 or 8443")


def test_webhook_commands_explain_an_unreachable_api(tmp_path):
    refused(run_cli("webhook", "info", env=env(tmp_path)), "cannot reach the Telegram Bot API at http://127.0.0.1:9/bot")


# ---- legalbot serve -----------------------------------------------------------------------------


def test_serve_refuses_without_a_secret_or_a_token(api, tmp_path):
    refused(run_cli("serve", env=env(tmp_path, api, LEGALBOT_WEBHOOK_SECRET="")), "no webhook secret", "LEGALBOT_WEBHOOK_SECRET", "--secret")
    refused(run_cli("serve", env=env(tmp_path, api, LEGALBOT_WEBHOOK_SECRET="not allowed!")), "LEGALBOT_WEBHOOK_SECRET must be")
    refused(run_cli("serve", env=env(tmp_path, api, TELEGRAM_BOT_TOKEN="")), "TELEGRAM_BOT_TOKEN is not set")


def test_serve_refuses_a_bad_listen_address_or_a_busy_port(api, tmp_path):
    refused(run_cli("serve", "--listen", "8080", env=env(tmp_path, api)), "HOST:PORT")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        refused(run_cli("serve", "--listen", f"127.0.0.1:{port}", env=env(tmp_path, api)), f"无法监听 127.0.0.1:{port}")


def test_serve_explains_a_rejected_token_and_an_unreachable_database(tmp_path):
    with FakeBotAPI(token="999:OTHER") as other:
        result = run_cli("serve", "--listen", f"127.0.0.1:{free_port()}", env=env(tmp_path, other))
    refused(result, "rejected TELEGRAM_BOT_TOKEN")
    assert TOKEN not in result.stderr
    result = run_cli("serve", "--listen", f"127.0.0.1:{free_port()}", env=env(tmp_path, LEGALBOT_DB="postgresql://legalbot:pw@127.0.0.1:9/none"))
    refused(result, "cannot connect to the inquiry log at postgresql://legalbot@127.0.0.1:9/none")
    assert "pw" not in result.stderr


def test_serve_stops_cleanly_on_ctrl_c(api, tmp_path):
    log = tmp_path / "worker.log"
    process = start_worker(api, str(tmp_path / "inquiries.sqlite3"), log, free_port())
    process.send_signal(signal.SIGINT)
    assert process.wait(30) == 0
    assert "webhook worker stopped" in log.read_text() and "Traceback" not in log.read_text()


def test_serve_help_names_the_secret_and_the_shared_database():
    result = subprocess.run([sys.executable, "-m", "bot", "serve", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0
    assert "LEGALBOT_WEBHOOK_SECRET" in result.stdout and "postgresql://" in result.stdout
