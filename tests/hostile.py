"""Shared by the hostile-input and access tests: a demo-filled server, every route made
concrete with real ids, the credentials each route takes, and a check that an error
answer reads in the user's language.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from html import unescape
from importlib.resources import files
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from babel.messages.pofile import read_po

from forum import store as forum_store
from quartier import auth, features
from quartier.demo import fill
from quartier.typedefs import ACCESS, DB, SETTINGS

from .conftest import PASSWORD, login, table_names


@pytest.fixture
async def server(app: web.Application, settings) -> AsyncIterator[TestServer]:
    """The conftest server, but over the demo's data (sites, sessions, boards, screens, hackathon)."""
    await fill(settings, PASSWORD)
    server = TestServer(app)
    await server.start_server()
    yield server
    await server.close()


@dataclass
class World:
    """Real ids and credentials on the demo server."""

    ids: dict[str, Any]
    bearer: dict[str, str]
    organizer: Any  # a TestClient logged in as the demo organizer
    partner: Any = None  # a TestClient logged in as the demo's partner account (the CAF's)
    keys: dict[int, str] = field(default_factory=dict)  # board id -> facilitator key
    kiosk: dict[int, str] = field(default_factory=dict)  # board id -> voting tablet key
    display_tokens: dict[int, str] = field(default_factory=dict)


async def make_world(server: TestServer, make_client) -> World:
    app = server.app
    db = app[DB]
    token = await auth.create_api_token(db, "demo")
    bearer = {"Authorization": f"Bearer {token}"}
    organizer = await login(await make_client(), "demo")
    partner = await login_as(await make_client(), "caf", PASSWORD + "-caf")

    def read(d):
        from events import queries

        today = dt.datetime.now(app[SETTINGS].tz).date()
        occurrence = next(
            o
            for o in queries.occurrences(d, today - dt.timedelta(days=3), today + dt.timedelta(days=7))
            if o["status"] != "cancelled"
        )
        one = lambda sql: (d.execute(sql).fetchone() or [None])[0]  # noqa: E731
        boards = [dict(r) for r in d.execute("SELECT id, code, link_salt FROM forum_boards ORDER BY id").fetchall()]
        return {
            "session": occurrence["session"],
            "date": str(occurrence["date"]),
            "board": boards[0]["id"],
            "boards": boards,
            "code": boards[0]["code"],
            "note": one(f"SELECT id FROM forum_notes WHERE board_id = {boards[0]['id']} ORDER BY id"),
            "display": one("SELECT id FROM signage_displays ORDER BY id"),
            "announcement": one("SELECT id FROM signage_announcements ORDER BY id"),
            "hackathon": one("SELECT id FROM forum_hackathons ORDER BY id"),
            "team": one("SELECT id FROM forum_teams ORDER BY id"),
            "answer": one("SELECT id FROM feedback_answers ORDER BY id"),
            "asset": one("SELECT name FROM signage_assets ORDER BY name") or "0" * 64 + ".png",
            "round": one("SELECT id FROM forum_rounds ORDER BY id") or 1,
        }

    ids = await db.read(read)
    secret = app[SETTINGS].secret_key
    world = World(ids=ids, bearer=bearer, organizer=organizer, partner=partner)
    for b in ids["boards"]:
        world.keys[b["id"]] = forum_store.facilitator_key(secret, b["id"], b["link_salt"])
        world.kiosk[b["id"]] = forum_store.kiosk_key(secret, b["id"], b["link_salt"])
    # Two screens paired the way real ones are, so a display token exists for each.
    for name in ("Hall A", "Hall B"):
        r = await organizer.post("/api/v1/displays/pair", json={})
        pairing = await r.json()
        r = await organizer.post(
            "/api/v1/displays/claim", headers=bearer, json={"code": pairing["code"], "site": "maurepas", "name": name}
        )
        assert r.status == 201, await r.text()
        r = await organizer.get(f"/api/v1/displays/pair/{pairing['claim']}")
        screen = await r.json()
        world.display_tokens[screen["id"]] = screen["token"]
    return world


async def login_as(client: Any, name: str, password: str) -> Any:
    from .conftest import form

    response = await form(client, "/login", {"name": name, "password": password}, allow_redirects=False)
    assert response.status == 303, await response.text()
    return client


def client_for(world: World, app: web.Application, route: web.AbstractRoute) -> Any:
    """The logged-in client a route takes: the partner account for routes only partner accounts open."""
    roles = app[ACCESS][route.name].roles or frozenset()
    return world.partner if roles == {"partner"} else world.organizer


def template_of(route: web.AbstractRoute) -> str:
    info = route.resource.get_info()
    return info.get("path") or info.get("formatter", "")


def routes_of(app: web.Application, *, unsafe: bool | None = None) -> list[web.AbstractRoute]:
    """Every named route (static files aside), GET or not as asked, destructive ones last."""
    found = []
    for route in app.router.routes():
        if route.method == "HEAD" or route.name not in app[ACCESS]:
            continue
        if unsafe is not None and (route.method != "GET") != unsafe:
            continue
        found.append(route)
    return sorted(found, key=lambda r: any(w in r.name for w in ("delete", "revoke", "logout")))


