"""The schema on PostgreSQL: the one the migrations build in SQLite, translated.

On an empty database, the migrations run in an in-memory SQLite first; its tables (in foreign
key order), indexes and rows are then made in PostgreSQL in one transaction, through
quartier.dialect's `table` and `index`, and every migration is recorded as applied. On a
database made so, a migration newer than it runs on PostgreSQL as written (`apply_pending`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING

import sqlite_utils
from sqlite_utils import Migrations

from quartier import dialect
from quartier.i18n import N_

if TYPE_CHECKING:
    from quartier.postgres import Handle

MIGRATIONS_TABLE = "_sqlite_migrations"


class WrongEncoding(sqlite3.OperationalError):
    """The database is not UTF8: its message is a msgid, translated where it is shown."""

    def __init__(self, encoding: str):
        self.message = N_(
            "la base est en {encoding}, pas en UTF8 : créez-la avec createdb --encoding=UTF8 --template=template0"
        )
        self.params = {"encoding": encoding}
        super().__init__(self.message.format(**self.params))


def built_in_sqlite(sets: Sequence[Migrations]) -> sqlite_utils.Database:
    """An empty SQLite database in memory with every migration applied: the schema, once."""
    db = sqlite_utils.Database(memory=True)
    db.conn.execute("PRAGMA foreign_keys = ON")
    for migrations in sets:
        migrations.apply(db)
    return db


def create_schema(handle: Handle, sets: Sequence[Migrations]) -> None:
    """Make the schema the migrations make, in one transaction, with the rows they insert."""
    row = handle.execute(
        "SELECT CAST(pg_encoding_to_char(encoding) AS text) FROM pg_database WHERE datname = current_database()"
    ).fetchone()
    found = row[0].decode() if isinstance(row[0], bytes) else row[0]  # SQL_ASCII's text comes as bytes
    if found != "UTF8":  # the ICU collation, and residents' every script, need it
        raise WrongEncoding(found)
    source = built_in_sqlite(sets)
    tables = {
        name: sql
        for name, sql in source.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL "
            "AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
        )
    }
    indexes = [
        sql
        for (sql,) in source.conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY rowid"
        )
    ]
    handle.execute("BEGIN")
    try:
        handle.execute(
            "DO $$ BEGIN CREATE COLLATION IF NOT EXISTS nocase "
            "(provider = icu, locale = 'und-u-ks-level2', deterministic = false); END $$"
        )
        for name in _dependency_order(tables):
            ddl, extra = dialect.table(tables[name])
            handle.conn.raw.execute(ddl)  # DDL as PostgreSQL's own: no placeholders to rewrite
            for statement in extra:
                handle.conn.raw.execute(statement)
        for sql in indexes:
            handle.conn.raw.execute(dialect.index(sql))
        for name in tables:
            rows = source.conn.execute(f'SELECT * FROM "{name}"').fetchall()
            if rows:
                columns = [d[0] for d in source.conn.execute(f'SELECT * FROM "{name}" LIMIT 0').description]
                marks = ", ".join("?" * len(columns))
                names = ", ".join(f'"{c}"' for c in columns)
                handle.conn.executemany(f'INSERT INTO "{name}" ({names}) VALUES ({marks})', [tuple(r) for r in rows])
        handle.execute("COMMIT")
    except BaseException:
        if handle.conn.in_transaction:
            handle.execute("ROLLBACK")
        raise
    finally:
        source.conn.close()


def _dependency_order(tables: dict[str, str]) -> list[str]:
    """Tables in an order where each comes after those its foreign keys name."""
    done: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen or name not in tables:
            return
        seen.add(name)
        for other in sorted(dialect.references(tables[name])):
            visit(other)
        done.append(name)

    for name in tables:
        visit(name)
    return done


def apply_pending(handle: Handle, sets: Sequence[Migrations]) -> None:
    """Run, on PostgreSQL, the migrations this database has not recorded (code newer than the
    database): each in its own transaction with its record."""
    applied = {
        (row[0], row[1]) for row in handle.execute(f"SELECT migration_set, name FROM {MIGRATIONS_TABLE}").fetchall()
    }
    for migrations in sets:
        for migration in migrations._migrations:  # sqlite-utils keeps the registered steps here
            if (migrations.name, migration.name) in applied:
                continue
            handle.execute("BEGIN")
            try:
                migration.fn(handle)  # type: ignore[arg-type]  # a Handle answers what migrations call
                handle.execute(
                    f"INSERT INTO {MIGRATIONS_TABLE} (migration_set, name, applied_at) VALUES (?, ?, now()::text)",
                    (migrations.name, migration.name),
                )
                handle.execute("COMMIT")
            except BaseException:
                if handle.conn.in_transaction:
                    handle.execute("ROLLBACK")
                raise
