"""The storage layer: one writer, atomic writes, grouped commits, readers off the loop."""

import asyncio
import sqlite3

import pytest

from quartier.db import Database


@pytest.fixture
async def db(tmp_path):
    database = Database(tmp_path / "t.db")
    await database.open()
    await database.write(lambda tx: tx.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
    yield database
    await database.close()


async def test_write_then_read(db):
    await db.write(lambda tx: tx.execute("INSERT INTO items (name) VALUES ('a')"))
    assert await db.fetchall("SELECT name FROM items") == [{"name": "a"}]


async def test_a_failing_write_leaves_nothing_behind(db):
    def half(tx):
        tx.execute("INSERT INTO items (name) VALUES ('first half')")
        tx.db["items"].insert({"name": "via sqlite-utils"})
        raise ValueError("boom")

    with pytest.raises(ValueError):
        await db.write(half)
    assert await db.fetchall("SELECT * FROM items") == []


async def test_concurrent_writes_are_grouped_and_fail_alone(db):
    def insert(name):
        return lambda tx: tx.execute("INSERT INTO items (name) VALUES (?) RETURNING id", (name,)).fetchone()[0]

    # The duplicate fails on the UNIQUE constraint; the others in its batch commit.
    results = await asyncio.gather(
        *[db.write(insert(f"n{i}")) for i in range(50)], db.write(insert("n3")), return_exceptions=True
    )
    assert sum(isinstance(r, sqlite3.IntegrityError) for r in results) == 1
    assert len({r for r in results if isinstance(r, int)}) == 50
    assert (await db.fetchone("SELECT count(*) AS n FROM items"))["n"] == 50


async def test_changes_are_recorded_in_the_same_transaction(db):
    def post(tx):
        tx.execute("INSERT INTO items (name) VALUES ('x')")
        tx.change("board:1", "note.posted", {"name": "x"})
        raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        await db.write(post)
    assert await db.fetchall("SELECT * FROM changes") == []
    seq = await db.write(lambda tx: tx.change("board:1", "note.posted", {"name": "y"}))
    assert seq == 1  # the rolled-back change left no gap


async def test_commit_listeners_get_changes_in_order_before_the_write_returns(db):
    seen = []
    db.on_commit(lambda changes: seen.extend(c.seq for c in changes))
    seqs = await asyncio.gather(*[db.write(lambda tx: tx.change("c", "t", {})) for _ in range(20)])
    assert seen == sorted(seqs) == list(range(1, 21))


async def test_reads_do_not_see_uncommitted_writes_and_run_off_the_loop(db):
    started = asyncio.Event()

    def slow_write(tx):
        tx.execute("INSERT INTO items (name) VALUES ('pending')")
        import time

        time.sleep(0.3)

    task = asyncio.create_task(db.write(slow_write))
    await asyncio.sleep(0.05)
    ticks = 0

    async def ticker():
        nonlocal ticks
        started.set()
        while not task.done():
            ticks += 1
            await asyncio.sleep(0.01)

    await asyncio.gather(ticker(), asyncio.sleep(0))
    assert ticks > 10  # the loop kept running while the writer slept
    assert (await db.fetchone("SELECT count(*) AS n FROM items"))["n"] == 1


async def test_a_writer_that_cannot_open_fails_instead_of_hanging(tmp_path):
    (tmp_path / "dir.db").mkdir()
    database = Database(tmp_path / "dir.db")
    with pytest.raises(sqlite3.Error):
        await asyncio.wait_for(database.open(), timeout=5)
    await database.close()


async def test_wal_mode_and_migrations_are_applied_once(tmp_path):
    from sqlite_utils import Migrations

    m = Migrations("test")
    calls = []

    @m(name="0001")
    def first(db):
        calls.append(1)
        db.execute("CREATE TABLE t (x)")

    for _ in range(2):
        database = Database(tmp_path / "m.db")
        await database.open([m])
        mode = (await database.fetchone("PRAGMA journal_mode"))["journal_mode"]
        await database.close()
    assert mode == "wal" and calls == [1]
