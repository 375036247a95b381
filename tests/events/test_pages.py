"""Public and staff programme pages, the iCal feeds and the Atom feed."""

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from events import queries
from quartier.typedefs import DB, SETTINGS

from ..conftest import form, text_of
from .helpers import add_session, add_site

PARIS = ZoneInfo("Europe/Paris")


def today(app) -> dt.date:
    return dt.datetime.now(app[SETTINGS].tz).date()


async def test_home_shows_today_with_the_next_drop_in_help(client, app):
    await add_site(app)
    d = today(app)
    await add_session(
        app,
        title="Toute la journée",
        date=(d - dt.timedelta(days=7)).isoformat(),
        start="00:00",
        end="23:59",
        kind="acces-libre",
        axis="acces-libre",
    )
    await add_session(
        app,
        title="Permanence demain",
        date=(d + dt.timedelta(days=1)).isoformat(),
        start="09:00",
        end="10:00",
        repeat=None,
    )
    html = await (await client.get("/")).text()
    text = text_of(html)
    assert "En ce moment" in text and "Toute la journée" in text.split("En ce moment")[1]
    assert "Prochaine permanence d'aide" in text and "Permanence demain" in text
    assert 'data-live-channels="programme"' in html
    assert "illustratives" not in text  # only the demo says so


async def test_week_filters_and_site_and_session_pages(client, app):
    await add_site(app, accessibility=["step-free"])
    await add_site(app, slug="le-blosne", name="ESC Le Blosne", address="7 boulevard de Yougoslavie")
    id = await add_session(app, date="2025-03-03", audience=["seniors"])
    await add_session(
        app, site="le-blosne", title="Atelier smartphone", kind="atelier", axis="accompagnement", date="2025-03-04"
    )
    text = text_of(await (await client.get("/programme?week=2025-W10")).text())
    assert "Permanence CAF" in text and "Atelier smartphone" in text
    text = text_of(await (await client.get("/programme?week=2025-W10&axis=accompagnement")).text())
    assert "Permanence CAF" not in text and "Atelier smartphone" in text
    text = text_of(await (await client.get("/programme?week=2025-W10&audience=seniors")).text())
    assert "Permanence CAF" in text and "Atelier smartphone" not in text
    assert (await client.get("/programme?week=nope")).status == 400
    site = await client.get("/sites/maurepas?week=2025-W10")
    text = text_of(await site.text())
    assert "lundi – vendredi" in text or "lundi-vendredi" in text
    assert "Accès de plain-pied" in text and "Atelier smartphone" not in text
    html = await (await client.get(f"/sessions/{id}?date=2025-03-10")).text()
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1])
    assert ld["@type"] == "Event" and ld["startDate"] == "2025-03-10T09:00:00+01:00"
    assert ld["location"]["address"]["addressLocality"] == "Rennes"
    assert "<svg" in html and "QR" in html
    assert (await client.get(f"/sessions/{id}?date=2025-03-11")).status == 404
    assert (await client.get("/sites/nowhere")).status == 404


