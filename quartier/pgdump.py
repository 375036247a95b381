"""`quartier backup` and `quartier restore` on PostgreSQL: pg_dump and pg_restore, with the
checks and the change-log move that SQLite's backup and restore (quartier.files) make.

The password never reaches a command line (`ps` shows those to every user of the host): the
programs get the URL without it, as a conninfo string, and the password in `PGPASSWORD`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from quartier import channels
from quartier.files import SEQ_JUMP, RestoreError, private_file
from quartier.i18n import N_
from quartier.postgres import WRITERS_LOCK

PG_ROOT = Path("/usr/lib/postgresql")
# What makes a dump a Quartier database: the change log and the migrations' record.
QUARTIER_TABLES = {"changes", "_sqlite_migrations"}
# Rebuilt by every server at start (quartier.ratelimit): not data, so not required in a dump.
REBUILT_TABLES = {"buckets"}
# Seconds a session may take to go once its server stopped (`systemctl stop`, then restore).
STOPPING_GRACE = 1.0
_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ")


class PgError(RestoreError):
    """A PostgreSQL backup or restore that cannot be done; nothing was changed."""


def program(name: str) -> str:
    """pg_dump or pg_restore: on PATH first, else the newest of Debian's server installs."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(
        (int(p.parent.parent.name), p) for p in PG_ROOT.glob(f"*/bin/{name}") if p.parent.parent.name.isdigit()
    )
    if not versions:
        raise PgError(
            N_("{program} est introuvable : installez le paquet Debian postgresql-client"),
            program=name,
        )
    return str(versions[-1][1])


def described(url: str) -> str:
    """The database as messages name it: `name@host`, never the password."""
    parts = conninfo_to_dict(url)
    return f"{parts.get('dbname', '')}@{parts.get('host', 'localhost')}"


def _run(name: str, args: list[str], url: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL program; with `url`, connected to it (its password in the environment)."""
    env = dict(os.environ)
    command = [program(name), *args]
    if url is not None:
        parts = conninfo_to_dict(url)
        password = parts.pop("password", None)
        if password is not None:
            env["PGPASSWORD"] = str(password)
        command.append("--dbname=" + make_conninfo("", **parts))
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)


def _error(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    return (lines[0] if lines else f"exit {done.returncode}")[:200]


def tables_in(dump: Path, shown: Path) -> set[str]:
    """The tables a dump holds, read by `pg_restore --list`: refuses what it cannot read."""
    if not dump.is_file():
        raise PgError(N_("impossible de lire {file}"), file=str(shown))
    done = _run("pg_restore", ["--list", str(dump)])
    if done.returncode != 0:
        raise PgError(N_("{file} n'est pas une copie de pg_dump lisible (format custom)"), file=str(shown))
    return {m.group(1) for line in done.stdout.splitlines() if (m := _TABLE.match(line))}


def backup(url: str, target: Path) -> int:
    """pg_dump the database into `target` (0600: it holds password hashes); returns its tables.

    The dump is written beside the target and renamed into place only once pg_dump succeeded
    and pg_restore can read it back, so a failed backup never replaces a good one.
    """
    tmp = target.with_name(target.name + ".partial")
    try:
        tmp.unlink(missing_ok=True)
        private_file(tmp)
        done = _run("pg_dump", ["--format=custom", "--file", str(tmp)], url)
        if done.returncode != 0:
            raise PgError(N_("pg_dump a échoué : {error}"), error=_error(done))
        tables = tables_in(tmp, target)
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return len(tables)


def _connect(url: str) -> psycopg.Connection:
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.Error as e:
        error = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise PgError(N_("impossible de joindre la base {db} : {error}"), db=described(url), error=error) from None


def _tables(conn: psycopg.Connection) -> set[str]:
    rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").fetchall()
    return {row[0] for row in rows}


def _sessions(conn: psycopg.Connection) -> int:
    """Other clients' sessions on this database (autovacuum's workers are not clients)."""
    row = conn.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
    ).fetchone()
    return int(row[0]) if row else 0


def check_unused(conn: psycopg.Connection, url: str, dumped: set[str]) -> int:
    """Refuse while another session uses the database, or when it has tables the dump lacks
    (pg_restore --clean would leave them, and a migration would then meet them); returns the
    newest seq the database has given (0 for an empty one)."""
    deadline = time.monotonic() + STOPPING_GRACE
    while (others := _sessions(conn)) and time.monotonic() < deadline:
        time.sleep(0.1)
    if others:
        raise PgError(
            N_("la base {db} est ouverte par {count} autres connexions : arrêtez les serveurs d'abord"),
            db=described(url),
            count=str(others),
        )
    present = _tables(conn)
    extra = present - dumped - REBUILT_TABLES
    if extra:
        raise PgError(
            N_("la base {db} a des tables que la copie n'a pas ({tables}) : restaurez dans une base vide"),
            db=described(url),
            tables=", ".join(sorted(extra)),
        )
    if "changes" not in present:
        return 0
    row = conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()
    return int(row[0]) if row else 0


def forget_history(conn: psycopg.Connection, after: int) -> int:
    """Clear the restored change log and move seq past `after` + SEQ_JUMP, as SQLite's restore
    does: one marker change holds the new seq (on PostgreSQL the next seq is max(seq) + 1), so a
    page open before the restore, whose `since` is from the replaced database, is told to reset."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITERS_LOCK,))
        row = conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()
        seq = max(after, int(row[0]) if row else 0) + SEQ_JUMP
        conn.execute("DELETE FROM changes")
        conn.execute(
            "INSERT INTO changes (seq, channel, type, data, created) VALUES (%s, %s, 'restored', '{}', %s)",
            (seq, channels.RESTORED, time.time()),
        )
    return seq


def restore(url: str, source: Path, keep: Path) -> tuple[int, Path | None]:
    """Replace the database by the dump `source`, with the servers stopped; returns the new seq
    and where the replaced database was kept (None when it held nothing of Quartier's).

    The dump is checked first (pg_restore reads it, it holds Quartier's tables), then the
    database (no other session, no table the dump would leave behind). What the database holds
    is dumped to `keep` (as SQLite's restore keeps the replaced file: restoring the wrong dump
    can be undone), then pg_restore runs in one transaction, so a dump that fails half-way
    changes nothing. Migrations are the caller's.
    """
    dumped = tables_in(source, source)
    if not QUARTIER_TABLES <= dumped:
        raise PgError(N_("{file} n'est pas une base de Quartier"), file=str(source))
    with _connect(url) as conn:
        seen = check_unused(conn, url, dumped)
        kept = None
        if _tables(conn) & QUARTIER_TABLES:
            backup(url, keep)
            kept = keep
        done = _run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--single-transaction", str(source)], url)
        if done.returncode != 0:
            if kept is not None:
                kept.unlink()  # nothing changed: the database is still its own copy
            raise PgError(N_("pg_restore a échoué, rien n'a changé : {error}"), error=_error(done))
        return forget_history(conn, seen), kept
