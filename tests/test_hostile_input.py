"""Bad input is refused clearly (issue 12): every route that takes input, a hostile corpus.

Every POST/PUT/PATCH/DELETE route of the router (and every GET's path and query) is
called with the credentials it takes (an organizer's session and CSRF token for forms,
a bearer token under /api, a display token for a screen's own routes), on the demo's
data. The answer is never a 5xx or a stack trace; a refusal is a 4xx whose message is
in the user's language (French by default, English with Accept-Language: en); and a
refusal writes nothing (every table's row count is the same before and after).
"""

from __future__ import annotations

import io
import json
import struct
import time
import zlib

import pytest

from quartier.typedefs import SETTINGS

from .conftest import csrf_for, form, text_of
from .hostile import (
    assert_clear_refusal,
    client_for,
    concrete,
    is_api,
    make_world,
    routes_of,
    server,  # noqa: F401  (the demo-filled server)
    table_counts,
)

XSS = [
    "<script>alert('xss')</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    '\'><iframe src="javascript:alert(1)"></iframe>',
    "{{7*7}}{% raw %}",
]
SQL = ["' OR 1=1 --", "1; DROP TABLE forum_notes; --", '" OR ""="', "%' UNION SELECT name, sql FROM sqlite_master --"]
TRAVERSAL = ["../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "....//....//etc/passwd", "%00", "/etc/passwd"]
CONTROL = ["a\x00b", "\x1b[31mred\x1b[0m", "\u202eevil\u202c", "\u2066hidden\u2069", "\ud7ff\x7f\x85"]
LONG = "x" * 10_000
# Issue 16: data that broke translated strings, CSV formulas, XML-forbidden characters, redirects.
FORMATS = ["100% femmes", "Réduction 50%d", "{x} {0} %(num)d", "<b>gras</b> %s"]
FORMULAS = ['=HYPERLINK("http://evil.example","clic")', "=cmd|' /C calc'!A0", "@SUM(1+1)", "+1+1", "-1+1"]
XML_FORBIDDEN = ["Panne\ufffe", "a\uffffb", "\x0bvertical"]
REDIRECTS = ["/%09/elsewhere.example", "//elsewhere.example", "/%0a/x", "https://elsewhere.example"]
WRONG_TYPES = [123, 1.5, True, None, [], {"nested": "object"}, ["a", "b"], -1, 2**70]

# The field names every form and API body of Quartier uses (from the templates and the OpenAPI document).
FIELDS = sorted(
    {
        "title",
        "prompt",
        "text",
        "theme",
        "author",
        "moderation",
        "site",
        "session",
        "name",
        "slug",
        "address",
        "description",
        "kind",
        "axis",
        "date",
        "reason",
        "start",
        "end",
        "starts",
        "ends",
        "repeat_every",
        "room",
        "action",
        "status",
        "state",
        "round",
        "budget",
        "note",
        "into",
        "target",
        "code",
        "orientation",
        "body",
        "urgent",
        "priority",
        "displays",
        "sites",
        "audience",
        "always_on",
        "password",
        "next",
        "week",
        "turn",
        "who",
        "challenge",
        "first_name",
        "new_date",
        "registration",
        "accessibility",
        "hours",
        "phone",
        "email",
        "template",
        "comment",
        "rating",
        "answers",
        "remove",
        "new",
        "from",
        "to",
        "margin_minutes",
        "free",
        "hidden",
        "built",
        "source",
        "stack",
        "minutes",
        "ref",
        "due",
    }
)


def hostile_routes(app):
    return [r for r in routes_of(app, unsafe=True) if r.name not in ("login_submit", "logout")]


async def call(world, route, *, language="fr", json_body=None, data=None, raw=None, content_type=None, path=None):
    """One request to a route with the credentials it takes."""
    client = client_for(world, world.organizer.server.app, route)
    url = path or concrete(route, world.ids)
    headers = {"Accept-Language": language}
    if "heartbeat" in route.name or "snapshot" in route.name:
        display, token = next(iter(world.display_tokens.items()))
        url = concrete(route, world.ids, id=display) if path is None else url
        headers["Authorization"] = f"Bearer {token}"
    elif is_api(route):
        headers.update(world.bearer)
    if raw is not None:
        headers["Content-Type"] = content_type or "application/json"
        return await client.request(route.method, url, data=io.BytesIO(raw), headers=headers, allow_redirects=False)
    if json_body is not None:
        return await client.request(route.method, url, json=json_body, headers=headers, allow_redirects=False)
    return await client.request(
        route.method, url, data={**(data or {}), "csrf_token": csrf_for(client)}, headers=headers, allow_redirects=False
    )


async def check_refused(app, world, route, label, language="fr", *, must_refuse=False, **kw):
    before = await table_counts(app)
    response = await call(world, route, language=language, **kw)
    body = await response.text()
    what = f"{route.method} {concrete(route, world.ids)} [{label}, {language}]"
    assert_clear_refusal(response.status, body, response.content_type, language, what)
    location = response.headers.get("Location", "/")
    assert location.startswith("/") and not location.startswith("//") and "\t" not in location, f"{what}: {location}"
    if response.status >= 400:
        after = await table_counts(app)
        changed = {t: (before[t], after[t]) for t in before if before[t] != after.get(t)}
        assert not changed, f"{what}: refused with {response.status} but wrote rows {changed}"
    elif must_refuse:
        raise AssertionError(f"{what}: accepted with {response.status}")
    return response.status


@pytest.fixture
async def world(server, make_client):  # noqa: F811
    return await make_world(server, make_client)


async def test_bodies_over_the_limit_get_413_on_every_route(server, world):  # noqa: F811
    app = server.app
    limit = app[SETTINGS].max_body_kb * 1024
    huge = b"a=" + b"x" * (limit + 10)
    statuses = {}
    for route in hostile_routes(app):
        for language in ("fr", "en"):
            if is_api(route):
                body = b'{"text": "' + b"x" * (limit + 10) + b'"}'
                status = await check_refused(app, world, route, "413 json", language, raw=body)
            else:
                status = await check_refused(
                    app, world, route, "413 form", language, raw=huge, content_type="application/x-www-form-urlencoded"
                )
            statuses[route.name] = status
    # Forms are read by the CSRF check, so every one of them refuses; an API route that reads
    # no body (a DELETE, a revoke) has nothing to refuse.
    not_413 = {n: s for n, s in statuses.items() if s != 413}
    assert not {
        n: s
        for n, s in not_413.items()
        if not any(w in n for w in ("delete", "revoke", "close", "display_pair", "heartbeat", "turn"))
    }, not_413


async def test_invalid_json_and_invalid_utf8_are_refused(server, world):  # noqa: F811
    app = server.app
    for route in hostile_routes(app):
        if not is_api(route):
            continue
        for label, raw in [
            ("invalid json", b'{"text": "unterminated'),
            ("invalid utf-8", b'{"text": "\xff\xfe\xfa"}'),
            ("not an object", b'["text"]'),
            ("empty", b""),
            ("nul", b"\x00\x00"),
        ]:
            for language in ("fr", "en"):
                await check_refused(app, world, route, label, language, raw=raw)


async def test_form_routes_refuse_invalid_utf8(server, world):  # noqa: F811
    app = server.app
    for route in hostile_routes(app):
        if is_api(route):
            continue
        from .conftest import csrf_for as token_for

        raw = f"csrf_token={token_for(world.organizer)}&title=%FF%FE&text=%C3%28&name=%80".encode()
        await check_refused(
            app, world, route, "invalid utf-8 form", raw=raw, content_type="application/x-www-form-urlencoded"
        )


@pytest.mark.parametrize(
    "kind",
    [
        "wrong types",
        "control and bidi",
        "10,000 characters",
        "xss",
        "sql",
        "traversal",
        "formats",
        "formulas",
        "xml",
        "redirects",
    ],
)
async def test_hostile_values_in_every_field(server, world, kind):  # noqa: F811
    app = server.app
    values = {
        "wrong types": WRONG_TYPES,
        "control and bidi": CONTROL,
        "10,000 characters": [LONG],
        "xss": XSS,
        "sql": SQL,
        "traversal": TRAVERSAL,
        "formats": FORMATS,
        "formulas": FORMULAS,
        "xml": XML_FORBIDDEN,
        "redirects": REDIRECTS,
    }[kind]
    for route in hostile_routes(app):
        for i, value in enumerate(values):
            language = ("fr", "en")[i % 2]
            fields = {name: value for name in FIELDS}
            if is_api(route):
                await check_refused(app, world, route, f"{kind} {value!r:.40}", language, json_body=fields)
            elif kind != "wrong types":
                await check_refused(app, world, route, f"{kind} {value!r:.40}", language, data=fields)
    # Nothing hostile broke the database: the demo's pages still render.
    assert (await world.organizer.get("/programme")).status == 200


# Deep nesting (issue 15): past the JSON decoder's recursion limit, and merely deeper than any body needs.
DEEP_RAW = b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
NESTED = {"text": [[[[[[[[[[[[[[[[[["trop"]]]]]]]]]]]]]]]]]]}

# Every field that takes an integer or a record number (in bodies, forms and nested objects), in two
# rounds where each is past 64 bits (issue 15: SQLite stores at most 2**63 - 1). Fields one route reads
# together are in different rounds (a vote's note and round, a round's budget and minutes, a session's
# capacity and repeat rule, an announcement's priority and screens), so each is reached in one of them.
INTEGER_ROUNDS = [
    [
        "session",
        "into",
        "note",
        "budget",
        "margin_minutes",
        "display",
        "priority",
        "snapshot_version",
        "delta",
        "capacity",
        "ref",
        "latitude",
        "answers",
        "challenge",
    ],
    ["round", "minutes", "displays", "repeat"],
]
BIG = [2**63, -(2**63) - 1, 10**30]


def with_big(ids: dict, names: list[str], big: int, as_form: bool) -> dict:
    """A body whose other fields are each acceptable somewhere, so a route reads on to its integers."""
    body: dict = {
        "title": "Atelier numérique",
        "text": "Une idée pour le quartier",
        "name": "Hall",
        "site": "maurepas",
        "date": ids["date"],
        "start": "09:00",
        "end": "10:00",
        "axis": "droits",
        "kind": "atelier",
        "moderation": "post",
        "action": "merge",
        "status": "moved",
        "state": "open",
        "target": "displays",
        "code": "ABCDEF",
        **{name: 1 for round_ in INTEGER_ROUNDS for name in round_},
        "repeat": {"every": "weekly", "count": 2},
        "answers": {"satisfaction": 4},
        "displays": [1],
    }
    for name in names:
        body[name] = {"repeat": {"every": "weekly", "count": big}, "answers": {"satisfaction": big}}.get(name, big)
    body["displays"] = [big] if "displays" in names else body["displays"]
    if as_form:
        return {k: str(v) for k, v in body.items() if not isinstance(v, (dict, list))}
    return body


async def test_deep_nesting_is_refused_on_every_json_route(server, world):  # noqa: F811
    app = server.app
    for i, route in enumerate(r for r in hostile_routes(app) if is_api(r)):
        language = ("fr", "en")[i % 2]
        await check_refused(app, world, route, "nested past the decoder", language, raw=DEEP_RAW)
        status = await check_refused(app, world, route, "nested 19 levels", language, json_body=NESTED)
        assert status == 400 or any(w in route.name for w in ("delete", "revoke", "close", "pair")), (
            route.name,
            status,
        )


async def test_integers_past_64_bits_in_every_field_of_every_route(server, world):  # noqa: F811
    app = server.app
    for i, route in enumerate(hostile_routes(app)):
        for j, names in enumerate(INTEGER_ROUNDS):
            big = BIG[(i + j) % len(BIG)]
            language = ("fr", "en")[(i + j) % 2]
            body = with_big(world.ids, names, big, as_form=not is_api(route))
            if is_api(route):
                await check_refused(app, world, route, f"integers {big}", language, json_body=body)
            else:
                await check_refused(app, world, route, f"integers {big}", language, data=body)


async def test_hostile_path_segments_and_queries_on_every_get(server, world):  # noqa: F811
    app = server.app
    segments = ["..", "%2e%2e", "..%2f..%2fetc%2fpasswd", "' OR 1=1 --", "<script>", "9" * 40, "-1", "%00", "%ff"]
    for route in routes_of(app, unsafe=False):
        if route.name in ("ws",):
            continue
        for i, segment in enumerate(segments):
            language = ("fr", "en")[i % 2]
            path = concrete(
                route,
                world.ids,
                id=segment,
                slug=segment,
                code=segment,
                date=segment,
                name=segment,
                claim=segment,
                axis=segment,
                board=segment,
                session=segment,
                round=segment,
            )
            query = "?week=" + segment + "&from=" + segment + "&to=%00&site=" + segment + "&key=" + segment
            query += f"&session={segment}&board={segment}&year={segment}&date={segment}&since={2**64}&round={2**63}"
            for url in (path, concrete(route, world.ids) + query):
                response = await call(world, route, language=language, path=url)
                body = await response.text(errors="replace")  # some answers are files (ODS exports)
                assert_clear_refusal(response.status, body, response.content_type or "", language, f"GET {url}")
                assert "root:x:0:0" not in body, url


@pytest.mark.parametrize(
    "url",
    [
        "/static/quartier/../../etc/passwd",
        "/static/quartier/%2e%2e/%2e%2e/etc/passwd",
        "/static/quartier/..%2f..%2f..%2fetc%2fpasswd",
        "/sites/../../etc/passwd",
        "/sites/..%2f..%2fetc%2fpasswd",
        "/screens/assets/..%2f..%2fquartier.db",
        "/screens/assets/../../quartier.yaml",
        "/static/events/%00",
        "/sites/%2e%2e%2f%2e%2e%2fquartier.db/calendar.ics",
    ],
)
async def test_path_traversal_reaches_no_file(client, url):
    response = await client.get(url, headers={"Accept-Language": "en"})
    body = await response.text()
    assert 400 <= response.status < 500, (url, response.status)
    assert "root:x:0:0" not in body and "SQLite format" not in body and "secret_key" not in body


# -- XSS payloads written through the real flows render as text everywhere they are shown

PAYLOAD = "<script>alert('q')</script><img src=x onerror=alert(1)>"


def assert_escaped(html: str, where: str) -> None:
    assert "<script>alert('q')" not in html and "<img src=x onerror" not in html, f"{where}: payload rendered as HTML"
    assert PAYLOAD in text_of(html) or "&lt;script&gt;" in html, f"{where}: the payload is not shown as text"


async def test_xss_in_notes_board_and_themes_renders_as_text(server, world, client):  # noqa: F811
    board, key = world.ids["board"], world.keys[world.ids["board"]]
    r = await client.post(f"/api/v1/boards/{board}/notes", json={"text": PAYLOAD, "author": "<b>Zoé</b>"})
    assert r.status == 201, await r.text()
    note = (await r.json())["id"]
    # Published so the wall shows it whatever the board's moderation.
    r = await client.post(f"/api/v1/notes/{note}/moderation?key={key}", json={"action": "publish"})
    assert r.status == 200, await r.text()
    r = await world.organizer.post(
        "/api/v1/boards", headers=world.bearer, json={"title": PAYLOAD, "prompt": PAYLOAD, "moderation": "post"}
    )
    assert r.status == 201
    new_board = (await r.json())["id"]
    for url in (
        f"/forum/boards/{board}/wall",
        f"/forum/boards/{board}/console?key={key}",
        f"/forum/boards/{board}/tablet",
        f"/forum/boards/{new_board}/wall",
        f"/forum/boards/{board}",
        "/forum",
        f"/forum/boards/{board}/wordcloud",
    ):
        response = await world.organizer.get(url)
        assert response.status == 200, url
        html = await response.text()
        if url.endswith(("/wall", "/console?key=" + key)) and str(new_board) not in url:
            assert_escaped(html, url)
        else:
            assert "<script>alert('q')" not in html and "<img src=x onerror" not in html, url
    svg = await (await client.get(f"/forum/boards/{board}/wordcloud.svg")).text()
    assert "<script" not in svg and "onerror=" not in svg
    data = await (await client.get(f"/api/v1/boards/{board}/notes")).json()
    assert any(n["text"] == PAYLOAD for n in data["notes"])  # JSON keeps the text as typed


async def test_xss_in_the_programme_renders_as_text(server, world):  # noqa: F811
    org = world.organizer
    r = await org.post(
        "/api/v1/sites",
        headers=world.bearer,
        json={"slug": "xss-site", "name": PAYLOAD, "address": PAYLOAD, "description": PAYLOAD},
    )
    assert r.status == 201, await r.text()
    session = world.ids["session"]
    r = await org.post(
        f"/api/v1/sessions/{session}/cancellations",
        headers=world.bearer,
        json={"date": world.ids["date"], "reason": PAYLOAD},
    )
    assert r.status in (200, 201), await r.text()
    for url in (
        "/sites/xss-site",
        "/",
        "/programme",
        f"/sessions/{session}",
        "/staff/sites",
        "/changes",
        "/sites/xss-site/poster",
        "/posters",
        "/open-data",
    ):
        response = await org.get(url)
        assert response.status == 200, url
        html = await response.text()
        assert "<script>alert('q')" not in html and "<img src=x onerror" not in html, url
    assert_escaped(await (await org.get("/sites/xss-site")).text(), "/sites/xss-site")
    ics = await (await org.get("/calendar.ics")).text()
    assert "\r\nBEGIN:VEVENT" in ics  # the feed still parses as lines; a payload cannot open a component
    assert ics.count("BEGIN:VCALENDAR") == 1


async def test_xss_in_announcements_renders_as_text_on_the_screen(server, world):  # noqa: F811
    org = world.organizer
    r = await org.post(
        "/api/v1/announcements", headers=world.bearer, json={"title": PAYLOAD, "body": PAYLOAD, "sites": ["maurepas"]}
    )
    assert r.status == 201, await r.text()
    display, token = next(iter(world.display_tokens.items()))
    snapshot = await (
        await org.get(f"/api/v1/displays/{display}/snapshot", headers={"Authorization": f"Bearer {token}"})
    ).json()
    assert PAYLOAD in json.dumps(snapshot, ensure_ascii=False)  # data; the screen's JS sets textContent
    page = await (await org.get(f"/screens/{display}?token={token}")).text()
    assert "<script>alert('q')" not in page and "<img src=x onerror" not in page
    js = await (await org.get("/static/signage/screen.js")).text()
    assert "innerHTML" not in js, "the screen must build its DOM from text, never from HTML strings"
    staff = await (await org.get("/staff/announcements")).text()
    assert "<script>alert('q')" not in staff


async def test_xss_in_feedback_and_hackathon_renders_as_text(server, world, client):  # noqa: F811
    org = world.organizer
    hackathon = world.ids["hackathon"]
    r = await form(
        org, f"/hackathons/{hackathon}/challenges", {"title": PAYLOAD, "description": PAYLOAD}, allow_redirects=False
    )
    assert r.status in (303, 422), await r.text()
    for url in (
        f"/hackathons/{hackathon}",
        f"/hackathons/{hackathon}/staff",
        f"/hackathons/{hackathon}/pitches",
        f"/hackathons/{hackathon}/results",
        "/staff/feedback",
    ):
        html = await (await org.get(url)).text()
        assert "<script>alert('q')" not in html and "<img src=x onerror" not in html, url


# -- images in announcements


def png_header(width: int, height: int) -> bytes:
    """A PNG's signature and IHDR chunk: what the server reads an image's size from."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))


PNG = png_header(320, 200) + b"\x00" * 64


@pytest.mark.parametrize(
    "label,data,filename,content_type,status",
    [
        ("text labelled png", b"hello, not an image", "poster.png", "image/png", 415),
        (
            "svg with a script",
            b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
            "a.svg",
            "image/svg+xml",
            415,
        ),
        ("html named jpg", b"<html><script>alert(1)</script></html>", "a.jpg", "image/jpeg", 415),
        ("empty", b"", "a.png", "image/png", None),
        ("too big png", PNG + b"\x00" * (900 * 1024), "big.png", "image/png", 413),
        ("over the body limit", PNG + b"\x00" * (1100 * 1024), "huge.png", "image/png", 413),
        ("traversal name", PNG, "../../../../etc/passwd", "image/png", 0),
        ("60000 x 60000 in a few bytes", png_header(60000, 60000) + b"\x00" * 64, "bomb.png", "image/png", 413),
        ("header cut short", b"\x89PNG\r\n\x1a\n" + b"\x00" * 4, "cut.png", "image/png", 422),
    ],
)
async def test_announcement_images_are_checked_by_their_bytes(
    server,  # noqa: F811  (the demo-filled server fixture imported above)
    world,
    label,
    data,
    filename,
    content_type,
    status,
):
    import aiohttp

    org = world.organizer
    before = await table_counts(server.app)
    for language in ("fr", "en"):
        payload = aiohttp.FormData()
        payload.add_field("csrf_token", csrf_for(org))
        payload.add_field("title", "Fermeture exceptionnelle")
        payload.add_field("body", "Le centre ferme à 16 h.")
        payload.add_field("sites", "maurepas")
        payload.add_field("image", io.BytesIO(data), filename=filename, content_type=content_type)
        response = await org.post(
            "/staff/announcements", data=payload, headers={"Accept-Language": language}, allow_redirects=False
        )
        body = await response.text()
        assert_clear_refusal(response.status, body, response.content_type, language, f"image {label}")
        if status:
            assert response.status == status, (label, response.status)
            assert await table_counts(server.app) == before
        elif status == 0:
            assert response.status == 303  # accepted, stored under its hash, never under the given name
            assets = await server.app[DB_KEY].fetchall("SELECT name FROM signage_assets")
            assert all("/" not in a["name"] and ".." not in a["name"] for a in assets)
            return


from quartier.typedefs import DB as DB_KEY  # noqa: E402

# -- YAML in imports and feedback form templates

BOMB = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
sites: *g
"""
PYTHON_TAG = """version: 1
sites:
  - slug: maurepas
    name: !!python/object/apply:os.system ["touch /tmp/quartier-pwned"]
sessions: []
"""
PYTHON_NAME = "!!python/name:os.system\n"


@pytest.mark.parametrize(
    "text",
    [
        BOMB,
        PYTHON_TAG,
        PYTHON_NAME,
        "sites: [\n",
        "\x00\x01",
        "version: 1\nsites: {a: 1}\n",
        b"version: 1\nsites:\n  - slug: \xff\xfe\n",
    ],
)
def test_programme_import_refuses_bombs_and_python_tags(tmp_path, text):
    import subprocess
    import sys
    import time

    (tmp_path / "quartier.yaml").write_text("database: quartier.db\nsecret_key: test-secret\n", encoding="utf-8")
    source = tmp_path / "programme.yaml"
    source.write_bytes(text if isinstance(text, bytes) else text.encode())
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "quartier", "import", str(source), "--config", str(tmp_path / "quartier.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    )
    assert time.monotonic() - started < 30
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip(), "the refusal says why"
    import os

    assert not os.path.exists("/tmp/quartier-pwned")


@pytest.mark.parametrize(
    "text",
    [
        BOMB,
        BOMB.replace("sites:", "title: x\nquestions:"),
        PYTHON_TAG.replace("sites", "title"),
        PYTHON_NAME,
        "questions: [\n",
    ],
)
def test_feedback_form_templates_refuse_bombs_and_python_tags(tmp_path, text):
    from reports import forms

    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(forms.FormError):
        forms.load_file(path)
    assert time.monotonic() - started < 5
