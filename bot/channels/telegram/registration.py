"""Telling Telegram where to deliver updates: setWebhook, getWebhookInfo, deleteWebhook.

An operator runs these once for the bot (`legalbot webhook …`), not each worker. The webhook asks
Telegram for exactly the update types the handlers use (`ALLOWED_UPDATES`), with the secret every
worker checks. `legalbot run` (long polling) deletes the webhook when it starts: a bot has one or
the other.
"""

from __future__ import annotations

from telegram import WebhookInfo

from ...settings import Settings
from .adapter import ALLOWED_UPDATES, make_bot


async def set_webhook(settings: Settings, url: str, secret: str, max_connections: int, drop_pending_updates: bool) -> None:
    """Register ``url``; `telegram.error.BadRequest` says what Telegram objected to."""
    async with make_bot(settings) as bot:
        await bot.set_webhook(
            url,
            secret_token=secret,
            max_connections=max_connections,
            allowed_updates=list(ALLOWED_UPDATES),
            drop_pending_updates=drop_pending_updates,
        )


async def webhook_info(settings: Settings) -> WebhookInfo:
    async with make_bot(settings) as bot:
        return await bot.get_webhook_info()


async def delete_webhook(settings: Settings, drop_pending_updates: bool) -> None:
    async with make_bot(settings) as bot:
        await bot.delete_webhook(drop_pending_updates=drop_pending_updates)
