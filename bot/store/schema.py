"""The schema as one ordered list of migrations, applied on open, for SQLite and PostgreSQL alike.

A database records the last step applied in ``schema_version``; opening it applies the steps
after that one, each in its own transaction, so an old database is brought up to date in place and
a failed step leaves it at the previous version. Steps are only ever appended, never edited.

Statements are `bot.store.dialect` templates shared by both backends; a statement only one backend
needs is a mapping from dialect name to SQL. Each backend supplies `Exclusive`: a write transaction
that no other process migrating the same database runs at the same time (SQLite: BEGIN IMMEDIATE;
PostgreSQL: an advisory transaction lock), so several workers starting together apply every step once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import UserError
from .dialect import Dialect

logger = logging.getLogger(__name__)


class SchemaError(UserError):
    """The database was written by a newer legalbot than this one."""


Statement = str | Mapping[str, str]


@dataclass(frozen=True)
class Migration:
    version: int
    purpose: str
    statements: tuple[Statement, ...]

    def sql(self, dialect: Dialect) -> list[str]:
        """This step's statements in ``dialect``, leaving out those meant for the other backend."""
        picked = [s if isinstance(s, str) else s.get(dialect.name) for s in self.statements]
        return [dialect.sql(s) for s in picked if s is not None]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "the inquiry log (issue 3)",
        (
            # ids are never reused after a purge, so an old 👍 button can't hit a new row.
            """CREATE TABLE inquiries (
                id {id},
                time {timestamp} NOT NULL,
                channel TEXT NOT NULL,
                "user" TEXT NOT NULL,
                text TEXT NOT NULL,
                intent TEXT,
                score {float} NOT NULL,
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
    Migration(
        3,
        "state shared by webhook workers (issue 6)",
        (
            # Sessions by keyed hash; data is Session.to_dict() as JSON.
            "CREATE TABLE sessions (session_key TEXT PRIMARY KEY, data TEXT NOT NULL, updated_at {float} NOT NULL)",
            "CREATE INDEX sessions_updated ON sessions (updated_at)",
            # finished_at NULL: a worker is on it (or died on it; see SharedStateSQL.claim_update).
            "CREATE TABLE update_claims (update_id BIGINT PRIMARY KEY, claimed_at {float} NOT NULL, finished_at {float})",
            "CREATE INDEX update_claims_time ON update_claims (claimed_at)",
            """CREATE TABLE user_counters (
                user_key TEXT NOT NULL,
                window_seconds {float} NOT NULL,
                period BIGINT NOT NULL,
                hits INTEGER NOT NULL,
                PRIMARY KEY (user_key, window_seconds)
            )""",
            # One-row tables: stamp 0 makes the first take find the bucket full.
            "CREATE TABLE send_budget (id INTEGER PRIMARY KEY CHECK (id = 1), tokens {float} NOT NULL, stamp {float} NOT NULL)",
            "INSERT INTO send_budget (id, tokens, stamp) VALUES (1, 0, 0)",
            "CREATE TABLE knowledge_version (id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL)",
            "INSERT INTO knowledge_version (id, version) VALUES (1, 0)",
            # SQLite keeps the user-key secret in a file beside the database; a server has no such place.
            {"postgres": "CREATE TABLE user_key_secret (id INTEGER PRIMARY KEY CHECK (id = 1), secret TEXT NOT NULL)"},
        ),
    ),
    Migration(
        4,
        "one inquiry per Telegram update (issue 6)",
        (
            # A webhook worker that takes over an update from one that died logs it again: the
            # update id makes that the same row. Cleared after a day (Telegram re-delivers no longer,
            # and after a week of silence it starts numbering updates at random).
            "ALTER TABLE inquiries ADD COLUMN update_id BIGINT",
            "CREATE UNIQUE INDEX inquiries_update ON inquiries (update_id)",
        ),
    ),
    Migration(
        5,
        "channel-neutral keys: messages, claims and the send budget per channel (issue 10)",
        (
            # A WeChat MsgId can equal a Telegram update id: messages are "<channel>:<id>" text.
            "ALTER TABLE inquiries ADD COLUMN message_key TEXT",
            "UPDATE inquiries SET message_key = 'telegram:' || update_id WHERE update_id IS NOT NULL",
            "DROP INDEX inquiries_update",
            "ALTER TABLE inquiries DROP COLUMN update_id",
            "CREATE UNIQUE INDEX inquiries_message ON inquiries (message_key)",
            "CREATE TABLE message_claims (message_key TEXT PRIMARY KEY, claimed_at {float} NOT NULL, finished_at {float})",
            "CREATE INDEX message_claims_time ON message_claims (claimed_at)",
            "INSERT INTO message_claims SELECT 'telegram:' || update_id, claimed_at, finished_at FROM update_claims",
            "DROP TABLE update_claims",
            "CREATE TABLE send_budgets (channel TEXT PRIMARY KEY, tokens {float} NOT NULL, stamp {float} NOT NULL)",
            "INSERT INTO send_budgets SELECT 'telegram', tokens, stamp FROM send_budget",
            "DROP TABLE send_budget",
            # The terminal chat was "console"; that name now means the staff console.
            "UPDATE inquiries SET channel = 'terminal' WHERE channel = 'console'",
            # Session keys now carry the channel; the old ones (keyed hashes) can never be read again.
            "DELETE FROM sessions",
        ),
    ),
    Migration(
        6,
        "staff console: accounts, sessions, login throttling, the audit log (issue 11)",
        (
            # role is one of bot.console.accounts.ROLES; password is an argon2 hash, never the password.
            """CREATE TABLE console_users (
                name TEXT PRIMARY KEY,
                role TEXT NOT NULL CHECK (role IN ('viewer', 'reviewer', 'editor', 'admin')),
                password TEXT NOT NULL,
                disabled INTEGER NOT NULL DEFAULT 0,
                created_at {float} NOT NULL,
                changed_at {float} NOT NULL
            )""",
            # The cookie holds a random token; only its SHA-256 is stored, so a copy of the database
            # cannot be used to log in. Sessions live here so every worker honours a login.
            """CREATE TABLE console_sessions (
                token TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                csrf TEXT NOT NULL,
                created_at {float} NOT NULL,
                seen_at {float} NOT NULL
            )""",
            "CREATE INDEX console_sessions_name ON console_sessions (name)",
            # Failed logins per account and per address, counted across workers.
            "CREATE TABLE console_login_failures (key TEXT PRIMARY KEY, failures INTEGER NOT NULL, first_at {float} NOT NULL)",
            """CREATE TABLE audit_log (
                id {id},
                time {timestamp} NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT NOT NULL DEFAULT '',
                before_value TEXT,
                after_value TEXT
            )""",
            "CREATE INDEX audit_log_time ON audit_log (time)",
        ),
    ),
    Migration(
        7,
        "knowledge revisions, the staff console's inbox clusters and actions (issue 11)",
        (
            # A revision is the whole intent folder: file name -> digest of its text, the texts
            # stored once each (an edit changes one file). parent is unique, so two saves based
            # on the same revision cannot both land: history stays one line.
            "CREATE TABLE knowledge_blobs (digest TEXT PRIMARY KEY, text TEXT NOT NULL)",
            """CREATE TABLE knowledge_revisions (
                id {id},
                parent BIGINT NOT NULL UNIQUE,
                time {timestamp} NOT NULL,
                author TEXT NOT NULL,
                summary TEXT NOT NULL,
                files TEXT NOT NULL,
                reverts BIGINT
            )""",
            # The inbox: which cluster each inquiry was put in, kept so a cluster's id stays put;
            # what staff did with each (a batch: one press on a whole cluster, undone as one).
            "CREATE TABLE inbox_items (inquiry_id BIGINT PRIMARY KEY, cluster_id BIGINT NOT NULL)",
            "CREATE INDEX inbox_items_cluster ON inbox_items (cluster_id)",
            """CREATE TABLE inbox_actions (
                id {id},
                batch TEXT NOT NULL,
                time {timestamp} NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL CHECK (action IN ('example', 'out_of_scope', 'dismiss')),
                inquiry_id BIGINT NOT NULL,
                intent TEXT,
                text TEXT,
                revision BIGINT,
                undone_at {timestamp},
                undone_by TEXT
            )""",
            "CREATE INDEX inbox_actions_inquiry ON inbox_actions (inquiry_id)",
            "CREATE INDEX inbox_actions_batch ON inbox_actions (batch)",
        ),
    ),
    Migration(
        8,
        "durable intake: messages kept until answered, answers kept until sent (issue 12)",
        (
            # payload: the raw message (NULL once answered: the row is then a day-long marker
            # against re-deliveries); answer: parts ready to send at next_try (see bot.store.intake).
            """CREATE TABLE intake (
                message_key TEXT PRIMARY KEY,
                channel TEXT NOT NULL,
                received_at {float} NOT NULL,
                payload TEXT,
                answer TEXT,
                next_try {float},
                tries INTEGER NOT NULL DEFAULT 0,
                done_at {float}
            )""",
            "CREATE INDEX intake_channel ON intake (channel, received_at)",
        ),
    ),
)

# Steps are applied in version order; max() rather than the last entry, so the order they are
# written in cannot lower it.
LATEST = max(step.version for step in MIGRATIONS)


class Transaction(Protocol):
    async def execute(self, sql: str) -> Any: ...

    async def fetchval(self, sql: str) -> Any: ...


Exclusive = Callable[[], AbstractAsyncContextManager[Transaction]]


async def _version(tx: Transaction) -> int:
    return int(await tx.fetchval("SELECT version FROM schema_version") or 0)


async def migrate(exclusive: Exclusive, dialect: Dialect, name: str) -> int:
    """Bring the database to `LATEST`; return the version it had.

    Each step re-reads the version inside its exclusive transaction, so two processes opening the
    same new database at once don't apply a step twice.
    """
    async with exclusive() as tx:
        await tx.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        found = await _version(tx)
    if found > LATEST:
        raise SchemaError(f"{name}: schema version {found} is newer than this legalbot understands ({LATEST}); upgrade legalbot")
    for step in sorted(MIGRATIONS, key=lambda m: m.version):
        if step.version <= found:
            continue
        async with exclusive() as tx:
            if await _version(tx) < step.version:
                for statement in step.sql(dialect):
                    await tx.execute(statement)
                await tx.execute("DELETE FROM schema_version")
                await tx.execute(f"INSERT INTO schema_version (version) VALUES ({step.version})")
                logger.info("%s: migrated to schema version %d: %s", name, step.version, step.purpose)
    return found
