"""One place that swaps the bot's knowledge — for an admin's /reload or accept, and the file watcher.

The intent folder is watched by polling the files' mtimes every ``WATCH_INTERVAL`` seconds (no
extra dependency); a change is reloaded once it has settled. Loading, validating and indexing
run in a worker thread, so residents keep getting answers from the current set meanwhile;
`Responder.reload` swaps the whole engine in one assignment.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from ..core.knowledge import SCHEMA_FILE, Knowledge, KnowledgeError, load_knowledge
from ..core.responder import Responder
from ..knowledge.saving import SaveRefused

logger = logging.getLogger(__name__)

WATCH_INTERVAL = 2.0

Notify = Callable[[str], Awaitable[None]]  # tell the admins something (Telegram sends it to them)


def files_signature(directory: Path) -> tuple:
    """What changes when an intent file is edited, added or removed: names, sizes, mtimes."""
    paths = sorted([*directory.glob("*.yaml"), directory / SCHEMA_FILE])
    stamp = []
    for path in paths:
        with contextlib.suppress(OSError):
            info = path.stat()
            stamp.append((path.name, info.st_size, info.st_mtime_ns))
    return tuple(stamp)


class IntentReloader:
    """Reload or swap the responder's knowledge, one change at a time.

    ``announce`` (set when workers share a store: `KnowledgeSync.announce`) tells the other
    workers after an admin's reload or accept.
    """

    def __init__(self, responder: Responder, directory: Path):
        self.responder = responder
        self.directory = directory
        self.lock = asyncio.Lock()
        self.signature = files_signature(directory)
        self.announce: Callable[[], Awaitable[None]] | None = None
        # Where a reload reads from: the folder, until the runtime points it at the database's
        # newest knowledge revision (`bot.knowledge.source`).
        self.load: Callable[[], Awaitable[Knowledge]] = lambda: asyncio.to_thread(load_knowledge, self.directory)
        # Set with `load` when revisions are served: turns a hand edit of the folder into a revision.
        self.import_folder: Callable[[], Awaitable[object]] | None = None

    async def reload(self, announce: bool = False) -> Knowledge:
        """Load and swap in the folder's intents; `KnowledgeError` leaves the running set alone."""
        async with self.lock:
            signature = files_signature(self.directory)
            knowledge = await self.load()
            await asyncio.to_thread(self.responder.reload, knowledge)
            self.signature = signature
            logger.info("intents reloaded: %d intents", len(knowledge.intents))
        if announce and self.announce is not None:
            await self.announce()
        return knowledge

    async def swap(self, knowledge: Knowledge) -> None:
        """Use an already validated set (from an accept)."""
        async with self.lock:
            await asyncio.to_thread(self.responder.reload, knowledge)
            self.signature = files_signature(self.directory)
        if self.announce is not None:
            await self.announce()


async def watch_intents(reloader: IntentReloader, notify: Notify, interval: float = WATCH_INTERVAL) -> None:
    """Until cancelled: reload when the intent files change and have stayed unchanged for one more
    poll (debounce). A broken edit is logged and told once (`notify`); the last good set stays."""
    pending: tuple | None = None
    failed: tuple | None = None
    while True:
        await asyncio.sleep(interval)
        current = files_signature(reloader.directory)
        if current == reloader.signature or current == failed:
            pending = None
            continue
        if current != pending:  # still changing (an editor saving, a copy in progress): wait
            pending = current
            continue
        pending = None
        try:
            if reloader.import_folder is not None:
                await reloader.import_folder()
            knowledge = await reloader.reload(announce=reloader.import_folder is not None)
        except (KnowledgeError, SaveRefused) as exc:
            failed = current
            logger.warning("intent files changed but do not load; keeping the last good set:\n%s", exc)
            await notify("意图文件已修改，但有错误，机器人继续使用上一版：\n" + str(exc))
        except Exception:  # noqa: BLE001 - the watcher must outlive one bad poll
            logger.exception("reloading the intent files failed")
        else:
            failed = None
            logger.info("intent files changed: reloaded %d intents", len(knowledge.intents))
