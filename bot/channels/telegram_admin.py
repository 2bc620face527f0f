"""Admin commands inside Telegram (issue 4 §2) — wired once the admin functions exist."""

from __future__ import annotations

from telegram.ext import Application


def add_admin_handlers(app: Application, bot) -> None:
    """No admin commands yet."""
