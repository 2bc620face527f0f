"""What only the PostgreSQL store does: workers starting together, the secret in the database,
connection problems reported in words."""

from __future__ import annotations

import asyncio
import socket
from urllib.parse import urlsplit

import asyncpg
import pytest

from bot.errors import UserError
from bot.store import open_store
from bot.store.postgres import PostgresStore, safe_url
from bot.store.schema import LATEST

from .test_store import answer


async def test_workers_starting_together_migrate_once_and_share_one_user_key_secret(postgres_url: str) -> None:
    stores = await asyncio.gather(*(PostgresStore.open(postgres_url) for _ in range(6)))
    try:
        ids = [await store.log("telegram", "4242", "法律援助", answer()) for store in stores]
        users = {(await stores[0].get(i)).user for i in ids}
        assert len(users) == 1  # every worker keys the same resident the same way
        conn = await asyncpg.connect(postgres_url)
        try:
            assert [r["version"] for r in await conn.fetch("SELECT version FROM schema_version")] == [LATEST]
            assert await conn.fetchval("SELECT COUNT(*) FROM user_key_secret") == 1
        finally:
            await conn.close()
    finally:
        for store in stores:
            await store.close()


async def test_a_database_from_a_newer_legalbot_is_refused(postgres_url: str) -> None:
    await (await open_store(postgres_url)).close()
    conn = await asyncpg.connect(postgres_url)
    await conn.execute("UPDATE schema_version SET version = 99")
    await conn.close()
    with pytest.raises(UserError, match="newer"):
        await open_store(postgres_url)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_a_wrong_password_is_reported_without_repeating_it(postgres_url: str) -> None:
    parts = urlsplit(postgres_url)
    wrong = postgres_url.replace(f":{parts.password}@", ":not-the-password@")
    with pytest.raises(UserError, match="cannot connect") as caught:
        await open_store(wrong)
    assert "not-the-password" not in str(caught.value)
    assert f"{parts.username}@{parts.hostname}:{parts.port}" in str(caught.value)


async def test_no_server_at_the_address_is_a_clear_error() -> None:
    with pytest.raises(UserError, match=r"cannot connect to the inquiry log at postgresql://bot@127\.0\.0\.1"):
        await open_store(f"postgresql://bot:secret@127.0.0.1:{_free_port()}/legal")


def test_urls_in_messages_never_show_the_password() -> None:
    assert safe_url("postgresql://bot:s3cret@db.example:5432/legal?search_path=x") == "postgresql://bot@db.example:5432/legal"
    assert safe_url("postgres://db/legal") == "postgres://db/legal"
