"""A lobby screen in real Chromium: live cancellations, offline now/next, both orientations fit."""

import asyncio
import datetime as dt
import os
import shutil
import struct
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest

from quartier.typedefs import SETTINGS
from tests.signage.helpers import add_session, add_site, pair

from .conftest import assert_accessible, wait_until


async def programme(server, client, bearer, *, hours="Mo-Su 00:00-24:00"):
    app = server.app
    day = dt.datetime.now(app[SETTINGS].tz).date()
    await add_site(app, opening_hours=hours)
    await add_site(app, slug="cleunay", name="ESC Cleunay")
    caf = await add_session(app, date=day.isoformat(), title="Permanence CAF", start="09:00", end="12:00")
    atelier = await add_session(
        app,
        date=day.isoformat(),
        title="Atelier smartphone",
        kind="atelier",
        axis="accompagnement",
        start="14:00",
        end="16:00",
        room="Salle 1",
    )
    screen = await pair(client, bearer)
    return day, screen, {"caf": caf, "atelier": atelier}


def at(day: dt.date, hhmm: str) -> str:
    """An aware ISO time today in the sites' timezone, for the screen's ?now= clock."""
    hour, minute = map(int, hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), ZoneInfo("Europe/Paris")).isoformat()


async def open_screen(page, screen, now_iso):
    await page.goto(f"/screens/{screen['id']}?token={screen['token']}&now={quote(now_iso)}")
    await wait_until(page, "document.body.dataset.state === 'ready' && document.body.dataset.live === 'open'")


async def test_a_cancellation_shows_on_an_open_screen_within_two_seconds(page, server, client, bearer):
    day, screen, ids = await programme(server, client, bearer)
    await open_screen(page, screen, at(day, "08:00"))
    assert "token=" not in page.url  # the token went into the screen cookie, not the address bar
    assert await page.text_content("#next") and "Permanence CAF" in await page.text_content("#next")
    later = page.locator("#today [data-session]")
    assert "Atelier smartphone" in await later.first.text_content()
    r = await client.post(
        f"/api/v1/sessions/{ids['atelier']}/cancellations",
        headers=bearer,
        json={"date": day.isoformat(), "reason": "Formatrice malade"},
    )
    assert r.status in (200, 201)
    started = asyncio.get_running_loop().time()
    await wait_until(page, "document.querySelector('#today .status-cancelled') !== null", timeout=2)
    assert asyncio.get_running_loop().time() - started < 2
    text = await page.text_content("#today .status-cancelled")
    assert "Atelier smartphone" in text and "Annulé" in text and "Formatrice malade" in text
    await assert_accessible(page)


async def test_with_the_server_stopped_the_screen_keeps_the_day_and_moves_on(page, server, client, bearer):
    day, screen, _ids = await programme(server, client, bearer)
    await open_screen(page, screen, at(day, "08:55"))
    assert "Permanence CAF" in await page.text_content("#next")
    assert "Rien pour le moment" in await page.text_content("#now")
    await server.close()
    await wait_until(page, "document.body.dataset.live !== 'open'", timeout=5)
    # The clock passes the start of the session: it is now, and the workshop is next.
    await page.evaluate(f"quartierScreen.setNow('{at(day, '09:05')}')")
    assert "Permanence CAF" in await page.text_content("#now")
    assert "Atelier smartphone" in await page.text_content("#next")
    assert await page.text_content("#site-name") == "ESC Maurepas"
    # Offline for more than a few minutes: a discreet "mis à jour à HH:MM", the rest unchanged.
    await page.evaluate(f"quartierScreen.setNow('{at(day, '12:30')}')")
    status = page.locator("#status")
    assert await status.is_visible()
    assert (await status.text_content()).startswith("mis à jour à 08:5")
    assert "Atelier smartphone" in await page.text_content("#next")
    # A failed refresh does not blank anything either.
    await page.evaluate("quartierScreen.refresh()")
    assert "Atelier smartphone" in await page.text_content("#next")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("width,height,orientation", [(1920, 1080, "landscape"), (1080, 1920, "portrait")])
