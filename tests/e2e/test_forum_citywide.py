"""Issue 22 in real Chromium: two sites' tablets, the city-wide wall, a third site's lobby screen."""

import datetime as dt
import time
from urllib.parse import quote
from zoneinfo import ZoneInfo

from quartier.typedefs import SETTINGS
from tests.signage.helpers import add_site, pair

from .conftest import assert_accessible, wait_until
from .test_forum_wall import post_from_tablet

PLACES = (("maurepas", "Maurepas – Gros-Chêne"), ("cleunay", "Cleunay"), ("blosne", "Le Blosne"))


async def city_forum(server, client, bearer):
    for slug, place in PLACES:
        await add_site(
            server.app, slug=slug, name=f"ESC {slug.title()}", neighbourhood=place, opening_hours="Mo-Su 00:00-24:00"
        )
    r = await client.post(
        "/api/v1/forums",
        json={
            "title": "Temps fort du numérique",
            "sites": [s for s, _p in PLACES],
            "moderation": "post",
            "prompt": "Qu'attendez-vous du numérique ?",
        },
        headers=bearer,
    )
    assert r.status == 201, await r.text()
    return await (await client.get(f"/api/v1/forums/{(await r.json())['id']}")).json()


def labelled(text, place):
    return (
        "Array.from(document.querySelectorAll('.wall-note')).some(e => e.querySelector('.note-text').textContent === "
        f"{text!r} && e.querySelector('.note-place').textContent === {place!r})"
    )


def on_screen(text, place):
    return (
        "Array.from(document.querySelectorAll('#wall .note')).some(e => e.textContent.includes("
        f"{text!r}) && e.querySelector('.note-place') && e.querySelector('.note-place').textContent === {place!r})"
    )


async def test_notes_of_two_sites_reach_the_city_wall_within_a_second_and_a_third_sites_screen(
    page, context, server, client, bearer
):
    forum = await city_forum(server, client, bearer)
    maurepas, cleunay, _blosne = forum["boards"]
    await page.goto(f"/forums/{forum['id']}/wall")
    await wait_until(page, "document.body.dataset.live === 'open'")
    await assert_accessible(page)

    screen_page = await context.new_page()
    screen = await pair(client, bearer, site="blosne")
    day = dt.datetime.now(server.app[SETTINGS].tz).date()
    now = dt.datetime.combine(day, dt.time(10, 0), ZoneInfo("Europe/Paris")).isoformat()
    await screen_page.goto(f"/screens/{screen['id']}?token={screen['token']}&now={quote(now)}")
    await wait_until(screen_page, "document.body.dataset.state === 'ready' && document.body.dataset.live === 'open'")
    assert await screen_page.text_content("#wall-title") == "Temps fort du numérique"

    tablet = await context.new_page()
    for board, text in ((maurepas, "Un atelier CAF le soir"), (cleunay, "Des ordinateurs à emprunter")):
        await post_from_tablet(tablet, board["id"], text)
        sent = time.monotonic()
        await wait_until(page, labelled(text, board["place"]), timeout=1.0)
        assert time.monotonic() - sent < 1.0
    for board, text in ((maurepas, "Un atelier CAF le soir"), (cleunay, "Des ordinateurs à emprunter")):
        await wait_until(screen_page, on_screen(text, board["place"]), timeout=5)
    # Both land in the column of their theme, the same for every site.
    columns = await page.evaluate(
        "Array.from(document.querySelectorAll('.wall-note')).map(e => e.closest('.wall-column').dataset.theme)"
    )
    assert columns == ["droits", "droits"]
