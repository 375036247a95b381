"""A lobby screen gives no room to empty boxes, reads from across a hall, and keeps the city's
other sessions beside a running forum wall (issue 23)."""

import datetime as dt

import pytest

from quartier.typedefs import SETTINGS
from tests.signage.helpers import add_session, add_site, pair

from .conftest import assert_accessible
from .test_signage_screen import at, open_screen

FULL_HD = {"width": 1920, "height": 1080}


async def seed(server, client, bearer, *, coming: bool = True):
    """Maurepas: a morning and an afternoon session today; with `coming`, one a day for the next four days."""
    app = server.app
    day = dt.datetime.now(app[SETTINGS].tz).date()
    await add_site(app, opening_hours="Mo-Su 00:00-24:00")
    await add_site(app, slug="cleunay", name="ESC Cleunay")
    await add_session(app, date=day.isoformat(), title="Permanence CAF", start="09:00", end="12:00", repeat=None)
    await add_session(app, date=day.isoformat(), title="Accès libre", start="15:00", end="17:00", repeat=None)
    if coming:
        for n in range(1, 5):
            await add_session(
                app,
                date=(day + dt.timedelta(days=n)).isoformat(),
                title=f"Atelier mail {n}",
                kind="atelier",
                axis="accompagnement",
                start="14:00",
                end="16:00",
                repeat=None,
            )
    screen = await pair(client, bearer)
    return day, screen


async def open_board(client, bearer, *, notes: int) -> None:
    """A forum open at Maurepas, its wall already holding `notes` notes."""
    r = await client.post(
        "/api/v1/boards", headers=bearer, json={"title": "Le parc", "moderation": "post", "site": "maurepas"}
    )
    board = await r.json()
    for n in range(notes):
        await client.post(f"/api/v1/boards/{board['id']}/notes", json={"text": f"Idée n° {n} : des bancs"})


async def box(page, selector: str) -> dict:
    return await page.evaluate(
        f"(() => {{ const r = document.querySelector({selector!r}).getBoundingClientRect();"
        " return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height}; })()"
    )


async def test_nothing_later_today_gives_the_room_to_the_coming_days(page, server, client, bearer):
    day, screen = await seed(server, client, bearer)
    await page.set_viewport_size(FULL_HD)
    await open_screen(page, screen, at(day, "13:00"))  # the afternoon session is next, nothing after it
    assert not await page.locator("#today").is_visible()
    assert await page.locator("#days [data-session]").count() == 4
    days = await box(page, ".zone.days")
    zones = await box(page, ".zones")
    assert days["height"] > zones["height"] * 0.5  # the middle band and the bottom row
    # Read from across a hall: every row of the coming days at 30 px or more on a 1080p screen.
    sizes = await page.evaluate(
        "[...document.querySelectorAll('#days .session')].map(n => parseFloat(getComputedStyle(n).fontSize))"
    )
    assert sizes and min(sizes) >= 30, sizes
    # With something later today, the zone is back and the coming days return to the bottom row.
    await page.evaluate(f"quartierScreen.setNow('{at(day, '08:00')}')")
    assert "Accès libre" in await page.text_content("#today")
    assert (await box(page, ".zone.days"))["height"] < zones["height"] * 0.3
    await assert_accessible(page)


async def test_nothing_at_all_coming_says_so(page, server, client, bearer):
    day, screen = await seed(server, client, bearer, coming=False)
    await page.set_viewport_size(FULL_HD)
    await open_screen(page, screen, at(day, "16:00"))
    assert not await page.locator(".zone.days").is_visible()
    message = page.locator("#today-empty")
    assert await message.is_visible()
    assert "Rien d'autre de prévu ici ces prochains jours" in await message.text_content()


@pytest.mark.parametrize("size", [FULL_HD, {"width": 1080, "height": 1920}])
async def test_elsewhere_in_the_city_stays_beside_a_running_forum_wall(page, server, client, bearer, size):
    day, screen = await seed(server, client, bearer)
    await add_session(
        server.app, site="cleunay", date=day.isoformat(), title="Accès libre Cleunay", start="14:00", end="18:00"
    )
    await open_board(client, bearer, notes=6)
    await page.set_viewport_size(size)
    await open_screen(page, screen, at(day, "10:00"))
    assert await page.locator("#wall .note").count() >= 1
    assert await page.locator("#wall-zone").is_visible() and await page.locator(".zone.highlights").is_visible()
    elsewhere = page.locator("#highlights [data-session]")
    assert await elsewhere.count() == 1
    assert "ESC Cleunay" in await elsewhere.first.text_content()  # where first: the line may be cut after it
    wall, highlights = await box(page, "#wall-zone"), await box(page, ".zone.highlights")
    assert wall["bottom"] <= highlights["top"] or highlights["bottom"] <= wall["top"]  # side by side, no overlap
    notes = await page.evaluate(
        "[...document.querySelectorAll('#wall .note')].map(n => n.scrollHeight <= n.clientHeight + 1)"
    )
    assert all(notes)  # two lines at most, nothing peeping out


@pytest.mark.parametrize("size", [FULL_HD, {"width": 1080, "height": 1920}])
async def test_nothing_later_today_beside_a_wall_gives_the_city_a_wide_row(page, server, client, bearer, size):
    day, screen = await seed(server, client, bearer)
    for n, start in enumerate(["14:00", "15:00", "16:00"]):
        title = f"Atelier numéro {n} à Cleunay"
        await add_session(server.app, site="cleunay", date=day.isoformat(), title=title, start=start, end="18:00")
    await open_board(client, bearer, notes=4)
    await page.set_viewport_size(size)
    await open_screen(page, screen, at(day, "13:00"))  # the afternoon session is next, nothing after it
    assert not await page.locator("#today").is_visible()
    # The city's sessions read whole: all three, one line each, across a landscape screen; on a portrait
    # one (half its width) the title goes on the next lines and as many as fit whole are shown.
    rows = page.locator("#highlights [data-session]")
    shown = await rows.count()
    assert shown == 3 if size == FULL_HD else shown >= 2
    for n in range(shown):
        row = rows.nth(n)
        assert f"Atelier numéro {n} à Cleunay" in await row.text_content()
        lines = await row.evaluate("r => r.getBoundingClientRect().height / parseFloat(getComputedStyle(r).lineHeight)")
        assert lines < (1.5 if size == FULL_HD else 3.5), lines
        cut = await row.evaluate("r => [...r.querySelectorAll('*')].some(e => e.scrollWidth > e.clientWidth + 1)")
        assert not cut  # no ellipsis: the place and the title are read whole
    assert await page.locator("#days [data-session]").count() == 4 and await page.locator("#wall .note").count() >= 2
    zones = [await box(page, z) for z in (".zone.days", "#wall-zone", ".zone.highlights", ".qr", ".now-next")]
    for i, a in enumerate(zones):  # no zone over another
        for b in zones[i + 1 :]:
            apart = a["bottom"] <= b["top"] + 1 or b["bottom"] <= a["top"] + 1
            assert apart or a["right"] <= b["left"] + 1 or b["right"] <= a["left"] + 1, (a, b)
    await assert_accessible(page)
