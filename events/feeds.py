"""The programme's feeds: iCalendar (the whole programme, a site, an axis, one session, one date) and
the Atom feed of what changed. Each answers with an ETag and Last-Modified, and 304 to a client
whose copy is current (calendar apps poll their subscriptions every few minutes)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.etree import ElementTree as ET

from aiohttp import web

from events import ical, queries
from events.model import AXES, Rule
from events.pages import formatters, now
from quartier import xmltext
from quartier.conditional import conditional
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.inputs import path_id, query
from quartier.routing import PUBLIC, Routes
from quartier.templates import public_url
from quartier.typedefs import DB, SETTINGS

routes = Routes()

ATOM = "http://www.w3.org/2005/Atom"


def _midnight(moment: dt.datetime) -> float:
    return dt.datetime.combine(moment.date(), dt.time.min, moment.tzinfo).timestamp()


def _atom_entry(request: web.Request, feed: ET.Element, o: dict[str, Any], fmt: dict[str, Any]) -> None:
    entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
    url = public_url(request, f"/sessions/{o['session']}?date={o['date'].isoformat()}")
    base = public_url(request, "/")
    ET.SubElement(entry, f"{{{ATOM}}}id").text = f"{base}changes/{o['session']}/{o['date'].isoformat()}/{o['sequence']}"
    title = _("{status} : {title}, {day} à {hour} ({site})").format(
        status=fmt["status_label"](o["status"]),
        title=o["title"],
        day=fmt["fmt_day"](o["original_start"] or o["start"]),
        hour=fmt["fmt_hour"](o["original_start"] or o["start"]),
        site=o["site_name"],
    )
    ET.SubElement(entry, f"{{{ATOM}}}title").text = title
    ET.SubElement(entry, f"{{{ATOM}}}updated").text = o["updated"].isoformat(timespec="seconds")
    ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=url)
    summary = o["reason"] or ""
    if o["status"] == "moved":
        summary = _("Nouvel horaire : {day} {start}–{end}, {room}.").format(
            day=fmt["fmt_day"](o["start"]),
            start=fmt["fmt_hour"](o["start"]),
            end=fmt["fmt_hour"](o["end"]),
            room=o["room"] or o["site_name"],
        ) + (" " + summary if summary else "")
    ET.SubElement(entry, f"{{{ATOM}}}summary").text = summary or title


@routes.get("/changes.atom", name="events_changes_atom", access=PUBLIC)
async def changes_atom(request: web.Request) -> web.Response:
    """The Atom feed of cancellations and moves, for feed readers and partners' sites."""
    moment = now(request)
    rows, changed = await request.app[DB].read(
        lambda db: (queries.changes(db, moment.date()), queries.last_changed(db))
    )
    # What the feed shows depends on the day too (changes from today on).
    last_modified = max(changed or 0, _midnight(moment))
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = public_url(request, "/changes.atom")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = _("Programme : ce qui change")
    quiet = dt.datetime.fromtimestamp(int(last_modified), moment.tzinfo)
    updated = max((o["updated"] for o in rows), default=quiet)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = updated.isoformat(timespec="seconds")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=public_url(request, "/changes.atom"))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=public_url(request, "/changes"))
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "Quartier"
    fmt = formatters(request)
    for o in rows:
        _atom_entry(request, feed, o, fmt)
    body = '<?xml version="1.0" encoding="utf-8"?>\n' + xmltext.clean(ET.tostring(feed, encoding="unicode"))
    return conditional(request, body.encode(), "application/atom+xml", last_modified=last_modified)


# -- iCalendar


def _ics(request: web.Request, body: bytes, changed: float | None, filename: str | None = None) -> web.Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'} if filename else None
    return conditional(request, body, "text/calendar", last_modified=changed, headers=headers)


async def _feed(request: web.Request, name: str, *, site: str | None = None, axis: str | None = None) -> web.Response:
    settings = request.app[SETTINGS]

    def read(db):
        return queries.sessions(db, site=site, axis=axis, with_exceptions=True), queries.last_changed(db)

    rows, changed = await request.app[DB].read(read)
    body = ical.calendar(rows, name=name, base_url=settings.base_url, tzname=settings.timezone)
    return _ics(request, body, changed)


@routes.get("/calendar.ics", name="events_calendar", access=PUBLIC)
async def calendar_all(request: web.Request) -> web.Response:
    """The whole programme as an iCalendar feed to subscribe to."""
    return await _feed(request, _("Programme Quartier"))


@routes.get("/sites/{slug}/calendar.ics", name="events_site_calendar", access=PUBLIC)
async def calendar_site(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    site = await request.app[DB].read(lambda db: queries.site(db, slug))
    if site is None:
        raise Problem(404, "not_found", N_("Ce lieu n'existe pas."))
    return await _feed(request, site["name"], site=slug)


@routes.get("/axes/{axis}/calendar.ics", name="events_axis_calendar", access=PUBLIC)
async def calendar_axis(request: web.Request) -> web.Response:
    axis = request.match_info["axis"]
    if axis not in AXES:
        raise Problem(404, "not_found", N_("Cette page n'existe pas."))
    return await _feed(request, _(AXES[axis]), axis=axis)


@routes.get("/sessions/{id}/calendar.ics", name="events_session_calendar", access=PUBLIC)
async def calendar_session(request: web.Request) -> web.Response:
    """One session: every date of it (to add or subscribe to), or with `?date=` that date alone."""
    id = path_id(request)
    day = query(request).date("date")
    settings = request.app[SETTINGS]
    s, changed = await request.app[DB].read(lambda db: (queries.session(db, id), queries.last_changed(db)))
    if s is None:
        raise Problem(404, "not_found", N_("Cette séance n'existe pas."))
    if day is None:
        body = ical.calendar([s], name=s["title"], base_url=settings.base_url, tzname=settings.timezone)
        return _ics(request, body, changed, f"seance-{id}.ics")
    if not Rule.of(s).occurs_on(day):
        raise Problem(404, "not_found", N_("Cette séance n'a pas lieu le {date}."), date=day.isoformat())
    body = ical.occurrence_calendar(s, day, base_url=settings.base_url)
    return _ics(request, body, changed, f"seance-{id}-{day.isoformat()}.ics")
