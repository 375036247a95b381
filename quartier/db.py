"""SQLite under asyncio: one writer thread, a small pool of readers.

Every write is a function `fn(tx)` run on the writer thread inside an explicit
`BEGIN IMMEDIATE` transaction. Writes that queue up while one commits are
grouped into the next transaction, each inside its own savepoint: one failing
write rolls back alone, and a burst of writes costs one fsync instead of many
(synchronous=FULL, so an acknowledged write survives a power cut, not just kill -9).

A write records the changes live pages care about with `tx.change(...)`; they go
into the `changes` table in the same transaction and are handed to the bus after
the commit, in `seq` order, before the caller's await returns.
"""

from __future__ import annotations

import asyncio
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
from quartier.schema import core_migrations

log = logging.getLogger(__name__)

T = TypeVar("T")

# Largest number of writes grouped into one transaction.
MAX_BATCH = 200
# Seconds a connection waits for another process's lock (the other workers, a backup) before
# the write fails; the request then gets a 503 with Retry-After (quartier.web), nothing is half-done.
BUSY_TIMEOUT = 10.0


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
            "INSERT INTO changes (channel, type, data, created) VALUES (?, ?, ?, ?) RETURNING seq",
            (channel, type, payload, time.time()),
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


class Database:
    """The application's database: `await db.write(fn)` and `await db.read(fn)`."""

    def __init__(self, path: Path, *, readers: int = 3, write_lock: Path | None = None):
        self.path = path
        self.write_lock = write_lock  # shared by the server's processes: see _flush
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._ready = threading.Event()
        self._open_error: BaseException | None = None
        self._readers = ThreadPoolExecutor(
            max_workers=readers, thread_name_prefix="quartier-read", initializer=self._open_reader
        )
        self._local = threading.local()
        self._reader_conns: list[sqlite_utils.Database] = []
        self._lock = threading.Lock()
        self._listeners: list[Callable[[list[Change]], None]] = []
        self._lock_fd: int | None = None
        self.closed = False
        self.transactions = 0  # write transactions committed (a test counts those a user's action costs)

    # -- life cycle

    async def open(self, migrations: Iterable[Migrations] = ()) -> None:
        """Start the writer, set WAL mode and apply pending migrations."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        private_file(self.path)  # SQLite gives its -wal and -shm files the database file's mode
        self._writer = threading.Thread(target=self._write_loop, name="quartier-write", daemon=True)
        self._writer.start()
        await asyncio.get_running_loop().run_in_executor(None, self._ready.wait)
        if self._open_error:
            raise self._open_error
        sets = [core_migrations, *migrations]
        await self._run_raw(lambda db: [m.apply(db) for m in sets])

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
                db.conn.close()
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
            db = connect(self.path)
            db.conn.execute("PRAGMA journal_mode = WAL")
            db.conn.execute("PRAGMA synchronous = FULL")
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
                self._run_batch(db, batch)
        finally:
            db.conn.close()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None
            self._fail_queue(RuntimeError("database is closed"))

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
        """Run tasks in one transaction, each in a savepoint; resolve them after the commit.

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
            db.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:  # locked by another process past the busy timeout
            for task in tasks:
                _resolve(task, error=e)  # each caller hears of it; this thread writes on
            return []
        for n, task in enumerate(tasks):
            tx = Tx(db)
            db.conn.execute("SAVEPOINT task")
            try:
                result = task.fn(tx)
            except BaseException as e:
                if db.conn.in_transaction:
                    db.conn.execute("ROLLBACK TO task")
                    db.conn.execute("RELEASE task")
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
                db.conn.execute("RELEASE task")
                outcomes.append((task, result, None, tx.changes))
        if db.conn.in_transaction:
            try:
                db.conn.execute("COMMIT")
                self.transactions += 1
            except BaseException as e:
                if db.conn.in_transaction:
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
        db = connect(self.path, readonly=True)
        self._local.db = db
        with self._lock:
            self._reader_conns.append(db)

    async def read(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        """Run fn(db) on a reader thread, inside one read transaction (a consistent snapshot)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, self._read, fn)

    def _read(self, fn: Callable[[sqlite_utils.Database], T]) -> T:
        db: sqlite_utils.Database = self._local.db
        db.conn.execute("BEGIN")
        try:
            return fn(db)
        finally:
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
