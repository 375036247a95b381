"""Issue 17: the iCal feeds read the same in the calendar libraries people really use.

Mozilla's ical.js (Thunderbird, Nextcloud Calendar) runs in Node; vobject (Radicale, khal and
many Python tools) and icalendar with recurring-ical-events in Python. Each must give exactly
the occurrences of the API, cancelled ones as cancelled, across both daylight-saving changes.
Before the fix, ical.js read 535 of the demo's 925 occurrences of 2026 an hour late.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import vobject

from events.feature import demo as events_demo
from quartier.demo import DemoContext
from quartier.typedefs import DB, SETTINGS

from .helpers import add_session, add_site

READERS = Path(__file__).parent.parent / "calendars"
PARIS = ZoneInfo("Europe/Paris")
UID = re.compile(r"^session-(\d+)(?:-\d{8}-cancelled)?@")
YEAR = (dt.date(2026, 1, 1), dt.date(2027, 1, 1))


def ical_js(ics: bytes, start: dt.date, end: dt.date) -> list[dict]:
    """Mozilla's ical.js expands the feed (tests/calendars/expand.mjs); CI installs it with npm ci."""
    node = shutil.which("node")
    assert node, "Node.js is needed to run Mozilla's ical.js (.ci/run installs it)"
    assert (READERS / "node_modules" / "ical.js").is_dir(), "run `npm ci --prefix tests/calendars` (.ci/run does)"
    done = subprocess.run(
        [node, str(READERS / "expand.mjs"), start.isoformat(), end.isoformat()],
        input=ics,
        capture_output=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


def _key(uid: str, start: dt.datetime, end: dt.datetime, status: str) -> tuple:
    match = UID.match(uid)
    assert match, uid
    utc = dt.UTC
    return (int(match[1]), start.astimezone(utc), end.astimezone(utc), status.upper() == "CANCELLED")


def from_ical_js(ics: bytes, start: dt.date, end: dt.date) -> set[tuple]:
    return {
        _key(o["uid"], dt.datetime.fromisoformat(o["start"]), dt.datetime.fromisoformat(o["end"]), o["status"])
        for o in ical_js(ics, start, end)
    }


def from_icalendar(ics: bytes, start: dt.date, end: dt.date) -> set[tuple]:
    events = recurring_ical_events.of(icalendar.Calendar.from_ical(ics)).between(start, end)
    return {_key(str(e["UID"]), e.decoded("DTSTART"), e.decoded("DTEND"), str(e.get("STATUS", ""))) for e in events}


def from_vobject(ics: bytes, start: dt.date, end: dt.date) -> set[tuple]:
    """vobject expands each master's rule set (its own VTIMEZONE reading); overrides replace their date."""
    cal = vobject.readOne(ics.decode())
    lo = dt.datetime.combine(start, dt.time.min, dt.UTC)
    hi = dt.datetime.combine(end, dt.time.min, dt.UTC)
    events = list(cal.vevent_list)
    overrides = {(e.uid.value, e.recurrence_id.value) for e in events if hasattr(e, "recurrence_id")}
    found = set()
    for e in events:
        status = e.status.value if hasattr(e, "status") else ""
        if hasattr(e, "recurrence_id") or not hasattr(e, "rrule"):
            begin, finish = e.dtstart.value, e.dtend.value
            if lo <= begin < hi:
                found.add(_key(e.uid.value, begin, finish, status))
            continue
        length = e.dtend.value - e.dtstart.value
        for begin in e.getrruleset(addRDate=True).between(lo - dt.timedelta(days=1), hi, inc=True):
            if lo <= begin < hi and (e.uid.value, begin) not in overrides:
                found.add(_key(e.uid.value, begin, begin + length, status))
    return found


async def from_api(client, start: dt.date, end: dt.date) -> set[tuple]:
    last = end - dt.timedelta(days=1)
    r = await client.get("/api/v1/sessions", params={"from": start.isoformat(), "to": last.isoformat()})
    assert r.status == 200
    return {
        (o["session"], *(dt.datetime.fromisoformat(o[k]).astimezone(dt.UTC) for k in ("start", "end")))
        + (o["status"] == "cancelled",)
        for o in (await r.json())["occurrences"]
    }


async def test_every_library_reads_the_demo_year_as_the_api_does(client, app):
    settings = app[SETTINGS]
    today = dt.date(2026, 3, 25)  # the week before the spring change; the demo's year spans both
    now = dt.datetime.combine(today, dt.time(10), settings.tz)
    await events_demo(DemoContext(db=app[DB], settings=settings, today=today, now=now))
    ics = await (await client.get("/calendar.ics")).read()
    expected = await from_api(client, *YEAR)
    summer = {o for o in expected if o[1].astimezone(PARIS).utcoffset() == dt.timedelta(hours=2)}
    print(f"{len(expected)} occurrences in 2026, {len(summer)} in summer time")
    assert len(expected) > 400 and len(summer) > 200
    wrong = {}
    for reader in (from_ical_js, from_vobject, from_icalendar):
        got = reader(ics, *YEAR)
        print(f"{reader.__name__}: {len(got & expected)} of {len(expected)} identical to the API")
        if got != expected:
            wrong[reader.__name__] = (len(got & expected), sorted(got ^ expected)[:2])
    assert not wrong, wrong


async def test_both_daylight_saving_changes_cancellations_and_moves(client, app, bearer):
    await add_site(app)
    weekly = await add_session(app, date="2026-03-02", start="09:00", end="12:00", repeat={"every": "weekly"})
    evening = await add_session(
        app, title="Accès libre du soir", date="2026-10-19", start="18:30", end="20:00", repeat={"every": "weekly"}
    )
    monthly = await add_session(app, title="Atelier", date="2026-03-24", repeat={"every": "monthly", "count": 9})
    changes = [
        (weekly, {"date": "2026-03-30", "status": "cancelled", "reason": "Grève"}),
        (weekly, {"date": "2026-10-26", "status": "moved", "new_date": "2026-10-27", "start": "14:00", "end": "16:00"}),
        (evening, {"date": "2026-10-26", "status": "full"}),
    ]
    for id, change in changes:
        r = await client.post(f"/api/v1/sessions/{id}/exceptions", json=change, headers=bearer)
        assert r.status == 201, await r.text()
    ics = await (await client.get("/calendar.ics")).read()
    span = (dt.date(2026, 3, 1), dt.date(2026, 12, 1))
    expected = await from_api(client, *span)
    for reader in (from_ical_js, from_vobject, from_icalendar):
        assert reader(ics, *span) == expected, reader.__name__
    # At 09:00 in Paris on both sides of each change, as the residents read the programme.
    times = {o[1].astimezone(PARIS).time() for o in expected if o[0] == weekly and o[1].date() != dt.date(2026, 10, 27)}
    assert times == {dt.time(9, 0)}
    assert (monthly, dt.datetime(2026, 3, 24, 8, 0, tzinfo=dt.UTC)) in {o[:2] for o in expected}
    assert (weekly, dt.datetime(2026, 3, 30, 7, 0, tzinfo=dt.UTC), True) in {(o[0], o[1], o[3]) for o in expected}


async def test_the_vtimezone_states_the_rules_rfc_5545_reads(client, app):
    await add_site(app)
    await add_session(app, date="2026-03-02", repeat={"every": "weekly"})
    cal = icalendar.Calendar.from_ical(await (await client.get("/calendar.ics")).read())
    [zone] = cal.walk("VTIMEZONE")
    daylight, standard = zone.walk("DAYLIGHT")[0], zone.walk("STANDARD")[0]
    # Spring: at 02:00 local time (+0100) clocks go to 03:00; autumn: at 03:00 (+0200) back to 02:00.
    assert daylight.decoded("DTSTART").time() == dt.time(2, 0)
    assert daylight["TZOFFSETFROM"].td == dt.timedelta(hours=1) and daylight["TZOFFSETTO"].td == dt.timedelta(hours=2)
    assert standard.decoded("DTSTART").time() == dt.time(3, 0)
    assert daylight["RRULE"] == {"FREQ": ["YEARLY"], "BYMONTH": [3], "BYDAY": ["-1SU"]}
    assert standard["RRULE"] == {"FREQ": ["YEARLY"], "BYMONTH": [10], "BYDAY": ["-1SU"]}
    assert "RDATE" not in daylight and "RDATE" not in standard
