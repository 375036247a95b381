"""Accessible to everyone (issue 12): every page type, on the demo's data, in real Chromium.

axe-core finds no serious or critical WCAG 2.1 AA violation, nothing scrolls sideways at
200 % zoom, and (through the `context` fixture) no page requests a third-party origin.
The posting flows (tablet and phone) and the feedback form are completed with the
keyboard alone.
"""

from __future__ import annotations

import datetime as dt

import pytest

from events import queries
from quartier.typedefs import DB, SETTINGS
from tests.hostile import make_world, server  # noqa: F401  (the demo-filled server)

from .conftest import assert_accessible, assert_no_horizontal_scroll

PAGE_TYPES = [
    "home",
    "week",
    "site",
    "session",
    "tablet",
    "phone",
    "wall",
    "feedback",
    "screen",
    "minutes",
    "minutes-print",
    "registration",
    "registration-done",
    "login",
    "open-data",
    "embed",
]


@pytest.fixture
async def world(server, make_client):  # noqa: F811
    return await make_world(server, make_client)


def url_of(kind: str, world) -> str:
    ids = world.ids
    display, token = next(iter(world.display_tokens.items()))
    return {
        "home": "/",
        "week": "/programme",
        "site": "/sites/maurepas",
        "session": f"/sessions/{ids['session']}",
        "tablet": f"/forum/boards/{ids['board']}/tablet",
        "phone": f"/j/{ids['code']}",
        "wall": f"/forum/boards/{ids['board']}/wall",
        "feedback": f"/f/b/{ids['board']}",
        "screen": f"/screens/{display}?token={token}",
        "login": "/login",
        "open-data": "/open-data",
        "embed": "/embed/programme?site=maurepas",
    }[kind]


async def published_minutes(server) -> tuple[int, int]:  # noqa: F811
    """A board of the demo with published minutes, and that version."""
    row = await server.app[DB].fetchone(
        "SELECT board_id, max(version) AS version FROM forum_minutes WHERE state = 'published' GROUP BY board_id"
    )
    assert row, "the demo has published minutes"
    return row["board_id"], row["version"]


async def registration_urls(server, client) -> tuple[str, str]:  # noqa: F811
    """The form of a coming date of a demo session "sur inscription", and a confirmation page."""
    today = dt.datetime.now(server.app[SETTINGS].tz).date()

    def coming(db):
        start, end = today + dt.timedelta(days=1), today + dt.timedelta(days=40)
        return next(o for o in queries.occurrences(db, start, end) if o["registration"] and o["status"] == "scheduled")

    o = await server.app[DB].read(coming)
    day = o["date"].isoformat()
    r = await client.post(f"/api/v1/sessions/{o['session']}/registrations", json={"date": day, "first_name": "Awa"})
    assert r.status == 201, await r.text()
    done = (await r.json())["url"].split("/", 3)[3]
    return f"/sessions/{o['session']}/dates/{day}/inscription", "/" + done


@pytest.mark.parametrize("kind", PAGE_TYPES)
async def test_every_page_type_is_accessible_and_fits_at_200_percent(page, world, server, client, kind):  # noqa: F811
    if kind.startswith("minutes"):
        board, version = await published_minutes(server)
        url = f"/minutes/{board}" if kind == "minutes" else f"/minutes/{board}/v/{version}/print"
    elif kind.startswith("registration"):
        form_url, done_url = await registration_urls(server, client)
        url = form_url if kind == "registration" else done_url
    else:
        url = url_of(kind, world)
    response = await page.goto(url)
    assert response.status == 200, kind
    await assert_accessible(page)
    if kind not in ("screen", "wall"):  # a lobby screen and a projected wall are fixed 16:9 layouts, not zoomed
        await assert_no_horizontal_scroll(page)
        await assert_accessible(page)  # and still accessible at that width


async def tab_to(page, predicate: str, limit: int = 60) -> None:
    """Press Tab until the focused element satisfies a JS predicate on `el`."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate(f"(() => {{ const el = document.activeElement; return !!(el && ({predicate})); }})()"):
            return
    raise AssertionError(f"Tab never reached an element where {predicate}")


async def count(server, sql: str) -> int:  # noqa: F811
    return (await server.app[DB].fetchone(sql.replace("count(*)", "count(*) AS n")))["n"]


@pytest.mark.parametrize("kind", ["tablet", "phone"])
async def test_posting_a_note_with_the_keyboard_alone(page, world, server, kind):  # noqa: F811
    before = await count(server, "SELECT count(*) FROM forum_notes")
    await page.goto(url_of(kind, world))
    await tab_to(page, "el.name === 'text'")
    await page.keyboard.type("Un atelier le samedi matin")
    await tab_to(page, "el.type === 'submit'")
    await page.keyboard.press("Enter")
    await page.wait_for_load_state()
    loop_deadline = 50
    while await count(server, "SELECT count(*) FROM forum_notes") == before and loop_deadline:
        await page.wait_for_timeout(100)
        loop_deadline -= 1
    assert await count(server, "SELECT count(*) FROM forum_notes WHERE text = 'Un atelier le samedi matin'") == 1


async def test_answering_the_feedback_form_with_the_keyboard_alone(page, world, server):  # noqa: F811
    before = await count(server, "SELECT count(*) FROM feedback_answers")
    await page.goto(url_of("feedback", world))
    await tab_to(page, "el.type === 'radio'")
    await page.keyboard.press("Space")
    assert await page.evaluate("document.activeElement.checked")
    await tab_to(page, "el.type === 'submit'")
    await page.keyboard.press("Enter")
    await page.wait_for_load_state()
    for _ in range(50):
        if await count(server, "SELECT count(*) FROM feedback_answers") > before:
            break
        await page.wait_for_timeout(100)
    assert await count(server, "SELECT count(*) FROM feedback_answers") == before + 1
