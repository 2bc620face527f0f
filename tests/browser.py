"""Chromium for the browser tests (Debian's chromium driven by Playwright), and their screenshots,
kept in the test's folder and copied where a person looks at them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking"]
CONSOLE_SHOTS = Path("/tmp/console-shots")


def _require(what: str, available: bool) -> None:
    """Without CI a missing browser only skips; in CI it is a failure (the page would go untested)."""
    if not available:
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"{what} is not installed (apt-get install chromium; pip install playwright)")


@pytest.fixture
def browser():
    chromium = shutil.which("chromium")
    _require("Debian's chromium", chromium is not None)
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415 - optional until the dev extra is installed
    except ImportError:
        _require("playwright", False)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def keep_shot(page, folder: Path, name: str, shots: Path, *, full_page: bool = False) -> None:
    """``name``.png of ``page`` in ``folder`` (the test's), and a copy in ``shots``."""
    shots.mkdir(exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=path, full_page=full_page)
    shutil.copy(path, shots / path.name)


@pytest.fixture
def shot(tmp_path: Path):
    """``shot(page, name)``: a full-page screenshot of a staff console page, copied to /tmp/console-shots/."""
    return lambda page, name: keep_shot(page, tmp_path, name, CONSOLE_SHOTS, full_page=True)
