"""The equipment bank (issue 19, point 1): a catalogue of shared means, bookings over half-days with
conflicts named, the owner's answer, check-out and return with the condition, the late list, the
item's calendar and iCal, and a public catalogue that never shows who borrowed what."""

from __future__ import annotations

import asyncio
import datetime as dt

import icalendar
import pytest

from commons import means
from quartier.typedefs import DB
from tests.conftest import form, text_of
from tests.events.helpers import add_site

from .helpers import add_partner, partner_account, partner_token

FAR = "2099-03-"  # dates to come whatever today is


async def _bank(app, make_client):
    """The city owns a laptop case; the CAF borrows. Returns (city client, CAF client, item id)."""
    await add_site(app)
    city = await add_partner(app, "ville", "Ville de Rennes", kind="city")
    caf = await add_partner(app, "caf-35", "CAF d'Ille-et-Vilaine", short_name="CAF", kind="caf")
    owner = await partner_account(app, make_client, "ville", city)
    borrower = await partner_account(app, make_client, "caf", caf)
    response = await form(
        owner,
        "/materiel",
        {"name": "Valise de 8 portables", "kind": "laptop_case", "condition": "good", "needs": "trained"},
        allow_redirects=False,
    )
    assert response.status == 303, await response.text()
    id = int(response.headers["Location"].rsplit("/", 1)[1])
    return owner, borrower, id


BOOKING = {"start_date": FAR + "03", "start_half": "afternoon", "end_date": FAR + "05", "end_half": "morning"}
BOOKING |= {"purpose": "Atelier démarches en ligne"}


async def test_two_overlapping_bookings_the_second_refused_naming_the_first(app, make_client):
    owner, borrower, id = await _bank(app, make_client)
    ws = await owner.ws_connect("/ws?channels=means&since=0")
    first = await form(borrower, f"/materiel/{id}/reservations", BOOKING, allow_redirects=False)
    assert first.status == 303
    while (await asyncio.wait_for(ws.receive_json(), 5))["type"] != "booking.created":
        pass
    # The 5th in the morning is the first booking's last half-day: refused, the first one named.
    overlap = {**BOOKING, "start_date": FAR + "05", "start_half": "morning", "end_date": FAR + "06"}
    second = await form(owner, f"/materiel/{id}/reservations", overlap)
    assert second.status == 409
    said = text_of(await second.text())
    assert "Déjà réservé du 2099-03-03 au 2099-03-05 par CAF d'Ille-et-Vilaine : « Atelier démarches en ligne »" in said
    # The afternoon after is free.
    after = {**overlap, "start_half": "afternoon"}
    assert (await form(owner, f"/materiel/{id}/reservations", after, allow_redirects=False)).status == 303


async def test_the_owner_answers_checks_out_and_takes_back_with_the_condition(app, make_client, organizer):
    owner, borrower, id = await _bank(app, make_client)
    await form(borrower, f"/materiel/{id}/reservations", BOOKING)
    [b] = await app[DB].read(lambda db: means.bookings(db, means_id=id))
    # The borrower cannot accept its own request; the owner can.
    assert (await form(borrower, f"/materiel/reservations/{b['id']}/accept", {})).status == 403
    assert (await form(owner, f"/materiel/reservations/{b['id']}/accept", {}, allow_redirects=False)).status == 303
    await form(owner, f"/materiel/reservations/{b['id']}/checkout", {"note": "8 portables, chargeurs"})
    out = await app[DB].read(lambda db: means.booking(db, b["id"]))
    assert (out["state"], out["out_note"]) == ("out", "8 portables, chargeurs")
    # Out past its end, the item is late; booking it again is refused while it is out.
    today = dt.date(2099, 3, 9)
    late = await app[DB].read(lambda db: means.late(db, today))
    assert [x["id"] for x in late] == [b["id"]]
    await app[DB].write(
        lambda tx: tx.execute(
            "UPDATE commons_bookings SET start_date = '2000-01-01', end_date = '2000-01-02' WHERE id = ?", (b["id"],)
        )
    )
    page = text_of(await (await organizer.get("/materiel/retards")).text())
    assert "Valise de 8 portables" in page and "CAF d'Ille-et-Vilaine" in page
    refused = await form(borrower, f"/materiel/{id}/reservations", BOOKING)
    assert refused.status == 409 and "est sorti" in text_of(await refused.text())
    await form(owner, f"/materiel/reservations/{b['id']}/return", {"note": "un chargeur manque"})
    back = await app[DB].read(lambda db: means.booking(db, b["id"]))
    assert (back["state"], back["return_note"]) == ("returned", "un chargeur manque")


