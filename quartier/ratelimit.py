"""Token buckets shared by every server process, keyed by whatever identifies the caller.

With `serve --workers N` a phone's requests land on any of N processes: a limit kept
in one process's memory would let it post N times as much. The buckets live in a small
SQLite file beside the database (`<db>-limits`), one UPSERT per hit: a few microseconds
in WAL mode with synchronous=OFF. Limits are not data: losing the file on a power cut
costs nothing (the buckets start full again), so nothing here waits on the disk.
"""

from __future__ import annotations

import math
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from quartier.errors import Problem
from quartier.files import private_file
from quartier.i18n import N_

# A limit: (bucket key, per minute, burst).
Limit = tuple[str, float, int]

# Every this many hits, the buckets that have refilled are forgotten: they hold nothing.
SWEEP_EVERY = 1000

_HIT = """
INSERT INTO buckets (key, tokens, updated, rate, burst) VALUES (:key, :burst - 1, :now, :rate, :burst)
ON CONFLICT (key) DO UPDATE SET
    tokens = min(:burst, tokens + (:now - updated) * :rate) - 1,
    updated = :now, rate = :rate, burst = :burst
RETURNING tokens
"""


def limits_path(database: Path) -> Path:
    """Where the buckets of the database's server processes are kept."""
    return database.with_name(database.name + "-limits")


class RateLimiter:
    """`hit(key, rate, burst)` spends one token; it returns the seconds to wait when there is none.

    A refused hit spends nothing: the bucket goes below zero only for the UPSERT's moment,
    inside its own transaction, and is put back before the commit.
    """

    def __init__(self, path: Path):
        self.path = path
        self._conn: sqlite3.Connection | None = None  # opened at the first hit
        self._lock = threading.Lock()
        self._hits = 0

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
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
            self._conn = conn
        return self._conn

    def hit(self, key: str, *, per_minute: float, burst: int, now: float | None = None) -> int | None:
        now = time.time() if now is None else now  # the wall clock: every process reads the same one
        rate = per_minute / 60.0
        with self._lock:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                tokens = conn.execute(_HIT, {"key": key, "burst": burst, "now": now, "rate": rate}).fetchone()[0]
                if tokens < 0:  # none left: give back the one just taken
                    conn.execute("UPDATE buckets SET tokens = tokens + 1 WHERE key = ?", (key,))
                if self._hits % SWEEP_EVERY == SWEEP_EVERY - 1:
                    conn.execute("DELETE FROM buckets WHERE tokens + (? - updated) * rate >= burst", (now,))
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            self._hits += 1
        if tokens >= 0:
            return None
        return max(1, math.ceil(-tokens / rate))

    def enforce(
        self, limits: Iterable[Limit], message: str = N_("Trop de demandes : réessayez dans un instant.")
    ) -> None:
        """Spend a token in each bucket; the first empty one ends the request with a 429.

        The answer carries Retry-After and `message` (a msgid that may use {seconds}).
        """
        for key, per_minute, burst in limits:
            wait = self.hit(key, per_minute=per_minute, burst=burst)
            if wait:
                raise Problem(429, "rate_limited", message, headers={"Retry-After": str(wait)}, seconds=wait)

    def reset(self, key: str) -> None:
        with self._lock:
            self._connection().execute("DELETE FROM buckets WHERE key = ?", (key,))

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
