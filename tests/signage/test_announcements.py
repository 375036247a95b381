"""Announcements: who sees them, when, and the images staff may upload."""

import datetime as dt
import io

from quartier.typedefs import SETTINGS
from tests.conftest import form, text_of
from tests.test_hostile_input import png_header

from .helpers import add_site, pair, snapshot

PNG = png_header(640, 360) + b"\x00" * 64  # a poster's header: the server reads its size
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def upload(data: bytes, name: str = "affiche.png") -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


async def titles(client, screen):
    return [a["title"] for a in (await (await snapshot(client, screen)).json())["announcements"]]


async def test_announcements_reach_the_screens_they_target(client, bearer, server):
    await add_site(server.app)
    await add_site(server.app, slug="cleunay", name="ESC Cleunay")
    hall = await pair(client, bearer, name="Hall")
    upstairs = await pair(client, bearer, name="Étage")
    cleunay = await pair(client, bearer, site="cleunay")
    for body in (
        {"title": "Pour tous", "target": "all"},
        {"title": "Pour Maurepas", "target": "sites", "sites": ["maurepas"]},
        {"title": "Pour l'étage", "target": "displays", "displays": [upstairs["id"]], "priority": 3},
        {"title": "Fermeture exceptionnelle", "target": "all", "urgent": True},
    ):
        r = await client.post("/api/v1/announcements", headers=bearer, json=body)
        assert r.status == 201, await r.text()
    assert await titles(client, hall) == ["Fermeture exceptionnelle", "Pour tous", "Pour Maurepas"]
    assert await titles(client, upstairs) == ["Fermeture exceptionnelle", "Pour l'étage", "Pour tous", "Pour Maurepas"]
    assert await titles(client, cleunay) == ["Fermeture exceptionnelle", "Pour tous"]
    urgent = (await (await snapshot(client, hall)).json())["announcements"][0]
    assert urgent["urgent"] is True


async def test_the_validity_window_is_kept(client, bearer, server):
    await add_site(server.app)
    screen = await pair(client, bearer)
    now = dt.datetime.now(server.app[SETTINGS].tz)
    later = (now + dt.timedelta(days=2)).replace(second=0, microsecond=0)
    for body in (
        {"title": "Passée", "ends": (now - dt.timedelta(hours=1)).isoformat()},
        {
            "title": "En cours",
            "starts": (now - dt.timedelta(hours=1)).isoformat(),
            "ends": (now + dt.timedelta(hours=1)).isoformat(),
        },
        {"title": "Dans deux jours", "starts": later.strftime("%Y-%m-%dT%H:%M")},  # local time, as a form sends it
        {"title": "Dans un mois", "starts": (now + dt.timedelta(days=30)).isoformat()},
    ):
        assert (await client.post("/api/v1/announcements", headers=bearer, json=body)).status == 201
    announcements = (await (await snapshot(client, screen)).json())["announcements"]
    assert [a["title"] for a in announcements] == ["En cours", "Dans deux jours"]
    # The screen shows "Dans deux jours" only from its start: it gets the window with it.
    assert dt.datetime.fromisoformat(announcements[1]["starts"]) == later
    r = await client.post(
        "/api/v1/announcements",
        headers=bearer,
        json={"title": "À l'envers", "starts": now.isoformat(), "ends": (now - dt.timedelta(hours=1)).isoformat()},
    )
    assert r.status == 422


async def test_editing_or_deleting_an_announcement_updates_the_screens(client, bearer, server):
    await add_site(server.app)
    screen = await pair(client, bearer)
    created = await (await client.post("/api/v1/announcements", headers=bearer, json={"title": "Wi-Fi"})).json()
    version = (await (await snapshot(client, screen)).json())["version"]
    r = await client.put(f"/api/v1/announcements/{created['id']}", headers=bearer, json={"title": "Wi-Fi gratuit"})
    assert r.status == 200
    snap = await (await snapshot(client, screen)).json()
    assert [a["title"] for a in snap["announcements"]] == ["Wi-Fi gratuit"] and snap["version"] > version
    assert (await client.delete(f"/api/v1/announcements/{created['id']}", headers=bearer)).status == 204
    assert await titles(client, screen) == []