async def test_feeds_expand_to_the_same_occurrences_cancellations_included(client, app, bearer):
    await add_site(app)
    id = await add_session(app, date="2025-03-03", repeat={"every": "weekly", "until": "2025-04-28"})
    await add_session(
        app,
        title="Atelier mensuel",
        kind="atelier",
        axis="accompagnement",
        date="2025-03-25",
        start="14:00",
        end="16:00",
        repeat={"every": "monthly", "count": 3},
    )
    r = await client.post(
        f"/api/v1/sessions/{id}/cancellations", json={"date": "2025-03-10", "reason": "Grève"}, headers=bearer
    )
    assert r.status == 201
    r = await client.post(
        f"/api/v1/sessions/{id}/exceptions",
        headers=bearer,
        json={"date": "2025-03-31", "status": "moved", "new_date": "2025-04-01", "start": "10:00", "end": "12:00"},
    )
    assert r.status == 201, await r.text()
    body = await (await client.get("/calendar.ics")).read()
    cal = icalendar.Calendar.from_ical(body)
    assert cal.walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"
    masters = [e for e in cal.walk("VEVENT") if "RRULE" in e]
    assert len(masters) == 2 and all("RECURRENCE-ID" not in e for e in masters)
    caf = next(e for e in masters if str(e["UID"]).startswith(f"session-{id}@"))
    # The cancelled date is excluded from the series, in the same TZID form as DTSTART...
    exdate = caf["EXDATE"]
    assert exdate.params["TZID"] == caf["DTSTART"].params["TZID"] == "Europe/Paris"
    assert [d.dt for d in exdate.dts] == [dt.datetime(2025, 3, 10, 9, 0, tzinfo=PARIS)]
    # ... and published on its own, cancelled, with the reason, under its own stable UID.
    (cancelled,) = [e for e in cal.walk("VEVENT") if str(e["UID"]).startswith(f"session-{id}-20250310-cancelled@")]
    assert str(cancelled["STATUS"]) == "CANCELLED" and "RRULE" not in cancelled and "RECURRENCE-ID" not in cancelled
    assert cancelled.decoded("DTSTART") == dt.datetime(2025, 3, 10, 9, 0, tzinfo=PARIS)
    assert str(cancelled["SUMMARY"]) == "Annulé : Permanence CAF" and "Grève" in str(cancelled["DESCRIPTION"])
    # A moved date stays an override of the series, with SEQUENCE raised.
    overrides = {e.decoded("RECURRENCE-ID").date(): e for e in cal.walk("VEVENT") if "RECURRENCE-ID" in e}
    assert set(overrides) == {dt.date(2025, 3, 31)}
    assert str(overrides[dt.date(2025, 3, 31)]["UID"]) == str(caf["UID"])
    assert overrides[dt.date(2025, 3, 31)]["SEQUENCE"] > caf["SEQUENCE"]
    # The feed, expanded by a calendar library, gives what the API gives.
    start, end = dt.date(2025, 3, 1), dt.date(2025, 7, 1)
    events = recurring_ical_events.of(cal).between(start, end)
    from_feed = sorted((e.decoded("DTSTART").astimezone(PARIS), str(e.get("STATUS"))) for e in events)
    ours = await app[DB].read(lambda db: queries.occurrences(db, start, end))
    expected = sorted((o["start"], "CANCELLED" if o["status"] == "cancelled" else "CONFIRMED") for o in ours)
    assert from_feed == expected
    # The cancelled date appears once, and only as cancelled.
    on_the_10th = [e for e in events if e.decoded("DTSTART").date() == dt.date(2025, 3, 10)]
    assert [str(e["STATUS"]) for e in on_the_10th] == ["CANCELLED"]
    # In English, the cancelled event says so in English.
    en = icalendar.Calendar.from_ical(
        await (await client.get("/calendar.ics", headers={"Accept-Language": "en"})).read()
    )
    assert "Cancelled: Permanence CAF" in {str(e["SUMMARY"]) for e in en.walk("VEVENT")}
    assert dt.datetime(2025, 4, 1, 10, 0, tzinfo=PARIS) in [s for s, _ in from_feed]
    # UIDs are stable across edits.
    uid = str(caf["UID"])
    await client.put(
        f"/api/v1/sessions/{id}",
        headers=bearer,
        json={
            "site": "maurepas",
            "title": "Permanence CAF",
            "axis": "droits",
            "date": "2025-03-03",
            "start": "09:30",
            "end": "12:00",
            "repeat": {"every": "weekly", "until": "2025-04-28"},
        },
    )
    cal2 = icalendar.Calendar.from_ical(await (await client.get("/sites/maurepas/calendar.ics")).read())
    assert uid in {str(e["UID"]) for e in cal2.walk("VEVENT")}
    axis = icalendar.Calendar.from_ical(await (await client.get("/axes/accompagnement/calendar.ics")).read())
    assert {str(e["SUMMARY"]) for e in axis.walk("VEVENT")} == {"Atelier mensuel"}


