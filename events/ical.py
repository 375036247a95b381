"""iCalendar feeds (RFC 5545) of the programme.

- one VEVENT per session, UID `session-{id}@{host}` (stable across edits), DTSTART/DTEND with the
  site's TZID and a VTIMEZONE for it (events.vtimezone: yearly RRULE observances, which ical.js,
  vobject and icalendar all read right); LOCATION is the site, the room and the street address;
- a recurring session carries its RRULE (UNTIL in UTC as RFC 5545 requires with a TZID start) and
  an EXDATE (same TZID form as DTSTART) for each cancelled date;
- each cancelled date is ALSO a standalone VEVENT with its own stable UID
  `session-{id}-{YYYYMMDD}-cancelled@{host}`, the original start and end, STATUS:CANCELLED, the
  summary prefixed with "Annulé :" and the public reason in DESCRIPTION. RFC 5545 does not allow
  overriding an excluded instance, so this is how subscribers learn *why*: calendar apps that show
  cancelled events show it struck through with its reason, those that hide them show nothing; in
  neither is the date a normal occurrence;
- a moved (or full) occurrence is an overriding VEVENT with the master's UID, RECURRENCE-ID (the
  original local start) and a raised SEQUENCE, carrying its new time and room;
- a one-off session has no instances: its own VEVENT carries the change (STATUS:CANCELLED, …);
- `occurrence_calendar` is one date alone, to add to a calendar once (UID `session-{id}-{YYYYMMDD}@{host}`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar

from events import queries
from events.model import AXES, KINDS, Rule, local
from events.vtimezone import vtimezone
from quartier.i18n import gettext as _

PRODID = "-//Quartier//Programme//FR"


def calendar(sessions: list[dict[str, Any]], *, name: str, base_url: str, tzname: str) -> bytes:
    """A VCALENDAR of sessions (each as returned by queries.session, with exceptions)."""
    host = urlsplit(base_url).hostname or "quartier"
    cal = _calendar(name, tzname)
    _add_zones(cal, sessions, tzname)
    for s in sessions:
        for event in session_events(s, host=host, base_url=base_url):
            cal.add_component(event)
    return cal.to_ical()


def _add_zones(cal: icalendar.Calendar, sessions: list[dict[str, Any]], tzname: str) -> None:
    """One VTIMEZONE per zone the sessions use, its rules starting before the earliest of them."""
    years: dict[str, int] = {}
    for s in sessions:
        year = int(s["first_date"][:4])
        years[s["timezone"]] = min(year, years.get(s["timezone"], year))
    for zone, year in sorted((years or {tzname: dt.date.today().year}).items()):
        cal.add_component(vtimezone(zone, year))


def _calendar(name: str, tzname: str) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", tzname)
    return cal


def occurrence_calendar(s: dict[str, Any], day: dt.date, *, base_url: str) -> bytes:
    """One occurrence alone (moved or cancelled as it is), to add to a calendar as a single event."""
    host = urlsplit(base_url).hostname or "quartier"
    tz = ZoneInfo(s["timezone"])
    occ = queries.expand(s, day, s["exceptions"].get(day.isoformat()), tz)
    cal = _calendar(s["title"], s["timezone"])
    _add_zones(cal, [s], s["timezone"])
    event = _event(s, f"session-{s['id']}-{day:%Y%m%d}@{host}", base_url, room=occ["room"])
    event.pop("url", None)
    event.add("url", f"{base_url.rstrip('/')}/sessions/{s['id']}?date={day.isoformat()}")
    event.add("dtstart", occ["start"])
    event.add("dtend", occ["end"])
    event.add("sequence", occ["sequence"])
    event.add("status", "CANCELLED" if occ["status"] == "cancelled" else "CONFIRMED")
    if occ["status"] in ("cancelled", "full"):
        event.pop("summary", None)
        label = _("Annulé : {title}") if occ["status"] == "cancelled" else _("Complet : {title}")
        event.add("summary", label.format(title=s["title"]))
    if occ["reason"]:
        event.pop("description", None)
        event.add("description", occ["reason"] + ("\n\n" + s["description"] if s["description"] else ""))
    cal.add_component(event)
    return cal.to_ical()


def location(s: dict[str, Any], room: str | None = None) -> str:
    """Where, as a calendar shows it and a map app can search it: site, room, street, postcode and town."""
    town = " ".join(p for p in (s.get("site_postal_code"), s.get("site_commune")) if p)
    parts = [s["site_name"], room if room is not None else s["room"], s.get("site_address"), town]
    return ", ".join(p for p in parts if p)


def _event(s: dict[str, Any], uid: str, base_url: str, *, room: str | None = None) -> icalendar.Event:
    e = icalendar.Event()
    e.add("uid", uid)
    e.add("dtstamp", dt.datetime.fromtimestamp(s["updated"], dt.UTC))
    e.add("summary", s["title"])
    e.add("location", location(s, room))
    if s.get("site_latitude") is not None and s.get("site_longitude") is not None:
        e.add("geo", (s["site_latitude"], s["site_longitude"]))
    e.add("categories", [KINDS.get(s["kind"], s["kind"]), AXES.get(s["axis"], s["axis"])])
    e.add("url", f"{base_url.rstrip('/')}/sessions/{s['id']}")
    if s["description"]:
        e.add("description", s["description"])
    if s.get("partner"):
        # The partner that runs it, from the registry (ORGANIZER would need a mailto: address).
        contact = s["partner"] + (f" — {s['partner_website']}" if s.get("partner_website") else "")
        e.add("contact", contact)
    return e


def session_events(s: dict[str, Any], *, host: str, base_url: str) -> list[icalendar.Event]:
    tz = ZoneInfo(s["timezone"])
    rule = Rule.of(s)
    uid = f"session-{s['id']}@{host}"
    master = _event(s, uid, base_url)
    master.add("dtstart", local(rule.first, rule.start, tz))
    master.add("dtend", local(rule.first, rule.end, tz))
    master.add("sequence", s["sequence"])
    master.add("status", "CONFIRMED")
    recur = rule.ical()
    if recur is not None:
        if rule.until:
            recur["UNTIL"] = local(rule.until, dt.time(23, 59, 59), tz).astimezone(dt.UTC)
        master.add("rrule", recur)
    events = [master]
    exdates = []
    for day_iso, ex in sorted(s.get("exceptions", {}).items()):
        day = dt.date.fromisoformat(day_iso)
        original = local(day, rule.start, tz)
        if recur is None:
            # A one-off session has no instances to override: change the event itself.
            target = master
        elif ex["status"] == "cancelled":
            # Excluded from the series, and published on its own so the reason reaches subscribers.
            exdates.append(original)
            target = _event(s, f"session-{s['id']}-{day:%Y%m%d}-cancelled@{host}", base_url)
            target.pop("url", None)
            target.add("url", f"{base_url.rstrip('/')}/sessions/{s['id']}?date={day_iso}")
            events.append(target)
        else:
            target = _event(s, uid, base_url)
            target.add("recurrence-id", original)
            events.append(target)
        _apply(target, s, ex, day, tz)
    if exdates:
        master.add("exdate", exdates)
    return events


def _apply(target: icalendar.Event, s: dict[str, Any], ex: dict[str, Any], day: dt.date, tz: ZoneInfo) -> None:
    """An exception's own time, room, status, summary and reason, on the VEVENT that carries it."""
    for prop in ("dtstart", "dtend", "sequence", "status"):
        target.pop(prop, None)
    start, end = local(day, s["start_time"], tz), local(day, s["end_time"], tz)
    status = "CONFIRMED"
    if ex["status"] == "moved":
        new_day = dt.date.fromisoformat(ex["new_date"]) if ex["new_date"] else day
        start = local(new_day, ex["new_start"] or s["start_time"], tz)
        end = local(new_day, ex["new_end"] or s["end_time"], tz)
        if ex["new_room"]:
            target.pop("location", None)
            target.add("location", location(s, ex["new_room"]))
    elif ex["status"] == "cancelled":
        status = "CANCELLED"
        target.pop("summary", None)
        target.add("summary", _("Annulé : {title}").format(title=s["title"]))
    elif ex["status"] == "full":
        target.pop("summary", None)
        target.add("summary", _("Complet : {title}").format(title=s["title"]))
    target.add("dtstart", start)
    target.add("dtend", end)
    target.add("sequence", s["sequence"] + ex["sequence"])
    target.add("status", status)
    if ex["reason"]:
        target.pop("description", None)
        target.add("description", ex["reason"] + ("\n\n" + s["description"] if s["description"] else ""))
