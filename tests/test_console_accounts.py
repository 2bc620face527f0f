"""Accounts, sessions and login throttling on both backends (SQLite file, PostgreSQL schema)."""

from __future__ import annotations

import pytest

from bot.console import audit
from bot.console.accounts import AccountError, add_account, list_accounts, set_disabled, set_password, verify
from bot.console.auth import LoginThrottle, Sessions
from bot.console.settings import ConsoleSettings
from bot.store import open_store

SETTINGS = ConsoleSettings(login_failures=3, address_failures=4, lockout_seconds=60)


async def test_accounts_sessions_and_throttling_behave_alike_on_both_backends(any_db: str) -> None:
    store = await open_store(any_db)
    try:
        await add_account(store, "张科长", "admin", "a-long-password", "命令行:root")
        await add_account(store, "li", "viewer", "another-password", "张科长")
        with pytest.raises(AccountError, match="已经存在"):
            await add_account(store, "li", "editor", "third-password", "张科长")
        assert [(a.name, a.role) for a in await list_accounts(store)] == [("li", "viewer"), ("张科长", "admin")]
        assert (await verify(store, "张科长", "a-long-password")).can("editor")
        assert await verify(store, "张科长", "wrong-password") is None
        assert await verify(store, "nobody", "a-long-password") is None

        sessions = Sessions(store, SETTINGS)
        viewer = await sessions.start(await verify(store, "li", "another-password"))
        assert not (await sessions.find(viewer.token)).account.can("reviewer")
        await set_password(store, "li", "a-new-password", "张科长")
        assert await sessions.find(viewer.token) is None  # began before the change
        assert await verify(store, "li", "another-password") is None and await verify(store, "li", "a-new-password")
        await set_disabled(store, "li", True, "张科长")
        assert await verify(store, "li", "a-new-password") is None

        throttle = LoginThrottle(store, SETTINGS)
        for _ in range(3):
            assert not await throttle.locked("li", "10.0.0.1")
            await throttle.failed("li", "10.0.0.1")
        assert await throttle.locked("li", "10.0.0.2")  # the account, from anywhere
        assert not await throttle.locked("张科长", "10.0.0.1")  # a colleague in the same office still gets in
        await throttle.succeeded("li")
        assert not await throttle.locked("li", "10.0.0.1")
        for n in range(4):
            await throttle.failed(f"guess{n}", "10.0.0.9")
        assert await throttle.locked("张科长", "10.0.0.9")  # one address trying many names

        rows = await audit.entries(store)
        assert [(e.actor, e.action, e.target) for e in rows][::-1] == [
            ("命令行:root", "user.add", "张科长"),
            ("张科长", "user.add", "li"),
            ("张科长", "user.passwd", "li"),
            ("张科长", "user.disable", "li"),
        ]
        assert rows[0].before == "启用" and rows[0].after == "停用"
        assert "a-new-password" not in str([(e.before, e.after) for e in rows])  # no password ever reaches the log
    finally:
        await store.close()
