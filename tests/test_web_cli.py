"""`legalbot web` as a resident's browser meets it: the real command as a subprocess."""

from __future__ import annotations

import json
import signal
import socket
import urllib.request
from pathlib import Path

from .web_server import running_web, web_env


def test_web_serves_the_page_and_answers_then_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    with running_web(tmp_path / "log.sqlite3", tmp_path / "web.log") as server:
        with urllib.request.urlopen(server.base + "/") as page:
            html = page.read().decode()
        request = urllib.request.Request(
            server.base + "/api/message", json.dumps({"text": "法律援助怎么申请"}).encode(), {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request) as response:
            answer = json.load(response)["answer"]
        status = server.stop(signal.SIGINT)
    assert "发送" in html and 'id="input"' in html
    assert answer["intent"] == "legal_aid" and answer["feedback_id"] == 1
    assert status == 0, server.log.read_text()


def test_a_busy_port_is_reported_plainly(cli, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("web", "--listen", f"127.0.0.1:{port}", "--db", str(tmp_path / "x.sqlite3"), env=web_env())
    assert result.returncode == 2
    assert f"无法监听 127.0.0.1:{port}" in result.stderr


def test_help_names_the_options(cli) -> None:
    result = cli("web", "--help")
    assert result.returncode == 0
    assert all(option in result.stdout for option in ("--listen", "--intents", "--db"))
