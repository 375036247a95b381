"""SQLite as the store: the embedded default, one file (with its -wal and -shm) on one host.

quartier.db's Database runs every write on one writer thread in `BEGIN IMMEDIATE`; with
several server processes their writers take turns on an flock (`write_lock_path`) first.
`SqliteStore` is what Database asks of SQLite; quartier.postgres's `PostgresStore` answers
the same questions for PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils import Migrations

from quartier.files import private_file

# Seconds a connection waits for another process's lock (the other workers, a backup) before
# the write fails; the request then gets a 503 with Retry-After (quartier.web), nothing is half-done.
BUSY_TIMEOUT = 10.0


def write_lock_path(database: Path) -> Path:
    """The file whose flock the writers of every process of this database take turns on."""
    return database.with_name(database.name + "-write.lock")


def connect(path: Path | str, *, readonly: bool = False) -> sqlite_utils.Database:
    """A connection in autocommit mode: transactions are begun explicitly, never implicitly."""
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    if readonly:
        conn.execute("PRAGMA query_only = ON")
    db = sqlite_utils.Database(conn, execute_plugins=False)
    conn.row_factory = sqlite3.Row
    return db


class SqliteStore:
    """What Database needs to know of SQLite: how to connect and begin (PostgresStore: the other)."""

    name = "sqlite"

    def __init__(self, path: Path):
        self.path = path

    def connect(self, *, readonly: bool = False, writer: bool = False) -> sqlite_utils.Database:
        if writer:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            private_file(self.path)  # SQLite gives its -wal and -shm files the database file's mode
        db = connect(self.path, readonly=readonly)
        if writer:
            db.conn.execute("PRAGMA journal_mode = WAL")
            db.conn.execute("PRAGMA synchronous = FULL")
        return db

    def broken(self, db: Any) -> bool:
        return False

    def close(self, db: Any) -> None:
        db.conn.close()

    def begin_write(self, db: Any) -> None:
        """The write transaction, and the savepoint of its first task (quartier.db's _transaction)."""
        db.conn.execute("BEGIN IMMEDIATE")
        db.conn.execute("SAVEPOINT task")

    def next_savepoint(self, db: Any) -> None:
        """The previous task's savepoint released, the next one's begun."""
        db.conn.execute("RELEASE task")
        db.conn.execute("SAVEPOINT task")

    def commit(self, db: Any, changes: int) -> None:
        """Only the commit (with the last task's savepoint): the bus nudges the other processes
        after it (quartier.wake)."""
        db.conn.execute("COMMIT")

    def begin_read(self, db: Any) -> None:
        db.conn.execute("BEGIN")

    def migrate(self, db: Any, sets: Sequence[Migrations]) -> None:
        for migrations in sets:
            migrations.apply(db)
