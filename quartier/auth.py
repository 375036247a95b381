"""Staff accounts: passwords, login sessions, API tokens and CSRF tokens.

Residents never log in; they are told apart by a device cookie (see quartier.web).
Cookie values and API tokens are random; only their SHA-256 is stored, so a copy
of the database does not let anyone in.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import sqlite_utils

from quartier.db import Database, Tx
from quartier.i18n import gettext as _

# A partner account belongs to one organisation of the partners registry (events resolves the id).
ROLES = ("organizer", "facilitator", "partner")
SESSION_DAYS = 14
# scrypt: ~16 MiB and ~50 ms a hash on a small machine, run off the event loop.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    organisation: int | None = None  # a partner account's organisation (partners.id in events)

    @property
    def is_organizer(self) -> bool:
        return self.role == "organizer"

    @property
    def is_partner(self) -> bool:
        return self.role == "partner"


class AuthError(Exception):
    """A staff command that cannot be done (unknown user, bad role, weak password)."""


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=64 * 2**20)
    b64 = base64.b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), maxmem=64 * 2**20
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# A valid hash of nothing anyone can type, so an unknown name costs as long as a wrong password.
_DUMMY_HASH = hash_password(secrets.token_hex(16))


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def validate_new_user(name: str, role: str, password: str, organisation: int | None = None) -> str:
    """Check a new account's fields; returns the cleaned name or raises AuthError."""
    name = name.strip()
    if not name or len(name) > 80:
        raise AuthError(_("le nom doit faire entre 1 et 80 caractères"))
    if role not in ROLES:
        raise AuthError(_("le rôle doit être organizer, facilitator ou partner"))
    if role == "partner" and organisation is None:
        raise AuthError(_("un compte partner appartient à une organisation : indiquez --organisation"))
    if role != "partner" and organisation is not None:
        raise AuthError(_("seul un compte partner appartient à une organisation"))
    if len(password) < 10:
        raise AuthError(_("le mot de passe doit faire au moins 10 caractères"))
    return name


async def add_user(db: Database, name: str, role: str, password: str, organisation: int | None = None) -> int:
    """Create a staff account; the password is hashed before the write."""
    name = validate_new_user(name, role, password, organisation)
    password_hash = await asyncio.get_running_loop().run_in_executor(None, hash_password, password)

    def write(tx: Tx) -> int:
        if tx.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise AuthError(_("le compte « {name} » existe déjà").format(name=name))
        return tx.execute(
            "INSERT INTO users (name, role, organisation, password_hash, created) VALUES (?, ?, ?, ?, ?) RETURNING id",
            (name, role, organisation, password_hash, time.time()),
        ).fetchone()[0]

    return await db.write(write)


def organisation_accounts(db: sqlite_utils.Database, organisation: int) -> list[User]:
    """The partner accounts of one organisation, by name (call inside db.read)."""
    rows = db.conn.execute(
        "SELECT id, name, role, organisation FROM users WHERE organisation = ? ORDER BY name", (organisation,)
    )
    return [User(r["id"], r["name"], r["role"], r["organisation"]) for r in rows]


def delete_partner_account(tx: Tx, organisation: int, user_id: int) -> bool:
    """Remove one partner account of an organisation (its sessions and tokens go with it)."""
    cur = tx.execute(
        "DELETE FROM users WHERE id = ? AND organisation = ? AND role = 'partner'", (user_id, organisation)
    )
    return cur.rowcount > 0


async def create_api_token(db: Database, name: str) -> str:
    """A new bearer token for a staff account; only its hash is kept."""
    token = "qt_" + secrets.token_urlsafe(32)

    def write(tx: Tx) -> None:
        row = tx.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise AuthError(_("aucun compte nommé « {name} »").format(name=name))
        tx.execute(
            "INSERT INTO api_tokens (token_hash, user_id, created) VALUES (?, ?, ?)",
            (_sha256(token), row[0], time.time()),
        )

    await db.write(write)
    return token


async def check_login(db: Database, name: str, password: str) -> User | None:
    """The user with this name and password, or None; as slow for unknown names as for known ones."""
    row = await db.fetchone("SELECT id, name, role, organisation, password_hash FROM users WHERE name = ?", (name,))
    stored = row["password_hash"] if row else _DUMMY_HASH
    ok = await asyncio.get_running_loop().run_in_executor(None, verify_password, password, stored)
    if row and ok:
        return User(row["id"], row["name"], row["role"], row["organisation"])
    return None


async def open_session(db: Database, user: User, old_cookie: str | None) -> str:
    """A fresh session cookie value for user; any session the browser had is ended (rotation)."""
    cookie = secrets.token_urlsafe(32)
    now = time.time()

    def write(tx: Tx) -> None:
        if old_cookie:
            tx.execute("DELETE FROM staff_sessions WHERE id = ?", (_sha256(old_cookie),))
        tx.execute("DELETE FROM staff_sessions WHERE expires < ?", (now,))
        tx.execute(
            "INSERT INTO staff_sessions (id, user_id, created, expires) VALUES (?, ?, ?, ?)",
            (_sha256(cookie), user.id, now, now + SESSION_DAYS * 86400),
        )

    await db.write(write)
    return cookie


async def close_session(db: Database, cookie: str) -> None:
    await db.write(lambda tx: tx.execute("DELETE FROM staff_sessions WHERE id = ?", (_sha256(cookie),)))


async def user_for_session(db: Database, cookie: str) -> User | None:
    row = await db.fetchone(
        "SELECT u.id, u.name, u.role, u.organisation FROM staff_sessions s JOIN users u ON u.id = s.user_id "
        "WHERE s.id = ? AND s.expires > ?",
        (_sha256(cookie), time.time()),
    )
    return User(row["id"], row["name"], row["role"], row["organisation"]) if row else None


async def user_for_token(db: Database, token: str) -> User | None:
    row = await db.fetchone(
        "SELECT u.id, u.name, u.role, u.organisation FROM api_tokens t JOIN users u ON u.id = t.user_id "
        "WHERE t.token_hash = ?",
        (_sha256(token),),
    )
    return User(row["id"], row["name"], row["role"], row["organisation"]) if row else None


def same_secret(expected: str, given: str) -> bool:
    """Whether a secret someone sent (a key, a token, a signature) is the expected one, in constant time.

    hmac.compare_digest refuses str with non-ASCII characters (TypeError, a 500): compare UTF-8 bytes, a
    character that cannot be encoded becoming "?", which no secret of ours holds.
    """
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


def csrf_token(secret: str, holder: str) -> str:
    """The CSRF token of a form shown to holder (a staff session or a resident's device)."""
    return hmac.new(secret.encode(), f"csrf:{holder}".encode(), hashlib.sha256).hexdigest()[:40]


def csrf_ok(secret: str, holder: str, token: str) -> bool:
    return same_secret(csrf_token(secret, holder), token or "")
