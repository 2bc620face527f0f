"""Moving an inquiry log from SQLite to PostgreSQL without loss (`legalbot inquiries migrate`).

Rows are copied as stored: ids, times, pseudonymous user keys, redacted texts, candidates,
replies, feedback and review. The SQLite log's user-key secret goes along, so a resident who
writes again after the move keeps the same key, and the PostgreSQL ids continue after the highest
id SQLite ever gave out, so an old 👍 button never lands on a new inquiry.

The copy runs in batches by id, each batch one transaction: an interrupted copy leaves the target
holding exactly the source's first rows. A target that already holds inquiries is refused, unless
``resume`` is asked for and the target is such a prefix of this very source (same secret, every
source row up to the target's last id present), in which case the copy continues after it.
Stop the bot during the move: rows it writes to SQLite meanwhile may be missed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from ..errors import UserError
from . import is_postgres_url
from .base import InquiryFilter
from .postgres import PostgresStore
from .sqlite import SQLiteStore

BATCH = 1000

Progress = Callable[[int, int], None]  # (copied so far, in all)


class TransferError(UserError):
    """The copy cannot be made as asked (wrong kind of database, a target holding another log, a lost connection)."""


@dataclass(frozen=True)
class Transfer:
    copied: int
    already_there: int
    total: int


async def _count(store: SQLiteStore | PostgresStore, where: InquiryFilter = InquiryFilter()) -> int:
    return sum(row.count for row in await store.counts(where))


async def _resume_point(source: SQLiteStore, target: PostgresStore, resume: bool) -> int:
    """The id to continue after: 0 for an empty target, else the last id of a checked partial copy."""
    newest = await target.inquiries(InquiryFilter(limit=1, newest_first=True))
    if not newest:
        return 0
    last = newest[0].id
    held = await _count(target)
    if not resume:
        raise TransferError(
            f"{target.name} already holds {held} inquiries; refusing to mix logs. Copy into an empty database, "
            "or add --resume to continue an interrupted copy of this same log."
        )
    up_to_last = await _count(source) - await _count(source, InquiryFilter(after_id=last))
    if target.user_key_secret != source.user_key_secret or held != up_to_last:
        raise TransferError(
            f"{target.name} holds {held} inquiries that are not an interrupted copy of {source.name} "
            f"(which has {up_to_last} up to id {last}); nothing was copied"
        )
    return last


async def copy_log(source: SQLiteStore, target: PostgresStore, resume: bool = False,
                   progress: Progress | None = None, batch: int = BATCH) -> Transfer:
    """Copy every inquiry of ``source`` into ``target``; see the module's note on refusing and resuming."""
    last = await _resume_point(source, target, resume)
    already = await _count(target)
    total = await _count(source)
    if not already:
        await target.adopt_user_key_secret(source.user_key_secret)
    copied = 0
    while rows := await source.inquiries(InquiryFilter(after_id=last, limit=batch)):
        await target.insert_as_stored(rows)
        copied += len(rows)
        last = rows[-1].id
        if progress:
            progress(already + copied, total)
    await target.continue_ids_after(await source.last_id())
    held = await _count(target)
    if held != total:
        raise TransferError(
            f"after copying, {target.name} holds {held} inquiries but {source.name} has {total}; was the bot still writing?"
        )
    return Transfer(copied, already, total)


async def migrate(source_path: str, target_url: str, resume: bool = False, progress: Progress | None = None) -> Transfer:
    """Open the SQLite log and the PostgreSQL database (creating the schema there), copy, close both."""
    if is_postgres_url(source_path):
        raise TransferError(f"--from must be an SQLite file, not a URL: {source_path.split('://')[0]}://…")
    if not is_postgres_url(target_url):
        raise TransferError(f"--to must be a postgresql:// URL, got {target_url!r}")
    path = Path(source_path).expanduser()
    if not path.is_file():
        raise TransferError(f"no inquiry log at {path}")
    source = await SQLiteStore.open(path)
    try:
        target = await PostgresStore.open(target_url)
        try:
            return await copy_log(source, target, resume, progress)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise TransferError(f"the copy to {target.name} stopped: {exc}; run the same command with --resume to go on") from None
        finally:
            await target.close()
    finally:
        await source.close()
