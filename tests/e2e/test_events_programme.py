"""A resident on a phone finds today's programme; a cancellation appears without reloading."""

import datetime as dt

from events import store
from events.model import clean_session, clean_site
from quartier.typedefs import DB, SETTINGS

from .conftest import wait_until

PHONE = {"width": 375, "height": 740}


async def seed(app):
    today = dt.datetime.now(app[SETTINGS].tz).date()
    site = clean_site(
        {
            "slug": "le-blosne",
            "name": "ESC Le Blosne",
            "address": "7 boulevard de Yougoslavie",
            "postal_code": "35200",
            "commune": "Rennes",
            "insee": "35238",
        }
    )
    session = clean_session(
        {
            "site": "le-blosne",
            "title": "Permanence démarches CAF",
            "kind": "permanence",
            "axis": "droits",
            "date": today.isoformat(),
            "start": "23:58",
            "end": "23:59",
            "repeat": {"every": "weekly"},
        }
    )

    def write(tx):
        store.save_site(tx, site)
        return store.save_session(tx, session)[0]

    return today, await app[DB].write(write)


async def test_resident_finds_today_on_a_phone_and_sees_a_cancellation_live(page, server, bearer, base_url):
    today, id = await seed(server.app)
    await page.set_viewport_size(PHONE)
    await page.goto("/")
    assert "Aujourd'hui" in await page.text_content("h1")
    assert await page.is_visible("text=Permanence démarches CAF")
    # Nothing overflows sideways on a phone.
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await wait_until(page, "document.body.dataset.live === 'open'")
    from aiohttp import ClientSession

    async with ClientSession() as http:
        r = await http.post(
            f"{base_url}/api/v1/sessions/{id}/cancellations",
            headers=bearer,
            json={"date": today.isoformat(), "reason": "Médiatrice absente"},
        )
        assert r.status == 201
    await wait_until(page, "document.getElementById('programme').textContent.includes('Médiatrice absente')", timeout=2)
    assert await page.evaluate("document.querySelector('.occurrence.status-cancelled') !== null")
    status = await page.text_content("#live-status")
    assert status == "Programme mis à jour."
