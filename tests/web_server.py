"""`legalbot web` as a subprocess on a free loopback port, for the browser test and the benchmark."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .workers import free_port

ROOT = Path(__file__).resolve().parents[1]
START_SECONDS = 60


@dataclass
class WebServer:
    base: str
    process: subprocess.Popen
    log: Path

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Signal it and wait; returns its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=30)


def web_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and not k.startswith(("LEGALBOT_", "TELEGRAM_"))}
    env.update(LEGALBOT_ENV_FILE=os.devnull, PYTHONUNBUFFERED="1", **extra)
    return env


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def running_web(
    db: Path | str, log: Path, *args: str, command: str = "web", ready: str = "/api/welcome", **env: str
) -> Iterator[WebServer]:
    """Start `legalbot web --db DB` (or another serving ``command``: console, serve), wait until
    ``ready`` answers, stop it (SIGTERM) afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", command, "--listen", f"127.0.0.1:{port}", "--db", str(db), *args],
        env=web_env(**env),
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    server = WebServer(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _ready(server.base + ready):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"legalbot {command} did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield server
    finally:
        try:
            server.stop()
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
