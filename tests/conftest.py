"""Fixtures over the real app factory and a temporary database.

- `settings`: Settings for a fresh database in tmp_path (QUARTIER_TEST_STORE=postgresql, as
  `make test-postgres` sets: a database of the `postgres` server with the schema, emptied after each test).
- `postgres`: this process's throwaway PostgreSQL (tests/postgres.py), started when first needed.
- `client`: an aiohttp TestClient over create_app(settings) (a resident's browser: it keeps cookies).
- `make_client()`: another independent client (another device) on the same server.
- `organizer` / `facilitator`: clients logged in as staff; `bearer`: Authorization headers for an API token.
- `form(client, url, data)`: POST a form the way a browser does, with the CSRF token of its page.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from quartier import auth
from quartier.app import create_app
from quartier.db import dialect_of
from quartier.settings import Settings
from quartier.typedefs import DB, SETTINGS
from quartier.web import DEVICE_COOKIE, STAFF_COOKIE

if TYPE_CHECKING:
    from tests.postgres import PostgresServer

PASSWORD = "correct horse battery staple"

# The store the suite runs on: unset (SQLite, `make test`) or "postgresql" (`make test-postgres`).
STORE = os.environ.get("QUARTIER_TEST_STORE", "sqlite") or "sqlite"


def pytest_configure(config: pytest.Config) -> None:
    if STORE not in ("sqlite", "postgresql"):
        raise pytest.UsageError(f"QUARTIER_TEST_STORE={STORE!r}: expected postgresql, or unset for SQLite")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, run what reaches the store the `settings` fixture names; the rest (pure
    functions, the CLI over its own SQLite folder, the PostgreSQL tests that start their own
    databases) ran the same way in `make test` (pytest reports them as deselected)."""
    if STORE != "postgresql":
        return
    elsewhere = [item for item in items if "settings" not in getattr(item, "fixturenames", ())]
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        kept = set(map(id, items)) - set(map(id, elsewhere))
        items[:] = [item for item in items if id(item) in kept]


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL per pytest process (per xdist worker), only if a test needs it."""
    # Imported here: psycopg is needed only by the runs and tests that use PostgreSQL.
    from tests.postgres import PostgresMissing, PostgresServer

    try:
        server = PostgresServer.start()
    except PostgresMissing as e:
        missing = str(e)
    else:
        missing = ""
    if missing:
        pytest.fail(missing, pytrace=False)  # outside the except: one message, no chained traceback
    yield server
    server.stop()


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Settings]:
    if STORE == "sqlite":
        yield settings_for(tmp_path, "quartier.db")
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    name, rows = migrated_database(server)
    yield settings_for(tmp_path, server.url(name))
    try:
        server.empty(name, rows)
    except Exception:  # a test left it unusable: the next one gets a new database
        del _migrated[id(server)]
        server.drop_database(name)
        raise
    # An app that took the URL for a file name ran on SQLite under tmp_path/postgresql:/…: not a pass.
    if (tmp_path / "postgresql:").exists():
        pytest.fail(f"the app opened {server.url(name)} as a SQLite file under {tmp_path}", pytrace=False)


# This process's migrated database (on its PostgreSQL), and the rows the migrations put in it.
_migrated: dict[int, tuple[str, dict[str, list[tuple[Any, ...]]]]] = {}


def migrated_database(server: PostgresServer) -> tuple[str, dict[str, list[tuple[Any, ...]]]]:
    """A database with today's schema, made once per process and emptied after each test (see
    PostgresServer.empty): the suite would spend 0.6 s a test migrating a new one."""
    if id(server) not in _migrated:
        from quartier import features, pgschema, postgres
        from quartier.schema import core_migrations

        name = server.create_database()
        handle = postgres.Handle(server.url(name))
        pgschema.create_schema(handle, [core_migrations, *features.migration_sets(features.load())])
        handle.conn.close()
        _migrated[id(server)] = name, server.rows(name)
    return _migrated[id(server)]


def settings_for(config_dir: Path, database: str) -> Settings:
    return Settings(
        database=database,
        config_dir=config_dir,
        secret_key="test-secret-key",
        base_url="http://quartier.test",
    )


@pytest.fixture
def app(settings: Settings) -> web.Application:
    return create_app(settings)


@pytest.fixture
async def server(app: web.Application) -> AsyncIterator[TestServer]:
    server = TestServer(app)
    await server.start_server()
    yield server
    await server.close()


@pytest.fixture
async def make_client(server: TestServer) -> AsyncIterator[Callable[[], Awaitable[TestClient]]]:
    clients: list[TestClient] = []

    async def make() -> TestClient:
        client = TestClient(server)
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


@pytest.fixture
async def client(make_client: Callable[[], Awaitable[TestClient]]) -> TestClient:
    return await make_client()


async def create_user(app: web.Application, name: str, role: str) -> None:
    await auth.add_user(app[DB], name, role, PASSWORD)


async def login(client: TestClient, name: str) -> TestClient:
    response = await form(client, "/login", {"name": name, "password": PASSWORD}, allow_redirects=False)
    assert response.status == 303, await response.text()
    return client


@pytest.fixture
async def organizer(make_client: Callable[[], Awaitable[TestClient]], server: TestServer) -> TestClient:
    await create_user(server.app, "orga", "organizer")
    return await login(await make_client(), "orga")


@pytest.fixture
async def facilitator(make_client: Callable[[], Awaitable[TestClient]], server: TestServer) -> TestClient:
    await create_user(server.app, "anim", "facilitator")
    return await login(await make_client(), "anim")


@pytest.fixture
async def bearer(server: TestServer) -> dict[str, str]:
    await create_user(server.app, "script", "organizer")
    token = await auth.create_api_token(server.app[DB], "script")
    return {"Authorization": f"Bearer {token}"}


def csrf_for(client: TestClient) -> str:
    """The CSRF token a page would have given this client (its staff session, else its device)."""
    cookies = {c.key: c.value for c in client.session.cookie_jar}
    app = client.server.app
    assert app is not None
    if STAFF_COOKIE in cookies:
        # The holder is the session cookie itself, as the identity middleware sees it.
        holder = f"s:{cookies[STAFF_COOKIE]}"
    else:
        holder = f"d:{cookies.get(DEVICE_COOKIE, '')}"
    return auth.csrf_token(app[SETTINGS].secret_key, holder)


async def form(client: TestClient, url: str, data: dict[str, Any], **kw: Any) -> Any:
    """POST a form as a browser would: first visit a page (device cookie), then send the token."""
    if not any(c.key == DEVICE_COOKIE for c in client.session.cookie_jar):
        await client.get("/healthz")
    return await client.post(url, data={**data, "csrf_token": csrf_for(client)}, **kw)


def text_of(html: str) -> str:
    """Visible text of a page, roughly: tags removed, whitespace folded."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def table_names(db: Any) -> list[str]:
    """The tables of the store a `fn(db)` was given (SQLite's catalogue or PostgreSQL's)."""
    if dialect_of(db) == "postgresql":
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' ORDER BY name"
    return [r[0] for r in db.execute(sql).fetchall()]


def table_columns(db: Any, table: str) -> list[dict[str, str]]:
    """A table's columns in order, each {"name", "type"}, the type as the migrations declared it."""
    if dialect_of(db) == "postgresql":
        rows = db.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
            (table,),
        ).fetchall()
        declared = {"text": "TEXT", "bigint": "INTEGER", "double precision": "REAL", "bytea": "BLOB"}
        return [{"name": r[0], "type": declared.get(r[1], r[1].upper())} for r in rows]
    return [{"name": r[1], "type": r[2].upper()} for r in db.execute(f'PRAGMA table_info("{table}")').fetchall()]