async def test_staff_upload_an_image_checked_by_its_bytes(organizer, client, bearer, server):
    await add_site(server.app)
    screen = await pair(client, bearer)
    r = await form(
        organizer,
        "/staff/announcements",
        {"title": "Affiche", "target": "all", "image": upload(PNG)},
        allow_redirects=False,
    )
    assert r.status == 303, await r.text()
    announcement = (await (await snapshot(client, screen)).json())["announcements"][0]
    image = await client.get(announcement["image"])
    assert image.status == 200 and image.headers["Content-Type"] == "image/png" and await image.read() == PNG
    assert "immutable" in image.headers["Cache-Control"]
    # An SVG (scripts!), even named .png, is refused; so is a file that is too large.
    r = await form(organizer, "/staff/announcements", {"title": "Piège", "target": "all", "image": upload(SVG)})
    assert r.status == 415 and "SVG" in text_of(await r.text())
    r = await form(
        organizer,
        "/staff/announcements",
        {"title": "Énorme", "target": "all", "image": upload(b"\xff\xd8\xff" + b"\x00" * 900_000, "grand.jpg")},
    )
    assert r.status == 413
    assert await titles(client, screen) == ["Affiche"]


async def test_staff_pages_list_pair_and_edit_screens(organizer, client, server):
    await add_site(server.app)
    pairing = await (await client.post("/api/v1/displays/pair", json={})).json()
    page = await organizer.get("/staff/screens")
    assert page.status == 200 and "Jumeler un nouvel écran" in text_of(await page.text())
    r = await form(
        organizer,
        "/staff/screens/claim",
        {"code": pairing["code"], "site": "maurepas", "name": "Hall", "orientation": "landscape"},
        allow_redirects=False,
    )
    assert r.status == 303
    display_url = r.headers["Location"]
    r = await form(
        organizer,
        display_url,
        {
            "name": "Hall d'entrée",
            "site": "maurepas",
            "orientation": "portrait",
            "margin_minutes": "15",
            "hours_override": "",
        },
        allow_redirects=False,
    )
    assert r.status == 303
    page = text_of(await (await organizer.get(display_url)).text())
    assert "Hall d'entrée" in page
    listing = text_of(await (await organizer.get("/staff/screens")).text())
    # Claimed, the screen has not fetched its token yet: it is on its way, not "non jumelé" (issue 23).
    assert "Hall d'entrée" in listing and "Code accepté" in listing and "Non jumelé" not in listing
    r = await form(organizer, display_url + "/revoke", {}, allow_redirects=False)
    assert r.status == 303


async def test_an_announcement_image_carries_the_text_staff_gave_it(organizer, client, bearer, server):
    """Issue 26 (RGAA 1.1): what the image shows, typed by staff, reaches the screen as its alt."""
    await add_site(server.app)
    screen = await pair(client, bearer)
    page = await organizer.get("/staff/announcements")
    assert 'name="image_alt"' in await page.text()
    alt = "Affiche : atelier CV le mardi à 14 h, salle 2"
    r = await form(
        organizer,
        "/staff/announcements",
        {"title": "Affiche", "target": "all", "image": upload(PNG), "image_alt": alt},
        allow_redirects=False,
    )
    assert r.status == 303, await r.text()
    announcement = (await (await snapshot(client, screen)).json())["announcements"][0]
    assert announcement["image_alt"] == alt


async def test_every_qr_code_of_a_screen_has_its_text_to_type(client, bearer, server):
    """Issue 26 (RGAA 1.1): beside each QR code, the short address, and a board's join code."""
    await add_site(server.app)
    screen = await pair(client, bearer)
    r = await client.post(
        "/api/v1/boards", headers=bearer, json={"title": "Le parc", "moderation": "post", "site": "maurepas"}
    )
    code = (await r.json())["code"]
    snap = await (await snapshot(client, screen)).json()
    board_qr = snap["boards"][0]["qr"]
    assert board_qr["code"] == code and board_qr["join"].endswith("/j") and "://" not in board_qr["join"]
    assert snap["qr"]["site"]["short"].endswith("/sites/maurepas") and "://" not in snap["qr"]["site"]["short"]
