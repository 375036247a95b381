"""The store under asyncio: one writer thread, a small pool of readers.

Every write is a function `fn(tx)` run on the writer thread inside an explicit write
transaction (SQLite's `BEGIN IMMEDIATE`). Writes that queue up while one commits are
grouped into the next transaction, each inside its own savepoint: one failing
write rolls back alone, and a burst of writes costs one fsync instead of many
(synchronous=FULL, so an acknowledged write survives a power cut, not just kill -9).

A write records the changes live pages care about with `tx.change(...)`; they go
into the `changes` table in the same transaction and are handed to the bus after
the commit, in `seq` order, before the caller's await returns.

The same Database runs on PostgreSQL (`Database("postgresql://…")`): what differs is a
store object, quartier.sqlite's `SqliteStore` or quartier.postgres's `PostgresStore`.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils
from sqlite_utils import Migrations

from quartier.files import private_file
from quartier.postgres import PostgresStore, is_url
from quartier.schema import core_migrations
from quartier.settings import Settings
from quartier.sqlite import BUSY_TIMEOUT, SqliteStore, write_lock_path

log = logging.getLogger(__name__)

T = TypeVar("T")

# Largest number of writes grouped into one transaction.
MAX_BATCH = 200


@dataclass(frozen=True, slots=True)
class Change:
    """One recorded change; `message` is its WebSocket JSON, encoded once for every subscriber."""

    seq: int
    channel: str
    type: str
    data: str  # JSON text
    message: str

    @classmethod
    def build(cls, seq: int, channel: str, type: str, data: str) -> Change:
        message = f'{{"seq":{seq},"channel":{json.dumps(channel)},"type":{json.dumps(type)},"data":{data}}}'
        return cls(seq, channel, type, data, message)


def encode(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)


# SQLite's AUTOINCREMENT gives seq; on PostgreSQL, the next after the largest, under the writers' lock.
INSERT_CHANGE = {
    "sqlite": "INSERT INTO changes (channel, type, data, created) VALUES (?, ?, ?, ?) RETURNING seq",
    "postgresql": "INSERT INTO changes (seq, channel, type, data, created) VALUES "
    "((SELECT coalesce(max(seq), 0) + 1 FROM changes), ?, ?, ?, ?) RETURNING seq",
}


def dialect_of(db: Any) -> str:
    """Which store the handle a `fn(db)` was given belongs to: "sqlite" or "postgresql"."""
    return getattr(db, "dialect", "sqlite")


class Tx:
    """What a write function gets: the connection, and a way to record changes."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.changes: list[Change] = []

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> sqlite3.Cursor:
        return self.db.conn.execute(sql, params)

    def change(self, channel: str, type: str, data: Any = None) -> int:
        """Record a change on a channel, in this transaction; returns its seq."""
        payload = encode(data if data is not None else {})
        seq = self.db.conn.execute(
            INSERT_CHANGE[dialect_of(self.db)], (channel, type, payload, time.time())
        ).fetchone()[0]
        self.changes.append(Change.build(seq, channel, type, payload))
        return seq


@dataclass
class _Task:
    fn: Callable[[Any], Any]
    future: asyncio.Future
    loop: asyncio.AbstractEventLoop
    raw: bool = False  # run alone, outside any transaction (migrations)


_STOP = object()


def open_database(settings: Settings) -> Database:
    """The database the settings name (not yet opened): SQLite, whose writers of every process
    take turns on a lock file, or PostgreSQL, whose take turns on an advisory lock."""
    if settings.on_postgresql:
        return Database(settings.database)
    return Database(settings.database_path, write_lock=write_lock_path(settings.database_path))


