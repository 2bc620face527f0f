"""Staff accounts: a name, a role and an argon2 hash of the password (argon2-cffi).

Roles are ordered: a viewer sees, a reviewer also triages the inbox, an editor also changes
the knowledge, an admin also manages accounts. Passwords are hashed with argon2id at
argon2-cffi's defaults (RFC 9106's low-memory profile); hashes made with older parameters are
upgraded at the next login. Every change writes an audit row naming who made it (``actor``:
a console account, or ``命令行:<login>`` for the `users` command). Verification of an unknown name still spends one hash, so the time
a login takes does not tell which names exist.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..errors import UserError
from ..store.sql import Row, SQLStore
from . import audit

ROLES = ("viewer", "reviewer", "editor", "admin")
ROLE_NAMES = {"viewer": "查看员", "reviewer": "审核员", "editor": "编辑", "admin": "管理员"}
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256
NAME = re.compile(r"[A-Za-z0-9_.\-\u4e00-\u9fff]{1,32}")

_hasher = PasswordHasher()
_UNKNOWN_USER_HASH = _hasher.hash("no such account: spend the same time as for a real one")
_COLUMNS = "name, role, password, disabled, created_at, changed_at"


class AccountError(UserError):
    """An account change that cannot be done (name taken, unknown name, weak password ...)."""


def rank(role: str) -> int:
    return ROLES.index(role)


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    disabled: bool
    created_at: float
    changed_at: float

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[self.role]

    def can(self, role: str) -> bool:
        """True when this account's role is ``role`` or above it."""
        return not self.disabled and rank(self.role) >= rank(role)


def _account(row: Row) -> Account:
    return Account(row["name"], row["role"], bool(row["disabled"]), float(row["created_at"]), float(row["changed_at"]))


def check_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise AccountError(f"账号名“{name}”不可用：只能用 1–32 个字母、数字、汉字或 _ . -")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"没有“{role}”这个角色；可选：{'、'.join(f'{r}（{ROLE_NAMES[r]}）' for r in ROLES)}")
    return role


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"密码太短：至少 {MIN_PASSWORD_CHARS} 个字符")
    if len(password) > MAX_PASSWORD_CHARS:
        raise AccountError(f"密码太长：最多 {MAX_PASSWORD_CHARS} 个字符")
    return password


async def _hash(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, check_password(password))


async def get_account(store: SQLStore, name: str) -> Account | None:
    rows = await store.select(f"SELECT {_COLUMNS} FROM console_users WHERE name = ?", name)
    return _account(rows[0]) if rows else None


async def list_accounts(store: SQLStore) -> list[Account]:
    return [_account(r) for r in await store.select(f"SELECT {_COLUMNS} FROM console_users ORDER BY name")]


async def add_account(store: SQLStore, name: str, role: str, password: str, actor: str) -> Account:
    check_name(name)
    check_role(role)
    hashed = await _hash(password)
    now = time.time()
    rows = await store.change(
        "INSERT INTO console_users (name, role, password, disabled, created_at, changed_at) VALUES (?, ?, ?, 0, ?, ?)"
        " ON CONFLICT (name) DO NOTHING RETURNING name",
        name,
        role,
        hashed,
        now,
        now,
    )
    if not rows:
        raise AccountError(f"账号“{name}”已经存在（改密码用 users passwd，改角色请先停用再新建一个名字）")
    await audit.record(store, actor, "user.add", name, None, {"role": role})
    return Account(name, role, False, now, now)


async def _must_exist(store: SQLStore, name: str) -> Account:
    account = await get_account(store, name)
    if account is None:
        raise AccountError(f"没有名为“{name}”的账号（users list 列出全部账号）")
    return account


async def set_disabled(store: SQLStore, name: str, disabled: bool, actor: str) -> Account:
    """Disable (or enable again) an account; a disabled account's sessions end at its next request."""
    account = await _must_exist(store, name)
    await store.change("UPDATE console_users SET disabled = ?, changed_at = ? WHERE name = ?", int(disabled), time.time(), name)
    state = lambda off: "停用" if off else "启用"  # noqa: E731
    await audit.record(store, actor, "user.disable" if disabled else "user.enable", name, state(account.disabled), state(disabled))
    return Account(account.name, account.role, disabled, account.created_at, time.time())


async def set_password(store: SQLStore, name: str, password: str, actor: str) -> Account:
    """A new password; the account's open sessions end (they began before the change)."""
    account = await _must_exist(store, name)
    hashed = await _hash(password)
    await store.change("UPDATE console_users SET password = ?, changed_at = ? WHERE name = ?", hashed, time.time(), name)
    await audit.record(store, actor, "user.passwd", name, None, "（新密码，不记录）")
    return account


def _matches(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


async def verify(store: SQLStore, name: str, password: str) -> Account | None:
    """The account when ``password`` is right and the account is enabled, else None."""
    rows = await store.select("SELECT password FROM console_users WHERE name = ?", name)
    hashed = rows[0]["password"] if rows else _UNKNOWN_USER_HASH
    if not await asyncio.to_thread(_matches, hashed, password[:MAX_PASSWORD_CHARS]) or not rows:
        return None
    if _hasher.check_needs_rehash(hashed):
        await store.change("UPDATE console_users SET password = ? WHERE name = ?", await _hash(password), name)
    account = await get_account(store, name)
    return account if account is not None and not account.disabled else None
