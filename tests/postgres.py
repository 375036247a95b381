"""A throwaway PostgreSQL for the suite: Debian's server binaries, a temp folder, loopback only.

`PostgresServer.start()` runs initdb and the server (as the `postgres` user when we are root,
since PostgreSQL refuses to run as root), on a free port of 127.0.0.1 with its unix socket in
the same folder, so it never meets a packaged cluster (/var/run/postgresql, port 5432).
Durability is off (fsync, synchronous_commit, full_page_writes): the cluster dies with the run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from itertools import count
from pathlib import Path
from typing import Any

import psycopg

PG_ROOT = Path("/usr/lib/postgresql")
START_SECONDS = 30
# Superuser `postgres` without password on loopback; C collation: text sorts by bytes, as in SQLite.
INITDB = ["-A", "trust", "-U", "postgres", "--encoding=UTF8", "--locale=C", "--no-sync"]
# A throwaway cluster: durability off for speed; room for many pools of app workers.
SPEED = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"


class PostgresMissing(RuntimeError):
    """No PostgreSQL server binaries: the message says which package brings them."""


def server_bin() -> Path:
    """The bin folder of the highest PostgreSQL version installed from Debian's packages."""
    versions = sorted(
        (int(p.parent.parent.name), p.parent) for p in PG_ROOT.glob("*/bin/initdb") if p.parent.parent.name.isdigit()
    )
    if not versions:
        raise PostgresMissing(
            f"PostgreSQL's server is not installed (no {PG_ROOT}/<version>/bin/initdb): "
            "install Debian's package `postgresql` (apt-get install --no-install-recommends postgresql); "
            ".ci/run does."
        )
    return versions[-1][1]


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on now (the server takes it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """One cluster in a temp folder; databases are created and dropped per test."""

    def __init__(self) -> None:
        self.bin = server_bin()
        self.folder = Path(tempfile.mkdtemp(prefix="quartier-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "postgres.log"
        self.port = 0
        self._names = count(1)
        # PostgreSQL will not run as root: as root, its programs run as the `postgres` user.
        self._as: list[str] = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as:
            shutil.chown(self.folder, "postgres", "postgres")

    @classmethod
    def start(cls) -> PostgresServer:
        """initdb, then start the server and wait until it accepts connections."""
        server = cls()
        try:
            server._check(server._run("initdb", "-D", str(server.data), *INITDB))
            server._launch()
        except BaseException:
            server.stop()
            raise
        return server

    def url(self, dbname: str = "postgres") -> str:
        """The URL the app is given in Settings.database."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres") -> psycopg.Connection:
        """An autocommit connection, for admin statements and for tests that look inside."""
        return psycopg.connect(self.url(dbname), autocommit=True, connect_timeout=5)

    def create_database(self) -> str:
        """A fresh, empty database; its name is unique in this process."""
        name = f"t_{os.getpid()}_{next(self._names)}"
        with self.connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def empty(self, name: str, rows: dict[str, list[tuple[Any, ...]]]) -> None:
        """Make a used database as new: its other connections ended, every row of every table
        deleted, then `rows` (what the migrations insert) put back. About 5 ms, where a new
        copy of a migrated database costs 0.25 s (a file per table and index)."""
        with self.connect(name) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
            with conn.transaction():
                conn.execute("SET LOCAL session_replication_role = replica")  # no foreign keys, no triggers
                for table in tables:
                    conn.execute(f'DELETE FROM "{table}"')
                for table, kept in rows.items():
                    marks = ", ".join(["%s"] * len(kept[0]))
                    conn.cursor().executemany(f'INSERT INTO "{table}" VALUES ({marks})', kept)

    def rows(self, name: str) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table that has some (to give `empty` what to put back)."""
        with self.connect(name) as conn:
            tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
            found = {t: conn.execute(f'SELECT * FROM "{t}"').fetchall() for t in tables}
        return {t: rows for t, rows in found.items() if rows}

    def drop_database(self, name: str) -> None:
        """Drop it even if a connection was left open (a test that failed half-way)."""
        with self.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def restart(self) -> None:
        """Stop (fast: clients are disconnected) and start again, same folder, same port."""
        self._check(self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "fast", "-w"))
        self._launch(port=self.port)

    def stop(self) -> None:
        """Stop at once (nothing to keep) and remove the folder."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        command = [*self._as, str(self.bin / program), *args]
        return subprocess.run(command, cwd=self.folder, capture_output=True, text=True, check=False)

    def _check(self, done: subprocess.CompletedProcess[str]) -> None:
        if done.returncode != 0:
            program = Path(done.args[len(self._as)]).name
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")

    def _launch(self, port: int = 0) -> None:
        """Start the server on `port` (a free one if 0: another one if it was taken meanwhile)."""
        for _attempt in range(5):
            self.port = port or free_port()
            options = f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.folder} {SPEED}"
            log = ["-l", str(self.log), "-o", options]
            if self._run("pg_ctl", "start", "-w", "-t", str(START_SECONDS), "-D", str(self.data), *log).returncode == 0:
                self._wait_ready()
                return
            if port or "Address already in use" not in self._log_tail():
                break
        raise RuntimeError(f"PostgreSQL did not start on port {self.port}:\n{self._log_tail()}")

    def _wait_ready(self) -> None:
        """pg_ctl saw the server ready; this checks that it answers on TCP, as the app will connect."""
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                with self.connect():
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _log_tail(self) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])
        except OSError:
            return "(no log)"
