"""Accessible where the first suite did not look (issue 26): ballots, timers, focus after errors and
live refreshes, in real Chromium over the demo's data.

Every path is checked with axe-core's every rule set (WCAG 2.1 A/AA and best practice, any impact),
at its natural size and at 320 CSS px; the keyboard and focus checks live beside it
(tests/e2e/test_accessibility_focus.py).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest

from forum import queries, store, votes
from quartier.typedefs import DB, SETTINGS
from tests.hostile import make_world, server  # noqa: F401  (the demo-filled server)
from tests.signage.helpers import add_session, add_site, pair

from .conftest import wait_until

PHONE = {"width": 390, "height": 800}
TABLET = {"width": 800, "height": 1280}
WALL = {"width": 1920, "height": 1080}
NARROW = {"width": 320, "height": 640}

PATHS = [
    "ballot-phone",
    "ballot-tablet",
    "pitches",
    "post-error-phone",
    "post-error-tablet",
    "wall-paging",
    "screen-day",
    "screen-night",
]


async def axe_violations(page) -> list[dict]:
    """Every axe-core rule set: WCAG 2.0/2.1 A and AA, and best practice; every impact."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(
        page,
        options={
            "runOnly": {
                "type": "tag",
                "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
            },
            "resultTypes": ["violations"],
        },
    )
    return results.response["violations"]


def axe_report(where: str, bad: list[dict]) -> str:
    """One line per failing rule, headed by the counts (the figures issue 26 asks for)."""
    nodes = sum(len(v["nodes"]) for v in bad)
    details = [f"  {v['id']} ({v['impact']}, {len(v['nodes'])}): {[n['target'] for n in v['nodes'][:3]]}" for v in bad]
    return "\n".join([f"AXE {where}: {len(bad)} rules, {nodes} nodes", *details])


async def assert_fully_accessible(page, where: str) -> None:
    bad = await axe_violations(page)
    assert not bad, axe_report(where, bad)


@pytest.fixture
async def world(server, make_client):  # noqa: F811
    return await make_world(server, make_client)


async def voting_board(app, texts: list[str], *, budget: int = 3, vote: bool = True) -> tuple[dict, list[int]]:
    """A board with published notes and (unless vote=False) an open round of dot-voting."""

    def fill(tx):
        board = store.create_board_tx(
            tx, title="Temps fort", prompt="Vos besoins ?", moderation="post", site="maurepas"
        )
        ids = [store.post_note_tx(tx, board["id"], text=t, source="tablet")["id"] for t in texts]
        if vote:
            votes.open_round_tx(tx, board["id"], title="Priorités", budget=budget)
        return board["id"], ids

    board_id, ids = await app[DB].write(fill)
    return await app[DB].read(lambda d: queries.board(d, board_id)), ids


async def open_tablet_ballot(page, app, board: dict) -> None:
    kiosk = store.kiosk_key(app[SETTINGS].secret_key, board["id"], board["link_salt"])
    await page.goto(f"/forum/boards/{board['id']}/vote/tablet?kiosk={kiosk}")
    await page.click("#new-voter")
    await page.wait_for_selector("ul.ballot")


async def refused_post(page, url: str) -> None:
    """A note of blanks: the browser lets it through, the server refuses it."""
    await page.goto(url)
    await page.fill("#note-text", "   ")
    await page.click("button.send")
    await wait_until(page, "document.querySelector('.form-messages [role=alert]') !== null")


async def screen_at(page, app, client, world, hhmm: str) -> None:
    day = dt.datetime.now(app[SETTINGS].tz).date()
    await add_site(app, slug="bourg-leveque", name="ESC Bourg-l'Évêque", opening_hours="Mo-Su 08:00-20:00")
    await add_session(
        app, site="bourg-leveque", date=day.isoformat(), title="Permanence CAF", start="09:00", end="12:00"
    )
    screen = await pair(client, world.bearer, site="bourg-leveque")
    hour, minute = map(int, hhmm.split(":"))
    now = dt.datetime.combine(day, dt.time(hour, minute), ZoneInfo("Europe/Paris")).isoformat()
    await page.goto(f"/screens/{screen['id']}?token={screen['token']}&now={quote(now)}")
    await wait_until(page, "document.body.dataset.state === 'ready'")


async def open_path(page, kind: str, server, client, world) -> None:  # noqa: F811
    app = server.app
    if kind == "ballot-phone":
        await page.set_viewport_size(PHONE)
        board, _ids = await voting_board(app, ["Du wifi", "Une imprimante", "Le soir"])
        await page.goto(f"/j/{board['code']}/vote")
    elif kind == "ballot-tablet":
        await page.set_viewport_size(TABLET)
        board, _ids = await voting_board(app, ["Du wifi", "Une imprimante", "Le soir"])
        await open_tablet_ballot(page, app, board)
    elif kind == "pitches":
        await page.goto(f"/hackathons/{world.ids['hackathon']}/pitches")
    elif kind == "post-error-phone":
        await page.set_viewport_size(PHONE)
        await refused_post(page, f"/j/{world.ids['code']}")
    elif kind == "post-error-tablet":
        await page.set_viewport_size(TABLET)
        await refused_post(page, f"/forum/boards/{world.ids['board']}/tablet")
    elif kind == "wall-paging":
        await page.set_viewport_size(WALL)
        texts = [f"Idée numéro {i} : un atelier de plus le soir" for i in range(48)]
        board, _ids = await voting_board(app, texts, vote=False)
        await page.goto(f"/forum/boards/{board['id']}/wall")
        await wait_until(page, "document.body.dataset.fit === 'pages'")
    elif kind in ("screen-day", "screen-night"):
        await page.set_viewport_size(WALL)
        await screen_at(page, app, client, world, "10:00" if kind == "screen-day" else "23:30")


@pytest.mark.parametrize("kind", PATHS)
async def test_every_path_passes_every_axe_rule_also_at_320_px(context, server, client, world, kind):  # noqa: F811
    page = await context.new_page()  # the refused posts answer 422 on purpose
    await open_path(page, kind, server, client, world)
    natural = await axe_violations(page)
    await page.set_viewport_size(NARROW)
    await page.wait_for_timeout(200)  # the wall and the screen fit themselves again
    narrow = await axe_violations(page)
    assert not natural and not narrow, axe_report(kind, natural) + "\n" + axe_report(f"{kind} at 320 px", narrow)