class Database:
    """The application's database: `await db.write(fn)` and `await db.read(fn)`."""

    def __init__(self, path: Path | str, *, readers: int = 3, write_lock: Path | None = None):
        # The store the `database` setting names: a postgresql:// URL, else an SQLite file.
        self.store = PostgresStore(str(path), lock_timeout=BUSY_TIMEOUT) if is_url(path) else SqliteStore(Path(path))
        self.path = path
        self.write_lock = write_lock  # shared by the server's processes (SQLite): see _flush
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._ready = threading.Event()
        self._open_error: BaseException | None = None
        self._readers = ThreadPoolExecutor(
            max_workers=readers, thread_name_prefix="quartier-read", initializer=self._open_reader
        )
        self._local = threading.local()
        self._reader_conns: list[Any] = []  # sqlite_utils.Database, or quartier.postgres.Handle
        self._lock = threading.Lock()
        self._listeners: list[Callable[[list[Change]], None]] = []
        self._lock_fd: int | None = None
        self.closed = False
        self.transactions = 0  # write transactions committed (a test counts those a user's action costs)

    # -- life cycle

    async def open(self, migrations: Iterable[Migrations] = ()) -> None:
        """Start the writer (SQLite: in WAL mode) and apply pending migrations."""
        self._writer = threading.Thread(target=self._write_loop, name="quartier-write", daemon=True)
        self._writer.start()
        await asyncio.get_running_loop().run_in_executor(None, self._ready.wait)
        if self._open_error:
            raise self._open_error
        sets = [core_migrations, *migrations]
        await self._run_raw(lambda db: self.store.migrate(db, sets))

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self._writer:
            self._queue.put(_STOP)
            await asyncio.get_running_loop().run_in_executor(None, self._writer.join)
        self._readers.shutdown(wait=True)
        with self._lock:
            for db in self._reader_conns:
                self.store.close(db)
            self._reader_conns.clear()

    def on_commit(self, listener: Callable[[list[Change]], None]) -> None:
        """Call listener(changes) on the event loop after each commit that recorded changes."""
        self._listeners.append(listener)

    # -- writing

    async def write(self, fn: Callable[[Tx], T]) -> T:
        """Run fn(tx) in a write transaction on the writer thread and return its result."""
        if self.closed:
            raise RuntimeError("database is closed")
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.put(_Task(fn, future, loop))
        return await future

    async def _run_raw(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        """Run fn on the writer's connection outside any transaction (migrations, VACUUM)."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._queue.put(_Task(fn, future, loop, raw=True))
        return await future

    def _write_loop(self) -> None:
        try:
            db = self.store.connect(writer=True)
            self._open_write_lock()
        except BaseException as e:  # a writer that cannot open must not hang the server
            self._open_error = e
            self._ready.set()
            self._fail_queue(e)
            return
        self._ready.set()
        try:
            while True:
                item = self._queue.get()
                if item is _STOP:
                    break
                batch = [item]
                while len(batch) < MAX_BATCH:
                    try:
                        nxt = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if nxt is _STOP:
                        self._queue.put(_STOP)
                        break
                    batch.append(nxt)
                db = self._reconnected(db)
                self._run_batch(db, batch)
        finally:
            self.store.close(db)
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None
            self._fail_queue(RuntimeError("database is closed"))

    def _reconnected(self, db: Any) -> Any:
        """The writer's connection, made again if the server lost it (a PostgreSQL restart); until
        it can be, writes fail with an OperationalError (a 503), and each batch tries again."""
        if not self.store.broken(db):
            return db
        try:
            fresh = self.store.connect(writer=True)
        except sqlite3.OperationalError as e:
            log.warning("the database is unavailable: %s", e)
            return db
        with contextlib.suppress(Exception):
            self.store.close(db)
        return fresh

    def _run_batch(self, db: sqlite_utils.Database, batch: list[_Task]) -> None:
        tasks: list[_Task] = []
        for task in batch:
            if task.raw:
                self._flush(db, tasks)
                tasks = []
                self._run_untransacted(db, task)
            else:
                tasks.append(task)
        self._flush(db, tasks)

    def _run_untransacted(self, db: sqlite_utils.Database, task: _Task) -> None:
        try:
            result = task.fn(db)
        except BaseException as e:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            _resolve(task, error=e)
        else:
            _resolve(task, result=result)

    def _open_write_lock(self) -> None:
        if self.write_lock is not None:
            private_file(self.write_lock)
            self._lock_fd = os.open(self.write_lock, os.O_RDWR)

    def _flush(self, db: sqlite_utils.Database, tasks: list[_Task]) -> None:
        """Run tasks in one transaction, each in a savepoint named `task` (one failing task is
        rolled back alone); resolve them after the commit.

        With several server processes, their writers take turns through an flock on `write_lock`
        before BEGIN IMMEDIATE: the kernel wakes the next one the moment a commit ends, where
        SQLite's own busy handler sleeps and polls (1 to 100 ms a try), which cost two workers
        more than they gained. What queued meanwhile joins the next transaction.
        """
        while tasks:
            if self._lock_fd is not None:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
            try:
                tasks = self._transaction(db, tasks)
            finally:
                if self._lock_fd is not None:
                    fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _transaction(self, db: sqlite_utils.Database, tasks: list[_Task]) -> list[_Task]:
        """One transaction of the tasks; returns those to run again in a fresh one."""
        outcomes: list[tuple[_Task, Any, BaseException | None, list[Change]]] = []
        retry: list[_Task] = []
        try:
            self.store.begin_write(db)
        except sqlite3.OperationalError as e:  # locked past the busy timeout, or the server is gone
            if db.conn.in_transaction and not self.store.broken(db):
                db.conn.execute("ROLLBACK")
            for task in tasks:
                _resolve(task, error=e)  # each caller hears of it; this thread writes on
            return []
        for n, task in enumerate(tasks):
            if n:
                self.store.next_savepoint(db)  # the first one came with BEGIN
            tx = Tx(db)
            try:
                result = task.fn(tx)
            except BaseException as e:
                if db.conn.in_transaction:
                    db.conn.execute("ROLLBACK TO task")  # the next savepoint, or the commit, releases it
                    outcomes.append((task, None, e, []))
                    continue
                # The error ended the whole transaction: what ran before it is gone
                # too, so run those again in a fresh one.
                outcomes.append((task, None, e, []))
                retry = [t for t, _r, err, _c in outcomes if err is None]
                outcomes = [o for o in outcomes if o[2] is not None]
                retry += tasks[n + 1 :]
                break
            else:
                outcomes.append((task, result, None, tx.changes))
        if db.conn.in_transaction:
            try:
                self.store.commit(db, sum(len(o[3]) for o in outcomes))
                self.transactions += 1
            except BaseException as e:
                if db.conn.in_transaction and not self.store.broken(db):
                    db.conn.execute("ROLLBACK")
                outcomes = [(t, None, e, []) for t, *_rest in outcomes]
        changes = [c for *_rest, cs in outcomes for c in cs]
        if changes and outcomes:
            loop = outcomes[0][0].loop
            for listener in self._listeners:
                loop.call_soon_threadsafe(listener, changes)
        for task, result, error, _c in outcomes:
            _resolve(task, result=result, error=error)
        return retry

    def _fail_queue(self, error: BaseException) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, _Task):
                _resolve(item, error=error)

    # -- reading

    def _open_reader(self) -> None:
        db = self.store.connect(readonly=True)
        self._local.db = db
        with self._lock:
            self._reader_conns.append(db)

    async def read(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        """Run fn(db) on a reader thread, inside one read transaction (a consistent snapshot)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, self._read, fn)

    def _read(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        db: Any = self._local.db
        if self.store.broken(db):  # the server was restarted: this reader connects again
            fresh = self.store.connect(readonly=True)
            with self._lock:
                self._reader_conns[self._reader_conns.index(db)] = fresh
            with contextlib.suppress(Exception):
                self.store.close(db)
            self._local.db = db = fresh
        self.store.begin_read(db)
        try:
            return fn(db)
        finally:
            if not self.store.broken(db):
                db.conn.execute("ROLLBACK")

    async def fetchall(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[dict]:
        """Rows of a query as dicts."""
        return await self.read(lambda db: [dict(r) for r in db.conn.execute(sql, params)])

    async def fetchone(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> dict | None:
        def one(db: sqlite_utils.Database) -> dict | None:
            row = db.conn.execute(sql, params).fetchone()
            return dict(row) if row else None

        return await self.read(one)


def _resolve(task: _Task, *, result: Any = None, error: BaseException | None = None) -> None:
    def settle() -> None:
        if task.future.done():
            return
        if error is not None:
            task.future.set_exception(error)
        else:
            task.future.set_result(result)

    try:
        task.loop.call_soon_threadsafe(settle)
    except RuntimeError:  # the loop is closed: nobody is waiting any more
        pass
