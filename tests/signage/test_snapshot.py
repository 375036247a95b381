"""The snapshot: what a screen shows, its ETag, and the bus telling it when it changed."""

import asyncio
import datetime as dt

from quartier.typedefs import DB

from .helpers import add_session, add_site, pair, snapshot, today


async def test_the_snapshot_has_the_site_its_week_highlights_qr_codes_and_power(client, bearer, server):
    app = server.app
    day = today(app)
    await add_site(app, opening_hours="Mo-Su 09:00-12:00,14:00-18:00")
    await add_site(app, slug="cleunay", name="ESC Cleunay")
    here = await add_session(app, date=day.isoformat(), title="Permanence CAF", start="09:00", end="12:00")
    await add_session(
        app,
        date=(day + dt.timedelta(days=3)).isoformat(),
        title="Atelier smartphone",
        kind="atelier",
        axis="accompagnement",
        start="14:00",
        end="16:00",
        repeat=None,
    )
    await add_session(
        app,
        site="cleunay",
        date=day.isoformat(),
        title="Forum de Cleunay",
        kind="forum",
        axis="droits",
        start="10:00",
        end="23:59",
        repeat=None,
    )
    screen = await pair(client, bearer)
    r = await snapshot(client, screen)
    snap = await r.json()
    assert snap["site"]["slug"] == "maurepas" and snap["site"]["name"] == "ESC Maurepas"
    assert snap["site"]["hours"][0] == {"date": day.isoformat(), "open": [["09:00", "12:00"], ["14:00", "18:00"]]}
    assert snap["timezone"] == "Europe/Paris" and snap["today"] == day.isoformat()
    titles = [(s["title"], s["day"]) for s in snap["sessions"]]
    assert ("Permanence CAF", day.isoformat()) in titles
    assert ("Atelier smartphone", (day + dt.timedelta(days=3)).isoformat()) in titles
    assert all(s["site"] == "maurepas" for s in snap["sessions"])
    today_caf = next(s for s in snap["sessions"] if s["session"] == here and s["day"] == day.isoformat())
    assert today_caf["status"] == "scheduled"
    assert today_caf["feedback"]["url"] == f"http://quartier.test/f/{here}/{day.isoformat()}"  # the feedback form
    assert today_caf["feedback"]["svg"].startswith("<svg")
    assert [h["title"] for h in snap["highlights"]] == ["Forum de Cleunay"]
    assert snap["qr"]["site"]["url"] == "http://quartier.test/sites/maurepas"
    assert snap["layout"]["orientation"] == "landscape"
    power = snap["power"]
    assert not power["always_on"] and power["margin_minutes"] == 30
    first_on = dt.datetime.fromisoformat(power["on"][0][0])
    assert first_on.date() == day and first_on.strftime("%H:%M") == "08:30"
    assert isinstance(snap["version"], int) and snap["server_time"]


async def test_etag_gives_304_until_something_changes(client, bearer, server):
    app = server.app
    day = today(app)
    await add_site(app)
    session = await add_session(app, date=day.isoformat())
    screen = await pair(client, bearer)
    first = await snapshot(client, screen)
    tag = first.headers["ETag"]
    assert (await snapshot(client, screen, **{"If-None-Match": tag})).status == 304
    r = await client.post(
        f"/api/v1/sessions/{session}/cancellations",
        headers=bearer,
        json={"date": day.isoformat(), "reason": "Formatrice malade"},
    )
    assert r.status in (200, 201), await r.text()
    changed = await snapshot(client, screen, **{"If-None-Match": tag})
    assert changed.status == 200 and changed.headers["ETag"] != tag
    snap = await changed.json()
    cancelled = next(s for s in snap["sessions"] if s["day"] == day.isoformat())
    assert cancelled["status"] == "cancelled" and cancelled["reason"] == "Formatrice malade"


def follow_url(screen: dict, snap: dict) -> str:
    """The socket a screen opens: the channels its snapshot lists, after its version."""
    return f"/ws?channels={','.join(snap['channels'])}&since={snap['version']}&token={screen['token']}"


async def test_a_cancellation_reaches_the_screen_on_the_channels_its_snapshot_lists(client, bearer, server):
    app = server.app
    day = today(app)
    await add_site(app)
    session = await add_session(app, date=day.isoformat())
    screen = await pair(client, bearer)
    snap = await (await snapshot(client, screen)).json()
    assert snap["channels"] == [f"display:{screen['id']}", "programme", "site:maurepas"]
    async with client.ws_connect(follow_url(screen, snap)) as ws:
        loop = asyncio.get_running_loop()
        started = loop.time()
        await client.post(
            f"/api/v1/sessions/{session}/cancellations",
            headers=bearer,
            json={"date": day.isoformat(), "reason": "Fermeture"},
        )
        message = await ws.receive_json(timeout=1)
        assert loop.time() - started < 1
        assert message["type"] == "occurrence.cancelled" and message["seq"] > snap["version"]
    fresh = await (await snapshot(client, screen)).json()
    assert fresh["version"] >= message["seq"]
    assert next(s for s in fresh["sessions"] if s["day"] == day.isoformat())["status"] == "cancelled"


