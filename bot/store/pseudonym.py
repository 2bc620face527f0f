"""Pseudonymous user keys: the same person gets the same key, but the raw id never reaches disk.

A keyed hash (HMAC-SHA256) rather than a plain hash, because Telegram ids are small numbers:
without the secret anyone could hash every id and reverse the key. The secret lives beside the
database (readable by the bot's user only); deleting it unlinks all past keys from people.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from ..errors import UserError

SECRET_SUFFIX = ".secret"
KEY_HEX_CHARS = 16  # 64 bits: no collisions among any realistic number of residents


class SecretError(UserError):
    """The secret file beside the database is unreadable or damaged."""


def secret_path(db: Path) -> Path:
    return db.with_name(db.name + SECRET_SUFFIX)


def _create_secret(path: Path) -> None:
    """Write a fresh key (mode 0600) under a temporary name, then link it into place.

    The link fails if another process got there first, so two processes opening a new database
    together still agree on one key, and nobody ever reads a half-written file.
    """
    draft = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(32) + "\n")
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink(missing_ok=True)


def load_or_create_secret(path: Path) -> bytes:
    """Read the key beside the database, creating it on first use."""
    if not path.exists():
        try:
            _create_secret(path)
        except OSError as exc:
            raise SecretError(f"{path}: cannot create the user-key secret: {exc}") from None
    try:
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SecretError(f"{path}: cannot read the user-key secret ({exc}); restore it from backup") from None
    if len(key) < 16:
        raise SecretError(f"{path}: the user-key secret is too short; restore it from backup")
    return key


def user_key(secret: bytes, channel: str, raw_id: str) -> str:
    """Stable pseudonym for one person on one channel."""
    digest = hmac.new(secret, f"{channel}:{raw_id}".encode(), hashlib.sha256).hexdigest()
    return digest[:KEY_HEX_CHARS]
