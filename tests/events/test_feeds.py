"""Issue 17: feeds revalidate cheaply, the series' SEQUENCE follows its EXDATEs, and one session or one
date goes into a calendar from its page."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from zoneinfo import ZoneInfo

import icalendar

from .helpers import add_session, add_site

PARIS = ZoneInfo("Europe/Paris")


def master(body: bytes, id: int) -> icalendar.Event:
    cal = icalendar.Calendar.from_ical(body)
    return next(e for e in cal.walk("VEVENT") if str(e["UID"]).startswith(f"session-{id}@") and "RRULE" in e)


async def test_a_cancellation_raises_the_series_sequence(client, app, bearer):
    await add_site(app)
    id = await add_session(app, date="2026-03-02", repeat={"every": "weekly"})
    before = master(await (await client.get("/calendar.ics")).read(), id)["SEQUENCE"]
    r = await client.post(f"/api/v1/sessions/{id}/cancellations", json={"date": "2026-03-09"}, headers=bearer)
    assert r.status == 201
    cancelled = master(await (await client.get("/calendar.ics")).read(), id)
    assert "EXDATE" in cancelled and cancelled["SEQUENCE"] > before
    # Restoring the date removes the EXDATE: the series changes again, its SEQUENCE rises again.
    r = await client.post(
        f"/api/v1/sessions/{id}/exceptions", json={"date": "2026-03-09", "status": "scheduled"}, headers=bearer
    )
    restored = master(await (await client.get("/calendar.ics")).read(), id)
    assert "EXDATE" not in restored and restored["SEQUENCE"] > cancelled["SEQUENCE"]


async def test_ics_and_atom_answer_304_until_the_programme_changes(client, app, bearer):
    await add_site(app)
    today = dt.datetime.now(PARIS).date()
    monday = today + dt.timedelta(days=7 - today.weekday())
    id = await add_session(app, date=(monday - dt.timedelta(days=14)).isoformat(), repeat={"every": "weekly"})
    for path in ("/calendar.ics", "/sites/maurepas/calendar.ics", f"/sessions/{id}/calendar.ics", "/changes.atom"):
        r = await client.get(path)
        assert r.status == 200, path
        etag, modified = r.headers["ETag"], r.headers["Last-Modified"]
        assert email.utils.parsedate_to_datetime(modified).tzinfo is not None
        assert (await client.get(path, headers={"If-None-Match": etag})).status == 304
        assert (await client.get(path, headers={"If-None-Match": f'W/{etag}, "other"'})).status == 304
        assert (await client.get(path, headers={"If-Modified-Since": modified})).status == 304
        assert (await client.get(path, headers={"If-None-Match": '"stale"'})).status == 200
        assert (await client.get(path, headers={"If-Modified-Since": "not a date"})).status == 200
    r = await client.get("/calendar.ics")
    etag = r.headers["ETag"]
    atom = await client.get("/changes.atom")
    await client.post(f"/api/v1/sessions/{id}/cancellations", json={"date": monday.isoformat()}, headers=bearer)
    r = await client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert r.status == 200 and r.headers["ETag"] != etag
    r = await client.get("/changes.atom", headers={"If-None-Match": atom.headers["ETag"]})
    assert r.status == 200 and "Permanence CAF" in await r.text()


async def test_a_session_and_one_of_its_dates_go_into_a_calendar(client, app, bearer):
    await add_site(app, latitude=48.1283, longitude=-1.6555)
    id = await add_session(app, date="2026-03-02", start="09:00", end="12:00", repeat={"every": "weekly"})
    await client.post(
        f"/api/v1/sessions/{id}/exceptions",
        headers=bearer,
        json={"date": "2026-03-16", "status": "moved", "start": "14:00", "end": "16:00", "room": "Salle 5"},
    )
    html = await (await client.get(f"/sessions/{id}?date=2026-03-09")).text()
    assert f'href="/sessions/{id}/calendar.ics?date=2026-03-09"' in html
    assert f'href="/sessions/{id}/calendar.ics"' in html
    assert f'href="webcal://quartier.test/sessions/{id}/calendar.ics"' in html
    assert f'<link rel="alternate" type="text/calendar" href="/sessions/{id}/calendar.ics"' in html
    assert "Ajouter à mon agenda" in html or "Ajouter toutes les dates à mon agenda" in html
    # The whole session: its series, with the street address and the room.
    r = await client.get(f"/sessions/{id}/calendar.ics")
    assert r.status == 200 and r.content_type == "text/calendar"
    assert f'filename="seance-{id}.ics"' in r.headers["Content-Disposition"]
    cal = icalendar.Calendar.from_ical(await r.read())
    events = cal.walk("VEVENT")
    assert {str(e["UID"]).split("@")[0] for e in events} == {f"session-{id}"}
    series = next(e for e in events if "RRULE" in e)
    assert str(series["LOCATION"]) == "ESC Maurepas, Salle 2, rue Guy Ropartz, 35700 Rennes"
    assert series["GEO"].latitude == 48.1283
    moved = next(e for e in events if "RECURRENCE-ID" in e)
    assert str(moved["LOCATION"]) == "ESC Maurepas, Salle 5, rue Guy Ropartz, 35700 Rennes"
    # One date alone: its own UID, its own (moved) time.
    r = await client.get(f"/sessions/{id}/calendar.ics?date=2026-03-16")
    [one] = icalendar.Calendar.from_ical(await r.read()).walk("VEVENT")
    assert str(one["UID"]) == f"session-{id}-20260316@quartier.test" and "RRULE" not in one
    assert one.decoded("DTSTART") == dt.datetime(2026, 3, 16, 14, 0, tzinfo=PARIS)
    assert "Salle 5" in str(one["LOCATION"]) and str(one["URL"]).endswith(f"/sessions/{id}?date=2026-03-16")
    assert (await client.get(f"/sessions/{id}/calendar.ics?date=2026-03-17")).status == 404
    assert (await client.get(f"/sessions/{id}/calendar.ics?date=mardi")).status == 400
    assert (await client.get("/sessions/999/calendar.ics")).status == 404


async def test_site_and_programme_pages_announce_their_calendars(client, app):
    await add_site(app)
    await add_session(app, date="2026-03-02", repeat={"every": "weekly"})
    site = await (await client.get("/sites/maurepas")).text()
    assert '<link rel="alternate" type="text/calendar" href="/sites/maurepas/calendar.ics"' in site
    assert 'href="webcal://quartier.test/sites/maurepas/calendar.ics"' in site
    week = await (await client.get("/programme")).text()
    assert '<link rel="alternate" type="text/calendar" href="/calendar.ics"' in week
    assert 'href="webcal://quartier.test/calendar.ics"' in week
    filtered = await (await client.get("/programme?site=maurepas")).text()
    assert re.search(r'<link rel="alternate" type="text/calendar" href="/sites/maurepas/calendar.ics"', filtered)
