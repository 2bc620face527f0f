"""Automatic retention: personal data is kept only as long as ``LEGALBOT_RETENTION_DAYS`` says.

The running bot starts `retention_loop` as a background task; `legalbot inquiries purge` is the
manual counterpart. 0 days means keep forever (the loop returns at once).
"""

from __future__ import annotations

import asyncio
import logging

from ..store.base import InquiryStore

logger = logging.getLogger(__name__)

RETENTION_INTERVAL_SECONDS = 6 * 3600


async def apply_retention(store: InquiryStore, retention_days: int) -> int:
    """One purge pass; returns how many inquiries were removed (none when retention is off)."""
    if retention_days <= 0:
        return 0
    removed = await store.purge(retention_days)
    if removed:
        logger.info("retention: removed %d inquiries older than %d days", removed, retention_days)
    return removed


async def retention_loop(store: InquiryStore, retention_days: int, interval: float = RETENTION_INTERVAL_SECONDS) -> None:
    """Purge now and then every ``interval`` seconds until cancelled; a failed pass is logged and retried."""
    if retention_days <= 0:
        return
    while True:
        try:
            await apply_retention(store, retention_days)
        except Exception:  # noqa: BLE001 - a locked database now is no reason to stop retention for good
            logger.exception("retention purge failed; will retry")
        await asyncio.sleep(interval)