async def test_the_item_calendar_and_its_ical(app, make_client):
    owner, borrower, id = await _bank(app, make_client)
    await form(borrower, f"/materiel/{id}/reservations", BOOKING)
    feed = await owner.get(f"/materiel/{id}/calendar.ics")
    assert feed.status == 200 and feed.content_type == "text/calendar"
    cal = icalendar.Calendar.from_ical(await feed.read())
    [event] = [c for c in cal.walk("VEVENT")]
    assert str(event["summary"]) == "Valise de 8 portables : Réservé (CAF d'Ille-et-Vilaine)"
    assert event.decoded("dtstart").isoformat() == "2099-03-03T13:00:00+01:00"
    assert event.decoded("dtend").isoformat() == "2099-03-05T13:00:00+01:00"


async def test_the_catalogue_is_not_public_by_default(app, make_client, client):
    _owner, _borrower, id = await _bank(app, make_client)
    for path in ("/banque-materiel", f"/materiel/{id}/calendar.ics", f"/materiel/{id}"):
        assert (await client.get(path, allow_redirects=False)).status in (302, 303, 401, 403)


class TestPublicCatalogue:
    @pytest.fixture
    def settings(self, settings):
        return settings.replace(means_catalogue_public=True)

    async def test_it_shows_what_exists_and_whom_to_ask_never_who_borrowed_it(self, app, make_client, client):
        _owner, borrower, id = await _bank(app, make_client)
        await form(borrower, f"/materiel/{id}/reservations", BOOKING)
        page = await client.get("/banque-materiel")
        assert page.status == 200
        said = text_of(await page.text())
        assert "Valise de 8 portables" in said and "Ville de Rennes" in said and "Une personne formée" in said
        assert "CAF" not in said and "Atelier démarches" not in said
        public_ics = await (await client.get(f"/materiel/{id}/calendar.ics")).text()
        assert "Réservé" in public_ics and "CAF" not in public_ics
        assert (await client.get(f"/materiel/{id}", allow_redirects=False)).status in (302, 303, 401, 403)


async def test_the_api_books_refuses_bad_spans_and_will_not_delete_a_booked_item(app, make_client):
    _owner, _borrower, id = await _bank(app, make_client)
    caf = await app[DB].read(lambda db: db.conn.execute("SELECT id FROM partners WHERE key = 'caf-35'").fetchone()[0])
    city = await app[DB].read(lambda db: db.conn.execute("SELECT id FROM partners WHERE key = 'ville'").fetchone()[0])
    caf_headers = await partner_token(app, "caf-api", caf)
    city_headers = await partner_token(app, "ville-api", city)
    api = await make_client()
    listed = await (await api.get("/api/v1/means", headers=caf_headers)).json()
    assert [(m["name"], m["owner"], m["needs"]) for m in listed["means"]] == [
        ("Valise de 8 portables", "ville", ["trained"])
    ]
    url = f"/api/v1/means/{id}/bookings"
    made = await api.post(url, json=BOOKING, headers=caf_headers)
    assert made.status == 201
    again = await api.post(url, json=BOOKING, headers=caf_headers)
    assert again.status == 409 and (await again.json())["error"]["code"] == "booked"
    past = await api.post(url, json={**BOOKING, "start_date": "2020-01-01"}, headers=caf_headers)
    assert past.status == 422 and "passée" in (await past.json())["error"]["message"]
    backwards = await api.post(url, json={**BOOKING, "end_date": FAR + "02"}, headers=caf_headers)
    assert backwards.status == 422 and "La fin doit suivre le début" in (await backwards.json())["error"]["message"]
    # Deleting is for the owner; refused while the booking is to come, naming it.
    assert (await api.delete(f"/api/v1/means/{id}", headers=caf_headers)).status == 403
    refused = await api.delete(f"/api/v1/means/{id}", headers=city_headers)
    assert refused.status == 409
    assert "2099-03-03 → 2099-03-05 (CAF d'Ille-et-Vilaine)" in (await refused.json())["error"]["message"]
    [b] = (await (await api.get("/api/v1/bookings", headers=city_headers)).json())["bookings"]
    answer = await api.post(f"/api/v1/bookings/{b['id']}/decision", json={"action": "refuse"}, headers=city_headers)
    assert (await answer.json())["state"] == "refused"
    assert (await api.delete(f"/api/v1/means/{id}", headers=city_headers)).status == 204


async def test_an_item_has_a_photo_shown_on_its_page(app, make_client):
    from .helpers import png_bytes, post_with_file

    await add_site(app)
    city = await add_partner(app, "ville", "Ville de Rennes", kind="city")
    owner = await partner_account(app, make_client, "ville", city)
    await owner.get("/materiel")
    fields = {"name": "Minibus", "kind": "vehicle", "condition": "good"}
    response = await post_with_file(owner, "/materiel", fields, "photo", png_bytes(320, 200), allow_redirects=False)
    assert response.status == 303, await response.text()
    page = await (await owner.get(response.headers["Location"])).text()
    [src] = [p.split('"')[0] for p in page.split('class="means-photo" src="')[1:]]
    image = await owner.get(src)
    assert image.status == 200 and image.content_type == "image/png"
    bad = await post_with_file(owner, "/materiel", fields, "photo", b"not an image at all")
    assert bad.status == 415 and "Image refusée" in await bad.text()
