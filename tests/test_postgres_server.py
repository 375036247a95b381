"""What tests/postgres.py promises the suite: loopback only, databases apart, drop, restart in place."""

from __future__ import annotations

import socket
from pathlib import Path

import psycopg
import pytest

from quartier.settings import Settings
from tests import postgres as harness
from tests.conftest import STORE
from tests.postgres import PostgresServer


def test_it_answers_on_127_0_0_1_only(postgres: PostgresServer) -> None:
    with socket.create_connection(("127.0.0.1", postgres.port), timeout=2):
        pass
    # The rest of the loopback range and IPv6's: nobody listens there (nor on any other address).
    for host in ("127.0.0.2", "::1"):
        with pytest.raises(OSError):
            socket.create_connection((host, postgres.port), timeout=2).close()
    with postgres.connect() as conn:
        assert conn.execute("SHOW listen_addresses").fetchone() == ("127.0.0.1",)


def test_fresh_databases_are_apart_and_drop_removes_them(postgres: PostgresServer) -> None:
    first, second = postgres.create_database(), postgres.create_database()
    assert first != second
    with psycopg.connect(postgres.url(first), autocommit=True) as conn:
        conn.execute("CREATE TABLE t (x int)")
    with psycopg.connect(postgres.url(second), autocommit=True) as conn:
        assert conn.execute("SELECT to_regclass('t')").fetchone() == (None,)
        postgres.drop_database(second)  # even with this connection open: WITH (FORCE)
    postgres.drop_database(first)
    with postgres.connect() as conn:
        names = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
    assert first not in names and second not in names


def test_restart_keeps_the_data_and_the_url(postgres: PostgresServer) -> None:
    name = postgres.create_database()
    url = postgres.url(name)
    before = psycopg.connect(url, autocommit=True)
    before.execute("CREATE TABLE t (x int)")
    before.execute("INSERT INTO t VALUES (7)")
    postgres.restart()
    # A client connected across the restart loses its connection, as the app's pool will.
    with pytest.raises(psycopg.OperationalError):
        before.execute("SELECT 1")
    before.close()
    assert postgres.url(name) == url
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT x FROM t").fetchall() == [(7,)]
    postgres.drop_database(name)


def test_text_sorts_by_bytes_as_in_sqlite(postgres: PostgresServer) -> None:
    with postgres.connect() as conn:
        rows = conn.execute("SELECT w FROM (VALUES ('b'), ('B'), ('é'), ('e')) AS v(w) ORDER BY w").fetchall()
    assert [w for (w,) in rows] == ["B", "b", "e", "é"]


def test_the_settings_fixture_points_at_the_store_under_test(settings: Settings, postgres: PostgresServer) -> None:
    if STORE == "sqlite":
        assert settings.database == "quartier.db"
        return
    assert settings.database.startswith(postgres.url(""))
    with psycopg.connect(settings.database, autocommit=True) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == (settings.database.rsplit("/", 1)[1],)


def test_a_missing_postgresql_names_the_debian_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(harness, "PG_ROOT", tmp_path)
    with pytest.raises(harness.PostgresMissing, match="package `postgresql`"):
        harness.server_bin()
