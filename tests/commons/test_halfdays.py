"""Free half-days booked (issue 19, point 3): rooms as objects of a site, requests by partner accounts
and staff (one date or a weekly series), refused at once with a reason on a conflict, accepted by an
organizer into a session of the programme whose hours the dashboard counts at once."""

from __future__ import annotations

import asyncio
import sqlite3

import sqlite_utils

from events import queries
from events import schema as events_schema
from quartier.db import Database
from quartier.schema import core_migrations
from quartier.typedefs import DB
from tests.conftest import form, text_of
from tests.events.helpers import add_session, add_site

from .helpers import add_partner, partner_account, partner_token

TUESDAY = "2099-03-03"  # a Tuesday; Maurepas opens Mo-Fr 09:00-12:00,13:30-17:30
AFTERNOON = {"title": "Permanence numérique", "axis": "accompagnement", "kind": "permanence"}
AFTERNOON |= {"date": TUESDAY, "start": "14:00", "end": "17:00"}


async def _setup(app, make_client):
    await add_site(app)
    await add_session(app, title="Atelier tablette", date="2099-03-02", room="Salle 2", repeat={"every": "weekly"})
    caf = await add_partner(app, "caf-35", "CAF d'Ille-et-Vilaine", short_name="CAF", kind="caf")
    client = await partner_account(app, make_client, "caf", caf)
    room = next(r for r in await app[DB].read(queries.rooms) if r["name"] == "Salle 2")
    return client, room


async def test_the_migration_keeps_todays_room_names_as_rooms(tmp_path):
    """Sessions written before 0008_rooms name rooms in text: each name becomes a room of its site."""
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    core_migrations.apply(db)
    events_schema.migrations.apply(db, stop_before="0008_rooms")
    db.execute("INSERT INTO sites (slug, name, updated) VALUES ('maurepas', 'ESC Maurepas', 0)")
    for title, room in (("A", "Salle 2"), ("B", "Salle 2 "), ("C", "Bureau 3"), ("D", "")):
        db.execute(
            "INSERT INTO sessions (key, site_id, title, kind, axis, room, first_date, start_time, end_time, "
            "created, updated) VALUES (?, 1, ?, 'atelier', 'droits', ?, '2026-01-05', '09:00', '12:00', 0, 0)",
            (title, title, room),
        )
    db.conn.close()
    database = Database(path)
    await database.open([events_schema.migrations])
    rooms = await database.read(queries.rooms)
    await database.close()
    assert [(r["site"], r["name"]) for r in rooms] == [("maurepas", "Bureau 3"), ("maurepas", "Salle 2")]


async def test_a_partner_books_a_free_tuesday_afternoon_and_the_organizer_accepts_it(app, organizer, make_client):
    caf, room = await _setup(app, make_client)
    page = text_of(await (await caf.get("/espaces?site=maurepas&week=2099-W10")).text())
    assert "Salle 2" in page and "Atelier tablette" in page and "Libre : demander" in page
    ws = await organizer.ws_connect("/ws?channels=halfdays&since=0")
    response = await form(caf, f"/espaces/salles/{room['id']}/demande", AFTERNOON, allow_redirects=False)
    assert response.status == 303, await response.text()
    message = await asyncio.wait_for(ws.receive_json(), 5)
    assert (message["channel"], message["type"]) == ("halfdays", "room_request.created")

    before = await app[DB].read(lambda db: queries.occurrences(db, *_week()))
    queue = text_of(await (await organizer.get("/staff/demandes-salles")).text())
    assert "Permanence numérique" in queue and "CAF d'Ille-et-Vilaine" in queue
    id = message["data"]["id"]
    site_ws = await organizer.ws_connect("/ws?channels=site:maurepas&since=0")
    response = await form(organizer, f"/staff/demandes-salles/{id}/accept", {}, allow_redirects=False)
    assert response.status == 303
    created = await asyncio.wait_for(_next_of(site_ws, "session.created"), 5)
    assert created["channel"] == "site:maurepas"
    after = await app[DB].read(lambda db: queries.occurrences(db, *_week()))
    new = [o for o in after if o not in before]
    assert [(o["title"], o["partner_key"], o["room"], o["start"].hour) for o in new] == [
        ("Permanence numérique", "caf-35", "Salle 2", 14)
    ]
    programme = text_of(await (await caf.get("/sites/maurepas?week=2099-W10")).text())
    assert "Permanence numérique" in programme
    dashboard = text_of(await (await organizer.get("/dashboard?from=2099-W10&to=2099-W10&week=2099-W10")).text())
    assert "Salle 2" in dashboard
    assert "Semaine du 2 mars 2099 : 3 h de service viennent de demi-journées de salles réservées" in dashboard


