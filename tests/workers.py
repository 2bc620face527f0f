"""Helpers for tests and benchmarks that run real `legalbot serve` webhook workers as subprocesses."""

from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot.channels.telegram.adapter import ALLOWED_UPDATES

from .fake_bot_api import SECRET_HEADER, TOKEN, FakeBotAPI

ROOT = Path(__file__).resolve().parents[1]
SECRET = "test-secret_0123456789"
WEBHOOK_PATH = "/telegram/webhook"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def worker_env(api: FakeBotAPI, db: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and not k.startswith(("LEGALBOT_", "TELEGRAM_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api.base_url,
        LEGALBOT_DB=db,
        LEGALBOT_ENV_FILE=os.devnull,
        LEGALBOT_WEBHOOK_SECRET=SECRET,
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def http(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    """One plain HTTP request: (status, headers, body), an error status included. HTTPS is to a
    load balancer on loopback with a throwaway certificate, so it is not verified."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})})
    context = ssl._create_unverified_context() if url.startswith("https://") else None
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def post_update(url: str, update: dict[str, Any], secret: str | None = SECRET) -> int:
    """POST an update as Telegram would (``secret`` None: without the header); returns the status."""
    return http("POST", url, update, {SECRET_HEADER: secret} if secret is not None else {})[0]


def healthy(base: str) -> bool:
    try:
        return http("GET", f"{base}/healthz", timeout=2)[0] == 200
    except OSError:
        return False


def launch_worker(api: FakeBotAPI, db: str, log: Path, port: int, *args: str, **env: str) -> subprocess.Popen:
    """`legalbot serve` on 127.0.0.1:port, not waited for (see `wait_healthy`)."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--listen", f"127.0.0.1:{port}", *args],
        env=worker_env(api, db, **env),
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def start_worker(api: FakeBotAPI, db: str, log: Path, port: int, *args: str, **env: str) -> subprocess.Popen:
    """`legalbot serve` on 127.0.0.1:port; returns once /healthz says it can serve."""
    process = launch_worker(api, db, log, port, *args, **env)
    wait_healthy(process, port, log)
    return process


@contextmanager
def webhook_worker(api: FakeBotAPI, folder: Path, *args: str, **env: str) -> Iterator[dict[str, Any]]:
    """A healthy `legalbot serve` worker over ``folder``/inquiries.sqlite3 that the stand-in Bot API
    delivers to as `legalbot webhook set` would have it; killed afterwards if a test left it running.
    Yields the process, db, log, url and port."""
    db, log, port = folder / "inquiries.sqlite3", folder / "worker.log", free_port()
    process = start_worker(api, str(db), log, port, *args, **env)
    url = f"http://127.0.0.1:{port}"
    api.set_webhook(url + WEBHOOK_PATH, SECRET, max_connections=40, allowed_updates=list(ALLOWED_UPDATES))
    try:
        yield {"process": process, "db": db, "log": log, "url": url, "port": port}
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def wait_healthy(process: subprocess.Popen, port: int, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not healthy(f"http://127.0.0.1:{port}"):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise AssertionError(f"worker on port {port} did not become healthy:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)
