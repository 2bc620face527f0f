"""Every webhook worker serves the same intents: a reload on one reaches all of them.

An admin's /reload (or an accepted question) reloads the intents on the worker that handled it,
which then bumps a generation number in the store (`SharedState.bump_knowledge_version`). Every
worker reads that number every `FOLLOW_INTERVAL` seconds — one read of a one-row table — and
reloads from its own intent folder when it has moved. Edits to the files need nothing shared:
each worker watches its own folder (`bot.app.reload.watch_intents`), as the polling bot does.
Workers on several machines must therefore see the same intent files (a shared volume, or the
same release deployed to each); an accepted question is written to the files of the worker that
handled it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from ..core.knowledge import KnowledgeError
from ..store.base import SharedState

logger = logging.getLogger(__name__)

FOLLOW_INTERVAL = 2.0


class KnowledgeSync:
    """Announce this worker's reloads; follow everybody else's."""

    def __init__(self, store: SharedState, reload: Callable[[], Awaitable[object]], interval: float = FOLLOW_INTERVAL):
        self.store = store
        self.reload = reload
        self.interval = interval
        self.seen: int | None = None

    async def start(self) -> None:
        """The generation this worker's freshly loaded intents stand for."""
        self.seen = await self.store.knowledge_version()

    async def announce(self) -> None:
        """This worker has just reloaded: tell the others (and don't reload again for it)."""
        self.seen = await self.store.bump_knowledge_version()
        logger.info("told the other workers to reload the intents (generation %d)", self.seen)

    async def follow(self) -> None:
        """Until cancelled: reload when another worker announced a reload."""
        while True:
            await asyncio.sleep(self.interval)
            try:
                version = await self.store.knowledge_version()
                if version == self.seen:
                    continue
                self.seen = version
                await self.reload()
                logger.info("intents reloaded: another worker announced generation %d", version)
            except KnowledgeError as exc:
                logger.warning("another worker reloaded the intents, but they do not load here; keeping the last good set:\n%s", exc)
            except Exception:  # noqa: BLE001 - a database hiccup must not end the following
                logger.exception("could not follow the knowledge generation; will retry")