async def _next_of(ws, type):
    while (message := await ws.receive_json())["type"] != type:
        pass
    return message


def _week():
    import datetime as dt

    return dt.date(2099, 3, 2), dt.date(2099, 3, 8)


async def test_conflicts_are_refused_with_their_reason(app, make_client):
    caf, room = await _setup(app, make_client)
    url = f"/espaces/salles/{room['id']}/demande"
    # Monday morning: the workshop holds the room.
    taken = await form(caf, url, {**AFTERNOON, "date": "2099-03-02", "start": "09:30", "end": "11:30"})
    assert taken.status == 409
    assert "La salle est prise le 2099-03-02 par « Atelier tablette »" in text_of(await taken.text())
    # Tuesday at lunch time the site is closed.
    closed = await form(caf, url, {**AFTERNOON, "start": "12:30", "end": "13:00"})
    assert closed.status == 409 and "est fermé le 2099-03-03" in text_of(await closed.text())
    # A first request for Tuesday afternoon, then a series over it.
    assert (await form(caf, url, AFTERNOON, allow_redirects=False)).status == 303
    series = await form(caf, url, {**AFTERNOON, "date": "2099-02-24", "until": "2099-03-31"})
    assert series.status == 409
    assert "Une autre demande attend déjà une réponse pour le 2099-03-03" in text_of(await series.text())
    # The past, and an end before the start, are wrong fields.
    past = await form(caf, url, {**AFTERNOON, "date": "2020-03-03"})
    assert past.status == 422 and "Cette date est passée" in text_of(await past.text())
    backwards = await form(caf, url, {**AFTERNOON, "start": "16:00", "end": "15:00"})
    assert backwards.status == 422 and "La fin doit suivre le début" in text_of(await backwards.text())


async def test_the_api_lists_free_half_days_and_takes_requests(app, server, make_client):
    _caf, room = await _setup(app, make_client)
    caf_id = await app[DB].read(lambda db: queries.partner_id(db, "caf-35"))
    headers = await partner_token(app, "caf-api", caf_id)
    client = await make_client()
    listed = await (await client.get("/api/v1/rooms?site=maurepas&week=2099-W10", headers=headers)).json()
    salle = next(r for r in listed["rooms"] if r["name"] == "Salle 2")
    monday = salle["days"][0]
    assert monday["date"] == "2099-03-02" and monday["halves"]["morning"]["state"] == "used"
    assert salle["free"] == 9
    url = f"/api/v1/rooms/{room['id']}/requests"
    created = await client.post(url, json={**AFTERNOON, "until": "2099-03-24"}, headers=headers)
    assert created.status == 201, await created.text()
    assert (await created.json())["state"] == "pending"
    again = await client.post(url, json=AFTERNOON, headers=headers)
    assert again.status == 409 and (await again.json())["error"]["code"] == "requested"
    wrong = await client.post(url, json={**AFTERNOON, "end": "13:30", "start": "11:00"}, headers=headers)
    assert wrong.status == 422


async def test_an_organizer_gives_a_room_its_capacity_equipment_and_accessibility(app, organizer, make_client):
    _caf, room = await _setup(app, make_client)
    data = {"capacity": "12", "equipment": "6 postes, vidéoprojecteur", "accessibility": "step-free"}
    response = await form(organizer, f"/espaces/salles/{room['id']}", data, allow_redirects=False)
    assert response.status == 303
    saved = await app[DB].read(lambda db: queries.room(db, room["id"]))
    assert (saved["capacity"], saved["equipment"], saved["accessibility"]) == (
        12,
        ["6 postes", "vidéoprojecteur"],
        ["step-free"],
    )
    page = text_of(await (await organizer.get("/espaces?site=maurepas&week=2099-W10")).text())
    assert "12 places" in page and "6 postes, vidéoprojecteur" in page
    wrong = await form(organizer, f"/espaces/salles/{room['id']}", {**data, "capacity": "0"})
    assert wrong.status == 422
