"""Acknowledged writes per second through quartier.db's Database, on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.store_writes [--writes 2000] [--postgres URL]

Each write is what posting a note costs the store: one transaction with a row and its change
on the log. Two shapes: one write at a time (a quiet board: the latency of a write), and 50
writers at once (a forum's rush: what the group commit gathers). SQLite, the embedded default,
is the baseline, measured in the same run; PostgreSQL is a throwaway cluster of Debian's
server on loopback (tests/postgres.py) unless --postgres names a database to use (its tables
are created; use an empty database). On loopback a round trip costs tens of microseconds;
on another host, a good part of a millisecond: what the write path saves in round trips
matters more there.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from quartier.db import Database, Tx

CONCURRENT = 50


def write(tx: Tx, n: int) -> None:
    tx.execute("INSERT INTO users (name, role, password_hash, created) VALUES (?, 'organizer', '', 0)", (f"u{n}",))
    tx.change("bench:writes", "user.added", {"n": n})


async def measure(location: str | Path, writes: int) -> tuple[float, float]:
    """(writes per second one at a time, writes per second with CONCURRENT writers)."""
    db = Database(location)
    await db.open()  # the core's tables: users, changes
    try:
        started = time.perf_counter()
        for n in range(writes):
            await db.write(lambda tx, n=n: write(tx, n))
        one = writes / (time.perf_counter() - started)
        started = time.perf_counter()
        for base in range(writes, 2 * writes, CONCURRENT):
            await asyncio.gather(*(db.write(lambda tx, n=n: write(tx, n)) for n in range(base, base + CONCURRENT)))
        many = writes / (time.perf_counter() - started)
    finally:
        await db.close()
    return one, many


@contextlib.contextmanager
def postgres_url(given: str | None) -> Iterator[str]:
    if given:
        yield given
        return
    from tests.postgres import PostgresServer

    server = PostgresServer.start()
    try:
        yield server.url(server.create_database())
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--postgres", help="a PostgreSQL database's URL (default: a throwaway cluster)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        sqlite = asyncio.run(measure(Path(folder) / "bench.db", args.writes))
    with postgres_url(args.postgres) as url:
        postgresql = asyncio.run(measure(url, args.writes))
    print(f"{'writes/s':<22}{'SQLite':>10}{'PostgreSQL':>12}{'ratio':>8}")
    for label, a, b in (
        ("one at a time", sqlite[0], postgresql[0]),
        (f"{CONCURRENT} at once", sqlite[1], postgresql[1]),
    ):
        print(f"{label:<22}{a:>10.0f}{b:>12.0f}{b / a:>8.2f}")


if __name__ == "__main__":
    main()
