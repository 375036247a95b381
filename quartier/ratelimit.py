"""Token buckets shared by every server process, keyed by whatever identifies the caller.

With `serve --workers N` a phone's requests land on any of N processes: a limit kept
in one process's memory would let it post N times as much. The buckets live in a small
SQLite file beside the database (`<db>-limits`), one UPSERT per hit: a few microseconds
in WAL mode with synchronous=OFF. Limits are not data: losing the file on a power cut
costs nothing (the buckets start full again), so nothing here waits on the disk.

On PostgreSQL the buckets are an UNLOGGED table of the database (the same reasoning:
nothing waits on its log), shared by every host; a hit is then a round trip to another host,
and a connect after a restart: it runs on the limiter's own thread, so that a slow or
unreachable database server never stalls the event loop (the SQLite file is hit in place:
a thread hop would cost more than the hit).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import sqlite3
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from quartier.errors import Problem
from quartier.files import private_file
from quartier.i18n import N_
from quartier.sqlite import BUSY_TIMEOUT

# A limit: (bucket key, per minute, burst).
Limit = tuple[str, float, int]

# Every this many hits, the buckets that have refilled are forgotten: they hold nothing.
SWEEP_EVERY = 1000

_HIT = """
INSERT INTO buckets (key, tokens, updated, rate, burst) VALUES (:key, :burst - 1, :now, :rate, :burst)
ON CONFLICT (key) DO UPDATE SET
    tokens = min(:burst, buckets.tokens + (:now - buckets.updated) * :rate) - 1,
    updated = :now, rate = :rate, burst = :burst
RETURNING tokens
"""


def limits_path(database: Path) -> Path:
    """Where the buckets of the database's server processes are kept."""
    return database.with_name(database.name + "-limits")


class RateLimiter:
    """`hit(key, rate, burst)` spends one token; it returns the seconds to wait when there is none.

    A refused request spends nothing: its buckets go below zero only inside its transaction,
    which is rolled back. All the limits of one request cost one transaction.
    """

    def __init__(self, path: Path | str):
        self.path = path  # the limits file, or the PostgreSQL database's URL
        self._conn: Any = None  # opened at the first hit: an sqlite3 or quartier.postgres Connection
        self._lock = threading.Lock()
        self._hits = 0
        self._thread: ThreadPoolExecutor | None = None  # PostgreSQL's hits: started at the first one

    def _connection(self) -> Any:
        if self._conn is None and isinstance(self.path, str):
            from quartier import postgres

            pg = postgres.Connection(self.path)
            try:
                pg.execute(f"SET lock_timeout = '{int(BUSY_TIMEOUT * 1000)}ms'")  # then a 503, as the store's
                pg.execute("BEGIN")
                pg.execute("SELECT pg_advisory_xact_lock(?)", (postgres.MIGRATIONS_LOCK,))  # two hosts starting
                pg.execute(
                    "CREATE UNLOGGED TABLE IF NOT EXISTS buckets (key TEXT PRIMARY KEY,"
                    " tokens DOUBLE PRECISION NOT NULL, updated DOUBLE PRECISION NOT NULL,"
                    " rate DOUBLE PRECISION NOT NULL, burst INTEGER NOT NULL)"
                )
                pg.execute("COMMIT")
            except BaseException:
                pg.close()
                raise
            self._begin = "BEGIN"
            self._conn = pg
        if self._conn is None:
            assert isinstance(self.path, Path)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            private_file(self.path)
            conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False, timeout=10)
            conn.execute("PRAGMA busy_timeout = 10000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS buckets (key TEXT PRIMARY KEY, tokens REAL NOT NULL, updated REAL NOT NULL,"
                " rate REAL NOT NULL, burst INTEGER NOT NULL)"
            )
            self._begin = "BEGIN IMMEDIATE"
            self._conn = conn
        return self._conn

    async def hit(self, key: str, *, per_minute: float, burst: int) -> int | None:
        """Spend a token of one bucket; the seconds to wait when it has none."""
        return await self._spend([(key, per_minute, burst)])

    async def _spend(self, limits: Iterable[Limit]) -> int | None:
        if isinstance(self.path, Path):
            return self.hit_all(limits)
        if self._thread is None:
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="limits")
        return await asyncio.get_running_loop().run_in_executor(self._thread, self.hit_all, list(limits))

    def hit_all(self, limits: Iterable[Limit], now: float | None = None) -> int | None:
        """Spend a token in every bucket, in one transaction; if one is empty, spend none and
        return the seconds until it has one again."""
        now = time.time() if now is None else now  # the wall clock: every process reads the same one
        with self._lock:
            conn = self._connection()
            if getattr(conn, "broken", False):  # PostgreSQL was restarted: connect again
                self._conn = None
                with contextlib.suppress(Exception):
                    conn.close()
                conn = self._connection()
            conn.execute(self._begin)
            try:
                for key, per_minute, burst in limits:
                    rate = per_minute / 60.0
                    params = {"key": key, "burst": burst, "now": now, "rate": rate}
                    tokens = conn.execute(_HIT, params).fetchone()[0]
                    if tokens < 0:  # none left: this request spends nothing anywhere
                        conn.execute("ROLLBACK")
                        return max(1, math.ceil(-tokens / rate))
                if self._hits % SWEEP_EVERY == SWEEP_EVERY - 1:
                    conn.execute("DELETE FROM buckets WHERE tokens + (? - updated) * rate >= burst", (now,))
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            finally:
                self._hits += 1
        return None

    async def enforce(
        self, limits: Iterable[Limit], message: str = N_("Trop de demandes : réessayez dans un instant.")
    ) -> None:
        """Spend a token in each bucket; an empty one ends the request with a 429 (and spends nothing).

        The answer carries Retry-After and `message` (a msgid that may use {seconds}).
        """
        wait = await self._spend(limits)
        if wait:
            raise Problem(429, "rate_limited", message, headers={"Retry-After": str(wait)}, seconds=wait)

    def reset(self, key: str) -> None:
        with self._lock:
            self._connection().execute("DELETE FROM buckets WHERE key = ?", (key,))

    def close(self) -> None:
        if self._thread is not None:
            self._thread.shutdown(wait=True)
            self._thread = None
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