async def test_an_open_board_at_the_site_is_on_the_wall_of_its_screens(client, bearer, server):
    await add_site(server.app)
    await add_site(server.app, slug="cleunay", name="ESC Cleunay")
    here = await pair(client, bearer)
    there = await pair(client, bearer, site="cleunay")
    snap = await (await snapshot(client, here)).json()
    async with client.ws_connect(follow_url(here, snap)) as ws:
        r = await client.post(
            "/api/v1/boards",
            headers=bearer,
            json={"title": "Le quartier en 2030", "moderation": "post", "site": "maurepas"},
        )
        assert r.status == 201, await r.text()
        board = await r.json()
        opened = await ws.receive_json(timeout=1)  # on the site's channel: the screen fetches again
        assert opened["channel"] == "site:maurepas" and opened["data"]["id"] == board["id"]
    snap = await (await snapshot(client, here)).json()
    assert f"board:{board['id']}" in snap["channels"]  # now it follows the board too
    async with client.ws_connect(follow_url(here, snap)) as ws:
        r = await client.post(f"/api/v1/boards/{board['id']}/notes", json={"text": "Plus de bancs au parc"})
        assert r.status == 201, await r.text()
        posted = await ws.receive_json(timeout=1)
        assert posted["channel"] == f"board:{board['id']}" and posted["type"] == "note.published"
    wall = (await (await snapshot(client, here)).json())["boards"][0]
    assert wall["title"] == "Le quartier en 2030"
    assert [n["text"] for n in wall["notes"]] == ["Plus de bancs au parc"]
    assert wall["qr"]["url"] == f"http://quartier.test/j/{board['code']}"
    assert (await (await snapshot(client, there)).json())["boards"] == []


async def test_a_snapshot_read_writes_nothing_and_its_version_moves_only_with_its_channels(client, bearer, server):
    app = server.app
    await add_site(app)
    await add_site(app, slug="cleunay", name="ESC Cleunay")
    screen = await pair(client, bearer)
    before = app[DB].transactions
    first = await snapshot(client, screen)
    again = await snapshot(client, screen, **{"If-None-Match": first.headers["ETag"]})
    assert again.status == 304 and app[DB].transactions == before  # reading it wrote nothing
    # A board opened at another site is not on this screen's channels: same version, still 304.
    r = await client.post("/api/v1/boards", headers=bearer, json={"title": "Ailleurs", "site": "cleunay"})
    assert r.status == 201
    assert (await snapshot(client, screen, **{"If-None-Match": first.headers["ETag"]})).status == 304


async def test_per_screen_schedule_overrides_the_site_hours(client, bearer, server):
    await add_site(server.app, opening_hours="Mo-Su 09:00-12:00")
    screen = await pair(client, bearer)
    r = await client.patch(
        f"/api/v1/displays/{screen['id']}",
        headers=bearer,
        json={"hours_override": "Mo-Su 07:00-22:00", "margin_minutes": 0},
    )
    assert r.status == 200
    power = (await (await snapshot(client, screen)).json())["power"]
    assert power["source"] == "override"
    start, end = (dt.datetime.fromisoformat(t) for t in power["on"][0])
    assert (start.strftime("%H:%M"), end.strftime("%H:%M")) == ("07:00", "22:00")
    r = await client.patch(
        f"/api/v1/displays/{screen['id']}", headers=bearer, json={"hours_override": "n'importe quoi"}
    )
    assert r.status == 422
    await client.patch(f"/api/v1/displays/{screen['id']}", headers=bearer, json={"always_on": True})
    assert (await (await snapshot(client, screen)).json())["power"]["always_on"] is True


async def test_a_participating_sites_screen_shows_the_city_wide_wall_while_the_forum_is_open(client, bearer, server):
    """Issue 22: notes from every site of a forum reach a third site's lobby screen, labelled."""
    app = server.app
    for slug, place in (("maurepas", "Maurepas"), ("cleunay", "Cleunay"), ("blosne", "Le Blosne")):
        await add_site(app, slug=slug, name=f"ESC {place}", neighbourhood=place)
    r = await client.post(
        "/api/v1/forums",
        json={"title": "Temps fort", "sites": ["maurepas", "cleunay", "blosne"], "moderation": "post"},
        headers=bearer,
    )
    forum = await r.json()
    maurepas, cleunay, _blosne = (b["id"] for b in forum["boards"])
    screen = await pair(client, bearer, site="blosne")
    before = await (await snapshot(client, screen)).json()
    assert [b["forum"] for b in before["boards"]] == [forum["id"]]
    assert f"board:{maurepas}" in before["channels"] and f"forum:{forum['id']}" in before["channels"]
    await client.post(f"/api/v1/boards/{maurepas}/notes", json={"text": "Une aide pour la CAF"})
    await client.post(f"/api/v1/boards/{cleunay}/notes", json={"text": "Des ordinateurs prêtés"})
    snap = await (await snapshot(client, screen)).json()
    assert snap["version"] > before["version"]
    assert {(n["text"], n["place"]) for n in snap["boards"][0]["notes"]} == {
        ("Une aide pour la CAF", "Maurepas"),
        ("Des ordinateurs prêtés", "Cleunay"),
    }
    assert snap["boards"][0]["qr"]["url"].endswith(f"/j/{forum['boards'][2]['code']}")  # this site's own code
    await client.post(f"/api/v1/forums/{forum['id']}/state", json={"state": "closed"}, headers=bearer)
    after = await (await snapshot(client, screen)).json()
    assert after["boards"] == []