async def test_a_busy_day_fits_the_screen_in_both_orientations(
    page, server, client, bearer, tmp_path, width, height, orientation
):
    app = server.app
    day, screen, _ids = await programme(server, client, bearer)
    for n in range(12):
        await add_session(
            app,
            date=day.isoformat(),
            title=f"Atelier numérique n° {n + 1} : démarches en ligne",
            kind="atelier",
            axis="accompagnement",
            start=f"{9 + n // 2:02d}:{30 * (n % 2):02d}",
            end="18:00",
            room="Grande salle du rez-de-chaussée",
            repeat={"every": "weekly"},
        )
        await add_session(
            app,
            site="cleunay",
            date=day.isoformat(),
            title=f"Forum de quartier {n}",
            kind="forum",
            axis="droits",
            start="10:00",
            end="23:00",
            repeat=None,
        )
    await client.patch(f"/api/v1/displays/{screen['id']}", headers=bearer, json={"orientation": orientation})
    await client.post(
        "/api/v1/announcements",
        headers=bearer,
        json={"title": "Fermeture exceptionnelle vendredi à 16 h", "body": "Réunion d'équipe. " * 6, "urgent": True},
    )
    await client.post(
        "/api/v1/announcements", headers=bearer, json={"title": "Wi-Fi gratuit", "body": "Demandez le code. " * 20}
    )
    board = await (
        await client.post(
            "/api/v1/boards",
            headers=bearer,
            json={"title": "Le parc en 2030", "moderation": "post", "site": "maurepas"},
        )
    ).json()
    for n in range(15):
        await client.post(
            f"/api/v1/boards/{board['id']}/notes", json={"text": f"Idée n° {n} : plus de bancs et d'ombre"}
        )
    await page.set_viewport_size({"width": width, "height": height})
    await open_screen(page, screen, at(day, "10:15"))
    await wait_until(page, "document.querySelectorAll('#wall .note').length > 0")
    shot = tmp_path / f"screen-{orientation}.png"
    await page.screenshot(path=str(shot))
    if os.environ.get("QUARTIER_SCREENSHOTS"):  # to look at them: QUARTIER_SCREENSHOTS=/some/dir
        shutil.copy(shot, os.environ["QUARTIER_SCREENSHOTS"])
    overflow = await page.evaluate("""() => {
        const w = innerWidth, h = innerHeight, out = [];
        if (document.documentElement.scrollWidth > w || document.documentElement.scrollHeight > h) out.push('document scrolls');
        for (const node of document.querySelectorAll('body *')) {
            const r = node.getBoundingClientRect();
            if (!r.width || !r.height || getComputedStyle(node).visibility === 'hidden') continue;
            if (r.left < -1 || r.top < -1 || r.right > w + 1 || r.bottom > h + 1) out.push(node.tagName + '#' + node.id + '.' + node.className);
        }
        for (const list of document.querySelectorAll('.list, .notes')) {
            if (list.scrollHeight > list.clientHeight + 1) out.push('cut: ' + list.id);
        }
        return out;
    }""")
    assert overflow == []
    for zone in ("#now", "#next", "#today", "#urgent", "#wall", "#qr", "#clock"):
        assert await page.locator(zone).is_visible(), zone
    assert await page.locator("#today [data-session]").count() >= 2
    data = shot.read_bytes()
    assert png_size(data) == (width, height)
    assert len(data) > 30_000  # a full screen of text and QR codes, not a blank page


async def test_a_tv_browser_pairs_itself_and_shows_its_screen(page, server, client, bearer):
    await add_site(server.app, opening_hours="Mo-Su 00:00-24:00")
    await page.goto("/screens/pair")
    code = await page.get_attribute("#pair-code", "data-code")
    assert len(code) == 6
    r = await client.post(
        "/api/v1/displays/claim", headers=bearer, json={"code": code, "site": "maurepas", "name": "TV"}
    )
    assert r.status == 201
    display_id = (await r.json())["id"]
    await page.wait_for_url(f"**/screens/{display_id}", timeout=8000)
    await wait_until(page, "document.body.dataset.state === 'ready'")
    assert await page.text_content("#site-name") == "ESC Maurepas"