def concrete(route: web.AbstractRoute, ids: dict[str, Any], **override: Any) -> str:
    """The route's path with every placeholder filled by a real id of the demo."""
    path = template_of(route)

    def fill_one(m: re.Match) -> str:
        name = m.group(1).split(":")[0]
        if name in override:
            return str(override[name])
        if name == "id":
            for part, key in (
                ("/hackathons/teams/", "team"),
                ("/hackathons/", "hackathon"),
                ("/answers/", "answer"),
                ("/announcements/", "announcement"),
                ("/displays/", "display"),
                ("/screens/", "display"),
                ("/notes/", "note"),
                ("/boards/", "board"),
                ("/sessions/", "session"),
            ):
                if part in path:
                    return str(ids[key])
            return "1"
        return str(
            {
                "slug": "maurepas",
                "code": ids["code"],
                "axis": "accompagnement",
                "date": ids["date"],
                "session": ids["session"],
                "board": ids["board"],
                "round": ids["round"],
                "name": ids["asset"],
                "claim": "nope",
            }.get(name, "1")
        )

    return re.sub(r"\{([^}]+)\}", fill_one, path)


def is_api(route: web.AbstractRoute) -> bool:
    return template_of(route).startswith("/api/")


async def table_counts(app: web.Application) -> dict[str, int]:
    def read(d):
        # Not `buckets`: the rate limits (kept in the database on PostgreSQL) are not data.
        names = [n for n in table_names(d) if n != "buckets"]
        # One statement: on PostgreSQL each is a round trip, and this runs twice per request checked.
        counts = d.execute("SELECT " + ", ".join(f'(SELECT count(*) FROM "{n}")' for n in names)).fetchone()
        return dict(zip(names, counts, strict=True))

    return await app[DB].read(read)


# -- messages in the user's language


@dataclass(frozen=True)
class Message:
    """One catalogue message: its text's literal parts (split at its {placeholders}) and its pattern.

    A message can only be in a text if each of its parts is: those substring checks come before
    the regex, whose `.*?` gaps would otherwise backtrack over every long page.
    """

    parts: tuple[str, ...]
    pattern: re.Pattern  # the whole text, {x} matching anything
    search: re.Pattern  # the same unanchored, with no gap at either end (it would try every span)

    def matches(self, text: str) -> bool:
        return all(part in text for part in self.parts) and bool(self.pattern.match(text))

    def found_in(self, text: str) -> bool:
        return all(part in text for part in self.parts) and bool(self.search.search(text))


def _message(text: str) -> Message:
    parts = re.split(r"\{[a-z_]+\}", text)
    pattern = re.compile("^" + ".*?".join(re.escape(p) for p in parts) + "$", re.S)
    literal = tuple(p for p in parts if p)
    return Message(literal, pattern, re.compile(".*?".join(re.escape(p) for p in literal)))


def _templates() -> dict[str, list[Message]]:
    """Every message of every catalogue, per language."""
    fr: list[str] = []
    en: list[str] = []
    for package in features.packages():
        po = files(package) / "locale" / "en" / "LC_MESSAGES" / "messages.po"
        if not po.is_file():
            continue
        with po.open("rb") as f:
            for message in read_po(f):
                if message.id and isinstance(message.id, str):
                    fr.append(message.id)
                    en.append(message.string or message.id)
    french = set(fr)
    return {"fr": [_message(t) for t in fr], "en": [_message(t) for t in en if t not in french or t.isascii()]}


TEMPLATES: dict[str, list[Message]] = {}


def assert_clear_refusal(status: int, body: str, content_type: str, language: str, what: str) -> None:
    """A 4xx that a person can read in their language; never a 5xx or a stack trace."""
    assert status < 500, f"{what}: {status}\n{body[:500]}"
    assert "Traceback" not in body and 'File "/' not in body, f"{what}: a stack trace reached the client"
    if status < 400:
        return
    if not TEMPLATES:
        TEMPLATES.update(_templates())
    # A 10,000-character echo of the input makes the patterns backtrack: fold long runs first.
    body = re.sub(r"(.)\1{100,}", r"\1", body, flags=re.S)
    if content_type == "application/json":
        message = json.loads(body)["error"]["message"]
        assert message, f"{what}: an empty error message"
        found = any(m.matches(message) for m in TEMPLATES[language])
        assert found, f"{what}: {message!r} is not a {language} message"
        return
    # A page: the error page or the form again, in the language, with one of the catalogue's messages.
    assert f'<html lang="{language}"' in body, f"{what}: the page is not in {language}"
    main = re.search(r"<main[^>]*>(.*?)</main>", body, re.S)
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main.group(1) if main else body))).strip()
    # The longer messages only: a two-word one would be found in any page.
    found = any(m.found_in(text) for m in TEMPLATES[language] if len(m.pattern.pattern) > 16)
    assert found, f"{what}: no {language} message in {text[:300]!r}"
