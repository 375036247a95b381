"""PostgreSQL as the store, for a deployment on several hosts (`database: postgresql://…`).

The features keep their one set of queries and their `fn(db)` / `fn(tx)` functions: a
`Handle` here answers the calls they make of SQLite's (`db.execute`, `db.conn.execute`, rows
read by index or by name), each query rewritten once by quartier.dialect. The differences
of the two stores stay in this module, quartier.dialect, quartier.sqlite's `SqliteStore`,
quartier.wake's `ListenWake` and quartier.pgdump.

- **A commit that logged changes sends `NOTIFY quartier_changes`** with it; each process
  LISTENs (quartier.wake's `ListenWake`) and reads the log when told.
- **Writers take turns** on one advisory lock, held to the end of each write transaction,
  as SQLite's writers do on its write lock: so `seq` is given in commit order on every host,
  and a follower reading after the last seq it delivered never skips one still committing.
  `seq` is the next after the largest, taken under that lock: gap-free, where a SEQUENCE
  would leave a hole at every rolled-back savepoint (sequences ignore rollbacks).
- **The schema** is what the migrations build, in SQLite, translated (quartier.pgschema): one
  schema for both stores. A database made this way records every migration as applied; a
  later migration runs on PostgreSQL as written (through the dialect) when it is new.
- **Errors are SQLite's classes** (`sqlite3.IntegrityError`, `sqlite3.OperationalError`), so
  the code that tells a conflict or a busy store apart needs no second spelling; a lost
  connection is an OperationalError that quartier.web answers with a 503 (nothing was
  recorded), and the next use connects again.
"""

from __future__ import annotations

import decimal
import os
import socket
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import psycopg
from psycopg import pq
from psycopg.adapt import Dumper, Loader
from psycopg.sql import SQL
from sqlite_utils import Migrations

from quartier import dialect, pgschema

CHANNEL = "quartier_changes"
# The advisory lock every writer of every host holds through its transaction ("QUART").
WRITERS_LOCK = 0x5155415254
# Another one, held while the schema is made or migrated (two hosts starting at once).
MIGRATIONS_LOCK = 0x5155415255


def is_url(location: object) -> bool:
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


class Columns:
    """The column names of one result, shared by its rows: each as written, and in lower case."""

    __slots__ = ("names", "index")

    def __init__(self, names: list[str]):
        self.names = names
        self.index: dict[str, int] = {}
        for i, name in enumerate(names):
            self.index.setdefault(name, i)
        for i, name in enumerate(names):
            self.index.setdefault(name.lower(), i)


class Row:
    """A row as sqlite3.Row gives it: by index, by (case-insensitive) name, and as a mapping."""

    __slots__ = ("_columns", "_values")

    def __init__(self, columns: Columns, values: tuple[Any, ...]):
        self._columns = columns
        self._values = values

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            index = self._columns.index.get(key)
            if index is None:
                index = self._columns.index.get(key.lower())
            if index is None:
                raise IndexError(f"No item with that key: {key}")
            return self._values[index]
        return self._values[key]

    def keys(self) -> list[str]:
        return list(self._columns.names)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Row) and self._values == other._values

    def __hash__(self) -> int:
        return hash(self._values)

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._columns.names, self._values, strict=False))!r})"


def _row_factory(cursor: psycopg.Cursor[Any]) -> Callable[[Sequence[Any]], Row]:
    columns = Columns([c.name for c in cursor.description or ()])
    return lambda values: Row(columns, tuple(values))


class _BoolDumper(Dumper):
    """True and False as 1 and 0: our flags are INTEGER columns, as in SQLite."""

    oid = psycopg.postgres.types["int8"].oid

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


class _NumericLoader(Loader):
    """numeric (what sum() of integers and avg() give) as int or float, as SQLite gives them."""

    def load(self, data: Any) -> int | float:
        value = decimal.Decimal(bytes(data).decode())
        if value.as_tuple().exponent >= 0:  # type: ignore[operator]  # an int for a finite number
            return int(value)
        return float(value)


class Cursor:
    """What `execute` returns: rows to fetch or iterate, and rowcount."""

    def __init__(self, cursor: psycopg.Cursor[Any]):
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def description(self) -> Any:
        return self._cursor.description

    def fetchone(self) -> Any:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall() if self._cursor.description else []

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


