"""The SQLite schema as an ordered list of migrations, applied on open.

A database records the last step applied in ``schema_version``; opening it applies the steps
after that one, each in its own transaction, so an old file is brought up to date in place and a
failed step leaves it at the previous version. Steps are only ever appended, never edited.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import aiosqlite

from ..errors import UserError

logger = logging.getLogger(__name__)


class SchemaError(UserError):
    """The database was written by a newer legalbot than this one."""


@dataclass(frozen=True)
class Migration:
    version: int
    purpose: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "the inquiry log (issue 3)",
        (
            # AUTOINCREMENT: ids are never reused after a purge, so an old 👍 button can't hit a new row.
            """CREATE TABLE inquiries (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                time TEXT NOT NULL,
                channel TEXT NOT NULL,
                user TEXT NOT NULL,
                text TEXT NOT NULL,
                intent TEXT,
                score REAL NOT NULL,
                candidates TEXT NOT NULL DEFAULT '[]',
                reply TEXT NOT NULL DEFAULT '',
                feedback TEXT CHECK (feedback IN ('up', 'down'))
            )""",
            "CREATE INDEX inquiries_time ON inquiries (time)",
        ),
    ),
    Migration(
        2,
        "review status for the admin queue (issue 4)",
        (
            "ALTER TABLE inquiries ADD COLUMN review TEXT CHECK (review IN ('accepted', 'dismissed'))",
            "CREATE INDEX inquiries_intent ON inquiries (intent)",
        ),
    ),
)

LATEST = MIGRATIONS[-1].version


async def _version(conn: aiosqlite.Connection) -> int:
    rows = await conn.execute_fetchall("SELECT version FROM schema_version")
    return int(rows[0][0]) if rows else 0


async def migrate(conn: aiosqlite.Connection, name: str) -> int:
    """Bring the database at ``conn`` (autocommit mode) to `LATEST`; return the version it had.

    Each step re-reads the version inside its write transaction, so two processes opening the
    same new file at once don't apply a step twice.
    """
    await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    found = await _version(conn)
    if found > LATEST:
        raise SchemaError(f"{name}: schema version {found} is newer than this legalbot understands ({LATEST}); upgrade legalbot")
    for step in MIGRATIONS:
        if step.version <= found:
            continue
        await conn.execute("BEGIN IMMEDIATE")
        try:
            current = await _version(conn)
            if current < step.version:
                for statement in step.statements:
                    await conn.execute(statement)
                await conn.execute("DELETE FROM schema_version")
                await conn.execute("INSERT INTO schema_version (version) VALUES (?)", (step.version,))
                logger.info("%s: migrated to schema version %d: %s", name, step.version, step.purpose)
            await conn.commit()
        except BaseException:
            await conn.rollback()
            raise
    return found
