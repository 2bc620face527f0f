"""The application runtime: what every long-running command starts, whichever channels are on.

`legalbot run` (Telegram polling), `legalbot serve` (Telegram webhook, web chat, WeChat, any of
them or none) and `legalbot web` all start one `Runtime`: it opens the store and runs the
background work a deployment needs whatever its channels — intent reload when the files change,
following other workers' reloads (`KnowledgeSync`, when workers share the store) and the
retention of personal data (``LEGALBOT_RETENTION_DAYS``). A deployment without Telegram thus
still deletes old inquiries.

It also holds what every channel's `Conversation` shares: sessions and flood counters, in memory
for one process, in the store when several workers serve one bot (``shared``), so a resident's
next message may reach any worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..admin.retention import retention_loop
from ..conversation import Conversation, Turn
from ..conversation.limits import FloodControl, FloodGate, SharedFloodGate
from ..conversation.pending import RETRY_SECONDS, PendingLog
from ..conversation.sessions import AsyncMemorySessions, AsyncSessionStore, DatabaseSessions
from ..core.knowledge import Knowledge
from ..core.responder import Responder
from ..knowledge import source as knowledge_source
from ..settings import Settings
from ..store.base import Store, StoreError
from .knowledge_sync import KnowledgeSync
from .reload import IntentReloader, Notify, watch_intents

logger = logging.getLogger(__name__)

HEALTH_TIMEOUT = 2.0

StoreOpener = Callable[[], Awaitable[Store]]
OnCommit = Callable[[Turn], Awaitable[None]]


async def _knowledge_now(store: Store, directory: Path) -> Knowledge:
    return (await knowledge_source.load(store, directory)).knowledge


@dataclass
class Health:
    ok: bool
    details: dict[str, Any]


@dataclass
class Runtime:
    """Start with `start`, stop with `stop` (background work cancelled, then the store closed)."""

    settings: Settings
    responder: Responder
    open_store: StoreOpener
    shared: bool = False
    admin_notices: list[Notify] = field(default_factory=list)  # channels that reach admins add theirs
    store: Store | None = None
    sessions: AsyncSessionStore = field(default_factory=AsyncMemorySessions)
    flood: FloodControl = field(default_factory=FloodGate)
    tasks: list[asyncio.Task] = field(default_factory=list)
    pending: PendingLog = field(default_factory=PendingLog)  # inquiries waiting for the store, all channels

    def __post_init__(self) -> None:
        self.reloader = IntentReloader(self.responder, self.settings.intents_dir)

    async def start(self) -> None:
        store = self.store = await self.open_store()
        try:
            await store.check_writable()
        except Exception as exc:  # noqa: BLE001 - any refusal: nothing could be logged
            with contextlib.suppress(Exception):  # closing checkpoints, which such a store refuses too
                await store.close()
            raise StoreError(f"the inquiry log {getattr(store, 'name', '')} takes no writes ({exc}); check its file permissions and disk") from None
        await self._use_knowledge_revisions(store)
        jobs: list[Coroutine[Any, Any, None]] = [watch_intents(self.reloader, self.notify_admins), self._flush_pending()]
        if self.shared:
            self.sessions, self.flood = DatabaseSessions(store), SharedFloodGate(store)
        # Every process on one database follows the knowledge generation: a save in the staff
        # console (another process, maybe another machine) reaches this one too.
        sync = KnowledgeSync(store, self.reloader.reload)
        await sync.start()
        self.reloader.announce = sync.announce
        jobs.append(sync.follow())
        if self.settings.retention_days > 0:
            jobs.append(retention_loop(store, self.settings.retention_days))
        self.tasks += [asyncio.create_task(job) for job in jobs]
        logger.info(
            "runtime started: %d intents, retention %s, %s state",
            len(self.responder.knowledge.intents),
            f"{self.settings.retention_days} days" if self.settings.retention_days else "off",
            "shared" if self.shared else "in-process",
        )

    async def _use_knowledge_revisions(self, store: Store) -> None:
        """Serve the database's newest knowledge revision, when it has one, and reload from there."""
        directory = self.settings.intents_dir
        self.reloader.load = lambda: _knowledge_now(store, directory)
        self.reloader.import_folder = lambda: knowledge_source.import_folder_edit(store, directory)
        loaded = await knowledge_source.load(store, directory)
        if loaded.revision is not None:
            await asyncio.to_thread(self.responder.reload, loaded.knowledge)
            logger.info("knowledge revision %d loaded from the database (%s)", loaded.revision.id, loaded.revision.summary)

    def conversation(self, on_commit: OnCommit | None = None) -> Conversation:
        """A conversation service over this runtime's store, sessions and flood counters;
        ``on_commit`` runs as each turn is committed (a webhook worker finishing its update)."""
        if self.store is None:
            raise RuntimeError("start the runtime before its conversations")
        return Conversation(self.responder, self.store, self.sessions, self.flood, on_commit, self.settings.retention_days, self.pending)

    async def _flush_pending(self) -> None:
        """Until cancelled: write inquiries that waited for the store (`PendingLog`)."""
        while True:
            await asyncio.sleep(RETRY_SECONDS)
            if self.pending and self.store is not None:
                await self.pending.flush(self.store)

    async def notify_admins(self, text: str) -> None:
        for notice in self.admin_notices:
            try:
                await notice(text)
            except Exception:  # noqa: BLE001 - one channel failing to tell its admins is no crash
                logger.warning("could not notify the admins", exc_info=True)

    async def health(self) -> Health:
        """Intents loaded and the database answering within a moment."""
        details: dict[str, Any] = {"intents": len(self.responder.knowledge.intents)}
        try:
            if self.store is None:
                raise RuntimeError("not started")
            details["knowledge_version"] = await asyncio.wait_for(self.store.knowledge_version(), HEALTH_TIMEOUT)
            details["database"] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means "not healthy", said in one line
            details["database"] = f"unreachable: {type(exc).__name__}"
        return Health(details["intents"] > 0 and details["database"] == "ok", details)

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self.tasks.clear()
        if self.store is not None:
            if self.pending:
                await self.pending.flush(self.store, force=True)
                if self.pending:
                    logger.error("%d inquiries could not be written before stopping: lost", len(self.pending))
            try:
                await self.store.close()
            except Exception as exc:  # noqa: BLE001 - a full disk at the last checkpoint: the WAL keeps the writes
                logger.error("the inquiry log did not close cleanly (%s); SQLite recovers it at the next start", type(exc).__name__)
                return
            logger.info("inquiry log closed")
