"""A PostgreSQL database of its own for each test: a fresh schema on the server in LEGALBOT_TEST_POSTGRES.

`.ci/services.sh` starts that server on loopback and `.ci/run` exports the URL; locally, run the
script once and source the file it writes. Without the variable the tests that need the server skip.
Each schema is reached through ``?search_path=…`` in the URL, so the code under test (and the CLI in
a subprocess) sees an empty database, and is dropped afterwards. The session's time zone is set far
from Wanzhou, so nothing can pass by relying on the server's zone.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlencode, urlsplit, urlunsplit

import asyncpg
import pytest

ENV = "LEGALBOT_TEST_POSTGRES"
NO_SERVER = f"no PostgreSQL server configured: set {ENV}=postgresql://user:pass@127.0.0.1:PORT/db (.ci/services.sh starts one)"
FAR_ZONE = "America/Los_Angeles"


def server_url() -> str:
    url = os.environ.get(ENV, "")
    if not url:
        pytest.skip(NO_SERVER)
    return url


def with_settings(url: str, **settings: str) -> str:
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode(settings)) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def fresh_database() -> Iterator[str]:
    """A URL whose tables land in a new, empty schema (dropped on exit)."""
    url = server_url()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(url, f"CREATE SCHEMA {schema}"))
    try:
        yield with_settings(url, search_path=schema, TimeZone=FAR_ZONE)
    finally:
        asyncio.run(_admin(url, f"DROP SCHEMA {schema} CASCADE"))