async def test_what_changed_page_and_atom_feed(client, app, bearer):
    await add_site(app)
    d = today(app)
    id = await add_session(app, date=d.isoformat())
    await client.post(
        f"/api/v1/sessions/{id}/cancellations",
        json={"date": (d + dt.timedelta(days=7)).isoformat(), "reason": "Formation"},
        headers=bearer,
    )
    text = text_of(await (await client.get("/changes")).text())
    assert "Annulée" in text and "Formation" in text
    r = await client.get("/changes.atom")
    assert r.content_type == "application/atom+xml"
    atom = await r.text()
    assert "<entry>" in atom and "Formation" in atom and "Permanence CAF" in atom


async def test_staff_cancel_today_in_two_clicks(organizer, app):
    await add_site(app)
    d = today(app)
    id = await add_session(app, date=d.isoformat())
    day = await organizer.get("/staff/programme")
    html = await day.text()
    link = re.search(r'href="(/staff/sessions/\d+/occurrences/[\d-]+)#annuler"', html)[1]  # click 1
    page = await organizer.get(link)
    assert "Confirmer l'annulation" in await page.text()
    r = await form(organizer, link, {"status": "cancelled", "reason": ""}, allow_redirects=False)  # click 2
    assert r.status == 303
    occ = await app[DB].read(lambda db: queries.occurrence(db, id, d))
    assert occ["status"] == "cancelled"


async def test_staff_create_edit_and_delete_sites_and_sessions_with_forms(organizer, app):
    r = await form(organizer, "/staff/sites/new", {"slug": "Le Blosne", "name": ""})
    assert r.status == 422 and "Identifiant en minuscules" in await r.text()
    r = await form(
        organizer,
        "/staff/sites/new",
        {
            "slug": "le-blosne",
            "name": "ESC Le Blosne",
            "opening_hours": "Mo-Fr 09:00-17:00",
            "accessibility": "step-free",
        },
        allow_redirects=False,
    )
    assert r.status == 303
    r = await form(
        organizer,
        "/staff/sessions/new",
        {
            "site": "le-blosne",
            "title": "Accès libre",
            "kind": "acces-libre",
            "axis": "acces-libre",
            "date": "2025-03-03",
            "start": "14:00",
            "end": "17:00",
            "repeat_every": "weekly",
            "repeat_interval": "1",
            "free": "on",
        },
        allow_redirects=False,
    )
    assert r.status == 303, await r.text()
    id = int(r.headers["Location"].rsplit("/", 1)[1])
    r = await form(
        organizer,
        f"/staff/sessions/{id}",
        {
            "site": "le-blosne",
            "title": "Accès libre",
            "axis": "acces-libre",
            "date": "2025-03-03",
            "start": "14:00",
            "end": "13:00",
        },
    )
    assert r.status == 422 and "La fin doit suivre le début" in await r.text()
    r = await form(organizer, f"/staff/sessions/{id}/delete", {}, allow_redirects=False)
    assert r.status == 303
    r = await form(organizer, "/staff/sites/le-blosne/delete", {}, allow_redirects=False)
    assert r.status == 303
    assert await app[DB].read(queries.sites) == []


async def test_staff_pages_need_a_login(client):
    r = await client.get("/staff/programme", allow_redirects=False)
    assert r.status == 303 and "/login" in r.headers["Location"]


async def test_a_page_snapshot_resumes_from_its_seq_so_no_change_is_missed(client, app, bearer):
    await add_site(app)
    d = today(app)
    id = await add_session(app, date=d.isoformat())
    html = await (await client.get("/sites/maurepas")).text()
    since = int(re.search(r'data-live-since="(\d+)"', html)[1])
    assert 'data-live-channels="site:maurepas"' in html
    # A cancellation lands after the page was rendered, before its socket connects.
    await client.post(
        f"/api/v1/sessions/{id}/cancellations", json={"date": d.isoformat(), "reason": "Malade"}, headers=bearer
    )
    ws = await client.ws_connect(f"/ws?channels=site:maurepas&since={since}")
    msg = await ws.receive_json(timeout=2)
    assert (msg["type"], msg["data"]["date"], msg["data"]["reason"]) == (
        "occurrence.cancelled",
        d.isoformat(),
        "Malade",
    )
    await ws.close()
