"""The core's own tables (the change log, staff accounts, their sessions and tokens), as named steps."""

from __future__ import annotations

import sqlite_utils
from sqlite_utils import Migrations

core_migrations = Migrations("quartier")


@core_migrations(name="0001_core")
def _core_schema(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE changes (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            channel TEXT NOT NULL,
            type TEXT NOT NULL,
            data TEXT NOT NULL,
            created REAL NOT NULL
        )"""
    )
    db.execute("CREATE INDEX changes_channel_seq ON changes (channel, seq)")
    db.execute("CREATE INDEX changes_created ON changes (created)")
    db.execute(
        """CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            role TEXT NOT NULL CHECK (role IN ('organizer', 'facilitator')),
            password_hash TEXT NOT NULL,
            created REAL NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE staff_sessions (
            id TEXT PRIMARY KEY,            -- sha256 of the cookie value
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created REAL NOT NULL,
            expires REAL NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE api_tokens (
            id INTEGER PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,  -- sha256 of the token
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created REAL NOT NULL
        )"""
    )


USERS_WITH_PARTNERS = """CREATE TABLE users_new (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role TEXT NOT NULL CHECK (role IN ('organizer', 'facilitator', 'partner')),
    organisation INTEGER,             -- a partner account's organisation: an id that `events` resolves
    password_hash TEXT NOT NULL,
    created REAL NOT NULL,
    CHECK ((role = 'partner') = (organisation IS NOT NULL))
)"""


@core_migrations(name="0002_partner_accounts", transactional=False)
def _partner_accounts(db: sqlite_utils.Database) -> None:
    """A third role, `partner`, tied to one organisation (issue 18).

    SQLite cannot change a CHECK in place: the table is rebuilt (its 12-step recipe). Foreign keys
    are off meanwhile, or dropping the old table would delete every session and token with it;
    the step runs outside sqlite-utils' transaction because that pragma is ignored inside one.
    """
    sql = db.execute("SELECT sql FROM sqlite_master WHERE name = 'users'").fetchone()[0]
    if "'partner'" in sql:  # already rebuilt: a crash after the rebuild, before its record
        return
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(USERS_WITH_PARTNERS)
            db.execute(
                "INSERT INTO users_new (id, name, role, password_hash, created) "
                "SELECT id, name, role, password_hash, created FROM users"
            )
            db.execute("DROP TABLE users")
            db.execute("ALTER TABLE users_new RENAME TO users")
            if db.execute("PRAGMA foreign_key_check").fetchall():
                raise RuntimeError("users: foreign keys broken by the rebuild")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    finally:
        db.execute("PRAGMA foreign_keys = ON")
