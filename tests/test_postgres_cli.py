"""A PostgreSQL store that cannot be opened is one readable line from every command, never a
traceback: the server unreachable, or a database made without UTF8 (the ICU collation that
compares names without case, and every resident's script, need it)."""

from __future__ import annotations

import re

from .test_postgres_hosts import host
from .test_server_process import quartier


def one_line(result, says: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert says in result.stderr, result.stderr


def test_an_unreachable_database_server_is_one_line_for_serve_and_the_commands(tmp_path, postgres):
    host(tmp_path, postgres.url(postgres.create_database()))
    config = tmp_path / "quartier.yaml"
    config.write_text(
        re.sub(r"(?m)^database: .*$", "database: postgresql://quartier@127.0.0.1:1/quartier", config.read_text())
    )
    one_line(quartier("token", "create", "orga", cwd=tmp_path), "la base de données ne s'ouvre pas")
    served = quartier("serve", "--workers", "1", "--port", "0", cwd=tmp_path)
    one_line(served, "Connection refused")
    assert "écoute" not in served.stdout  # it never listened: it does not say it does


def test_a_database_not_in_utf8_is_refused_before_anything_is_made_and_says_how_to_make_one(tmp_path, postgres):
    name = f"ascii_{tmp_path.name[-12:]}".replace("-", "_").lower()
    with postgres.connect() as conn:
        conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'SQL_ASCII' TEMPLATE template0")
    host(tmp_path, postgres.url(name))  # `init` makes no table
    refused = quartier("token", "create", "orga", cwd=tmp_path)
    one_line(refused, "la base est en SQL_ASCII, pas en UTF8 : créez-la avec createdb --encoding=UTF8")
    with postgres.connect(name) as conn:
        assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (0,)
    postgres.drop_database(name)
