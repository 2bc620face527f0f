"""Knowledge revisions in the database: the one source of truth every worker loads (issue 11).

A revision is the whole intent folder as it was saved — file name → text, each distinct text
stored once in ``knowledge_blobs`` under its SHA-256, since an edit changes one file of thirty.
Revisions form one line: each names the revision it was based on (``parent``, 0 for the first),
and that column is unique, so when two staff members save drafts of the same revision the second
save is refused (`StaleRevision`) instead of silently undoing the first. Saving bumps the shared
knowledge generation, which every worker follows (`bot.app.knowledge_sync`).

Schema migration 7. Both backends, through the store's own SQL helpers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import UserError
from .base import now
from .sql import SQLStore

HISTORY_LIMIT = 100

_COLUMNS = "id, parent, time, author, summary, files, reverts"


class StaleRevision(UserError):
    """The draft was based on a revision that is no longer the newest."""


@dataclass(frozen=True)
class Revision:
    """One saved state of the knowledge; ``files`` maps file names to the digests of their texts."""

    id: int
    parent: int
    time: dt.datetime
    author: str
    summary: str
    files: Mapping[str, str]
    reverts: int | None = None


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class KnowledgeRevisions:
    """Read and add revisions in an open store (SQLite or PostgreSQL)."""

    def __init__(self, store: SQLStore):
        self.store = store

    def _revision(self, row) -> Revision:
        return Revision(
            id=int(row["id"]),
            parent=int(row["parent"]),
            time=self.store.dialect.time_value(row["time"]),
            author=row["author"],
            summary=row["summary"],
            files=json.loads(row["files"]),
            reverts=int(row["reverts"]) if row["reverts"] is not None else None,
        )

    async def latest(self) -> Revision | None:
        rows = await self.store.select(f"SELECT {_COLUMNS} FROM knowledge_revisions ORDER BY id DESC LIMIT 1")
        return self._revision(rows[0]) if rows else None

    async def get(self, revision_id: int) -> Revision | None:
        rows = await self.store.select(f"SELECT {_COLUMNS} FROM knowledge_revisions WHERE id = ?", revision_id)
        return self._revision(rows[0]) if rows else None

    async def history(self, limit: int = HISTORY_LIMIT) -> list[Revision]:
        """Newest first."""
        rows = await self.store.select(f"SELECT {_COLUMNS} FROM knowledge_revisions ORDER BY id DESC LIMIT ?", limit)
        return [self._revision(row) for row in rows]

    async def texts(self, revision: Revision) -> dict[str, str]:
        """The revision's files with their texts, in name order."""
        digests = sorted(set(revision.files.values()))
        if not digests:
            return {}
        marks = ", ".join("?" for _ in digests)
        rows = await self.store.select(f"SELECT digest, text FROM knowledge_blobs WHERE digest IN ({marks})", *digests)
        by_digest = {row["digest"]: row["text"] for row in rows}
        return {name: by_digest[revision.files[name]] for name in sorted(revision.files)}

    async def add(
        self, files: Mapping[str, str], parent: int, author: str, summary: str, reverts: int | None = None
    ) -> Revision:
        """Store ``files`` as the revision after ``parent`` (0: the first) and tell every worker.

        Raises `StaleRevision` when ``parent`` is not the newest revision any more. Checking the
        files is the caller's job (`bot.knowledge.saving`): this only keeps them.
        """
        newest = await self.latest()
        if (newest.id if newest else 0) != parent:
            raise StaleRevision(_stale(parent, newest))
        digests = {name: digest(text) for name, text in files.items()}
        for name, text in files.items():
            await self.store.change(
                "INSERT INTO knowledge_blobs (digest, text) VALUES (?, ?) ON CONFLICT (digest) DO NOTHING", digests[name], text
            )
        rows = await self.store.change(
            "INSERT INTO knowledge_revisions (parent, time, author, summary, files, reverts) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (parent) DO NOTHING RETURNING id",
            parent,
            self.store.dialect.time_param(now()),
            author,
            summary,
            json.dumps(digests, ensure_ascii=False, sort_keys=True),
            reverts,
        )
        if not rows:  # another save based on the same revision landed between the two statements
            raise StaleRevision(_stale(parent, await self.latest()))
        await self.store.bump_knowledge_version()
        added = await self.get(int(rows[0]["id"]))
        assert added is not None
        return added


def _stale(parent: int, newest: Revision | None) -> str:
    if newest is None:
        return f"知识库还没有任何版本，草稿却基于第 {parent} 版；请重新打开后再保存"
    return (
        f"保存被拒绝：草稿基于第 {parent} 版，但 {newest.author} 已在 {newest.time:%Y-%m-%d %H:%M} 保存了第 {newest.id} 版"
        "（其他人刚改过）。请重新打开，在最新版本上修改后再保存。"
    )
