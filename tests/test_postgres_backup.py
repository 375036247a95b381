"""Backup and restore of a deployment on PostgreSQL (docs/deploy.md, "Several hosts"), on the
suite's throwaway cluster: `quartier backup` (pg_dump) while a server runs, `quartier restore`
(pg_restore) once it is stopped. What was backed up is back, what came later is gone, and a page
open before the restore is told to reset, as with SQLite (tests/test_deploy.py). A restore
refuses a file that is not a Quartier dump, and a database another session uses, changing nothing.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
from pathlib import Path

import aiohttp
import pytest

from quartier import pgdump
from quartier.files import SEQ_JUMP

from .test_crash_resilience import create_board
from .test_deploy import check_restored, post_note
from .test_postgres_hosts import host, organizer
from .test_server_process import Server, quartier


def stop(server: Server) -> None:
    """SIGTERM, as `systemctl stop` sends: the server closes its connections and exits."""
    os.killpg(server.proc.pid, signal.SIGTERM)
    server.proc.wait(timeout=20)


def state(postgres, name: str) -> tuple:
    """What a refused restore must leave as it was: the notes, the accounts, the change log."""
    with postgres.connect(name) as conn:
        notes = sorted(r[0] for r in conn.execute("SELECT text FROM forum_notes"))
        users = sorted(r[0] for r in conn.execute("SELECT name FROM users"))
        seqs = conn.execute("SELECT count(*), max(seq) FROM changes").fetchone()
    return notes, users, seqs


def one_line_refusal(result, says: str) -> None:
    assert result.returncode == 2 and says in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


async def test_a_dump_taken_while_serving_is_restored_and_open_pages_reset(tmp_path, postgres):
    name = postgres.create_database()
    host(tmp_path, postgres.url(name))
    auth = organizer(tmp_path)
    server = Server(tmp_path).start()
    try:
        board = await create_board(server, auth)
        async with aiohttp.ClientSession() as s:
            async with s.get(server.url("/healthz")):
                pass  # the resident's device cookie
            await post_note(s, server, board, "Avant la copie : un atelier CAF le mardi")
            backup = await asyncio.to_thread(quartier, "backup", "nightly.dump", cwd=tmp_path)
            assert backup.returncode == 0 and backup.stdout.count("\n") == 1, backup.stderr
            await post_note(s, server, board, "Après la copie : plus de bancs devant l'ESC")
        assert (tmp_path / "nightly.dump").stat().st_mode & 0o777 == 0o600
        assert not (tmp_path / "nightly.dump.partial").exists()

        # While the server is connected, restore refuses and changes nothing.
        before = state(postgres, name)
        refused = await asyncio.to_thread(quartier, "restore", "nightly.dump", cwd=tmp_path)
        one_line_refusal(refused, "arrêtez les serveurs d'abord")
        assert state(postgres, name) == before and len(before[0]) == 2
    finally:
        stop(server)
    old_seq = before[2][1]

    restored = quartier("restore", "nightly.dump", cwd=tmp_path)
    assert restored.returncode == 0 and restored.stdout.count("\n") == 2, restored.stderr
    with postgres.connect(name) as conn:  # the history cleared, seq moved on as SQLite's restore does
        assert conn.execute("SELECT seq, channel FROM changes").fetchall() == [(old_seq + SEQ_JUMP, "restore")]
    # The replaced database is kept, as SQLite's restore keeps its file: the wrong dump restored
    # is undone by restoring that one.
    (kept,) = tmp_path.glob("before-restore-*.dump")
    assert kept.name in restored.stdout and kept.stat().st_mode & 0o777 == 0o600
    assert sorted(pgdump.tables_in(kept, kept)) == sorted(pgdump.tables_in(tmp_path / "nightly.dump", kept))
    undo = postgres.create_database()
    pgdump.restore(postgres.url(undo), kept, tmp_path / "unused.dump")
    assert state(postgres, undo)[0] == before[0]  # with the note posted after the nightly dump
    assert not (tmp_path / "unused.dump").exists()  # an empty database has nothing to keep

    server = Server(tmp_path).start()
    try:
        await check_restored(server, board, old_seq)
    finally:
        stop(server)

    # A new database server: the dump goes into an empty database (createdb) just as well.
    fresh = postgres.create_database()
    seq, _kept = pgdump.restore(postgres.url(fresh), tmp_path / "nightly.dump", tmp_path / "fresh-kept.dump")
    assert SEQ_JUMP < seq < old_seq + SEQ_JUMP  # moved on from the dump's own newest seq
    assert state(postgres, fresh)[:2] == (["Avant la copie : un atelier CAF le mardi"], ["orga"])


def not_a_dump(folder: Path, postgres) -> Path:
    (folder / "notes.txt").write_text("pas une copie")
    return folder / "notes.txt"


def a_sqlite_file(folder: Path, postgres) -> Path:
    conn = sqlite3.connect(folder / "copy.db")
    conn.execute("CREATE TABLE changes (seq)")
    conn.close()
    return folder / "copy.db"


def another_database(folder: Path, postgres) -> Path:
    other = postgres.create_database()
    with postgres.connect(other) as conn:
        conn.execute("CREATE TABLE t (x int)")
    pgdump.backup(postgres.url(other), folder / "other.dump")
    return folder / "other.dump"


def truncated(folder: Path, postgres) -> Path:
    """Its table of contents whole (pg_restore --list reads it), the end of its data cut off."""
    (folder / "cut.dump").write_bytes((folder / "good.dump").read_bytes()[:-64])
    return folder / "cut.dump"


def later_table(folder: Path, postgres) -> Path:
    """A good dump, but the database has a table it lacks (a later release's): --clean would leave it."""
    with postgres.connect(folder.name) as conn:
        conn.execute("CREATE TABLE later_feature (x int)")
    return folder / "good.dump"


REFUSED = [
    (not_a_dump, "n'est pas une copie de pg_dump lisible"),
    (a_sqlite_file, "n'est pas une copie de pg_dump lisible"),
    (lambda folder, postgres: folder / "absent.dump", "impossible de lire"),
    (another_database, "n'est pas une base de Quartier"),
    (truncated, "pg_restore a échoué, rien n'a changé"),
    (later_table, "later_feature"),
]


def test_restore_refuses_what_is_not_a_whole_quartier_dump_and_changes_nothing(tmp_path, postgres):
    """Through the command once (one line, exit 2), then each case through pgdump.restore."""
    name = postgres.create_database()
    folder = tmp_path / name
    host(folder, postgres.url(name))
    organizer(folder)
    pgdump.backup(postgres.url(name), folder / "good.dump")
    before = state(postgres, name)
    one_line_refusal(quartier("restore", str(not_a_dump(folder, postgres)), cwd=folder), "pg_dump lisible")
    assert state(postgres, name) == before
    for make, says in REFUSED:
        with pytest.raises(pgdump.PgError) as refused:
            pgdump.restore(postgres.url(name), make(folder, postgres), folder / "kept.dump")
        assert says in refused.value.message.format(**refused.value.params), make
        assert state(postgres, name) == before
        assert not (folder / "kept.dump").exists()  # nothing replaced, nothing kept


def test_a_failed_dump_leaves_the_previous_copy(tmp_path, postgres):
    (tmp_path / "nightly.dump").write_bytes(b"yesterday")
    with pytest.raises(pgdump.PgError) as refused:
        pgdump.backup(postgres.url("no_such_database"), tmp_path / "nightly.dump")
    assert refused.value.message.startswith("pg_dump a échoué")
    assert (tmp_path / "nightly.dump").read_bytes() == b"yesterday"
    assert not (tmp_path / "nightly.dump.partial").exists()


def test_the_password_goes_through_the_environment_never_the_command_line(tmp_path, monkeypatch):
    seen = {}

    def run(command, **kwargs):
        seen.update(command=command, env=kwargs["env"])
        raise SystemExit  # nothing to run: the call itself is what is checked

    monkeypatch.setattr(pgdump.subprocess, "run", run)
    with pytest.raises(SystemExit):
        pgdump.backup("postgresql://quartier:s3cr%40t@db.internal/quartier?sslmode=require", tmp_path / "x.dump")
    assert not any("s3cr" in arg for arg in seen["command"])
    assert seen["command"][-1] == "--dbname=user=quartier dbname=quartier host=db.internal sslmode=require"
    assert seen["env"]["PGPASSWORD"] == "s3cr@t"


def test_without_pg_dump_one_line_names_the_package(tmp_path, monkeypatch):
    monkeypatch.setattr(pgdump.shutil, "which", lambda name: None)
    monkeypatch.setattr(pgdump, "PG_ROOT", tmp_path)
    with pytest.raises(pgdump.PgError) as missing:
        pgdump.program("pg_dump")
    assert "postgresql-client" in missing.value.message