class Connection:
    """One psycopg connection in autocommit mode (transactions are begun explicitly, as with SQLite)."""

    def __init__(self, url: str):
        self.url = url
        try:
            self._conn = psycopg.connect(url, autocommit=True, row_factory=_row_factory)
        except psycopg.OperationalError as e:
            raise sqlite3.OperationalError(f"database unavailable: {first_line(e)}") from e
        self._conn.adapters.register_dumper(bool, _BoolDumper)
        self._conn.adapters.register_loader("numeric", _NumericLoader)

    @property
    def raw(self) -> psycopg.Connection[Any]:
        return self._conn

    @property
    def broken(self) -> bool:
        return self._conn.closed or self._conn.broken

    @property
    def in_transaction(self) -> bool:
        if self.broken:
            return False  # the server ended it
        return self._conn.info.transaction_status != pq.TransactionStatus.IDLE

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Cursor:
        cursor = self._conn.cursor()
        try:
            cursor.execute(dialect.translate(sql), _without_nul(params) if params else ())
        except psycopg.Error as e:
            raise _sqlite_error(e) from e
        return Cursor(cursor)

    def run(self, sql: str) -> None:
        """PostgreSQL's own statements without parameters, several in one round trip."""
        try:
            self._conn.execute(sql)
        except psycopg.Error as e:
            raise _sqlite_error(e) from e

    def executemany(self, sql: str, rows: Iterable[Sequence[Any] | Mapping[str, Any]]) -> Cursor:
        cursor = self._conn.cursor()
        try:
            cursor.executemany(dialect.translate(sql), list(rows))
        except psycopg.Error as e:
            raise _sqlite_error(e) from e
        return Cursor(cursor)

    def close(self) -> None:
        self._conn.close()


class Handle:
    """What a feature's `fn(db)` gets on PostgreSQL: `db.execute` and `db.conn.execute`, as with
    sqlite-utils' Database."""

    dialect = "postgresql"

    def __init__(self, url: str):
        self.conn = Connection(url)

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Cursor:
        return self.conn.execute(sql, params)


def _without_nul(params: Sequence[Any] | Mapping[str, Any]) -> Sequence[Any] | Mapping[str, Any]:
    """PostgreSQL's text cannot hold U+0000, which SQLite stores: it becomes U+FFFD (so a lookup
    by such a value finds nothing, as it would in SQLite, instead of failing)."""
    values = params.values() if isinstance(params, Mapping) else params
    if not any(isinstance(v, str) and "\0" in v for v in values):
        return params
    if isinstance(params, Mapping):
        return {k: v.replace("\0", "\ufffd") if isinstance(v, str) else v for k, v in params.items()}
    return [v.replace("\0", "\ufffd") if isinstance(v, str) else v for v in params]


def process_name() -> str:
    """This process among every host's (a NOTIFY's payload: a process need not wake for its own)."""
    return f"{socket.gethostname()}/{os.getpid()}"


def first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _sqlite_error(error: psycopg.Error) -> sqlite3.Error:
    message = first_line(error)
    if isinstance(error, psycopg.errors.IntegrityError):
        return sqlite3.IntegrityError(message)
    if isinstance(error, psycopg.errors.LockNotAvailable | psycopg.errors.QueryCanceled):
        return sqlite3.OperationalError(f"database is locked: {message}")
    if isinstance(error, psycopg.OperationalError) or (error.sqlstate or "").startswith(("08", "57")):
        return sqlite3.OperationalError(f"database unavailable: {message}")
    return sqlite3.OperationalError(message)


# -- the store, as quartier.db's Database uses it


class PostgresStore:
    """The differences quartier.db's Database needs to know of, for PostgreSQL."""

    name = "postgresql"

    def __init__(self, url: str, *, lock_timeout: float):
        self.url = url
        self.lock_timeout = lock_timeout

    def connect(self, *, readonly: bool = False, writer: bool = False) -> Handle:
        handle = Handle(self.url)
        handle.execute(f"SET lock_timeout = '{int(self.lock_timeout * 1000)}ms'")
        if readonly:
            handle.execute("SET default_transaction_read_only = on")
        return handle

    def broken(self, handle: Any) -> bool:
        return bool(handle.conn.broken)

    def close(self, handle: Any) -> None:
        handle.conn.close()

    # A write's transaction begins and ends in one round trip each, and moves from one task's
    # savepoint to the next in one (statements without parameters travel together): on another
    # host, each trip is a good part of a write's time.

    def begin_write(self, handle: Any) -> None:
        """The write transaction, the writers' lock, and the savepoint of its first task."""
        handle.conn.run(f"BEGIN; SELECT pg_advisory_xact_lock({WRITERS_LOCK}); SAVEPOINT task")

    def next_savepoint(self, handle: Any) -> None:
        """The previous task's savepoint released (the transaction stays flat), the next one's begun."""
        handle.conn.run("RELEASE task; SAVEPOINT task")

    def commit(self, handle: Any, changes: int) -> None:
        """The commit, with the NOTIFY that wakes every process's bus when it wrote changes."""
        if changes:
            notify = SQL("SELECT pg_notify({}, {}); COMMIT").format(CHANNEL, process_name())
            handle.conn.run(notify.as_string(handle.conn.raw))
        else:
            handle.execute("COMMIT")

    def begin_read(self, handle: Any) -> None:
        handle.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def migrate(self, handle: Any, sets: Sequence[Migrations]) -> None:
        handle.execute("SELECT pg_advisory_lock(?)", (MIGRATIONS_LOCK,))
        try:
            exists = handle.execute("SELECT to_regclass(?) IS NOT NULL", (pgschema.MIGRATIONS_TABLE,)).fetchone()[0]
            if not exists:
                pgschema.create_schema(handle, sets)
            else:
                pgschema.apply_pending(handle, sets)
        finally:
            handle.execute("SELECT pg_advisory_unlock(?)", (MIGRATIONS_LOCK,))
