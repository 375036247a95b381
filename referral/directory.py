"""For professionals: the directory to print, by need or by neighbourhood, and each need's calendar.

The directory lists, for every need, the programme's sessions that serve it (their weekly pattern,
those still running in the next three months) and the third-party places (address, hours, phone);
by neighbourhood, each site's sessions and the places nearest to it. It prints on A4 in the
posters' style (system fonts, pictograms, one need or one neighbourhood per page).
`/orientation/needs/{need}/calendar.ics` is the iCalendar feed of the sessions serving one need.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils
from aiohttp import web

from events import ical
from events import queries as programme
from events.model import Rule
from quartier.conditional import conditional
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.routing import PUBLIC, Routes
from quartier.typedefs import CLOCK, DB, SETTINGS
from referral import needs, places, queries
from referral.pages import need_of, render

routes = Routes()

HORIZON = dt.timedelta(days=90)  # a session belongs in the directory if it meets in the next three months
NEARBY = 8  # places listed under each neighbourhood, nearest first


def running(s: dict[str, Any], today: dt.date) -> bool:
    return bool(Rule.of(s).dates(today, today + HORIZON))


def by_need(db: sqlite_utils.Database, today: dt.date, only: needs.Need | None) -> list[dict[str, Any]]:
    """One entry per need: the sessions (with their rule) and the places serving it."""
    served = queries.session_needs(db)
    sessions = [s for s in programme.sessions(db) if running(s, today)]
    resources = queries.resources(db)
    out = []
    for n in [only] if only else needs.NEEDS:
        out.append(
            {
                "need": n,
                "sessions": [{**s, "rule": Rule.of(s)} for s in sessions if n.id in served.get(s["id"], [])],
                "places": [r for r in resources if n.id in r["needs"]],
            }
        )
    return out


def by_neighbourhood(db: sqlite_utils.Database, today: dt.date) -> list[dict[str, Any]]:
    """One entry per site: its sessions with the needs each serves, and the places nearest to it."""
    served = queries.session_needs(db)
    sessions = [s for s in programme.sessions(db) if running(s, today)]
    resources = [r for r in queries.resources(db) if r["needs"]]
    out = []
    for site in programme.sites(db):
        near = sorted(
            ({**r, "distance": places.distance_km(site, r)} for r in resources if not r["remote"]),
            key=lambda r: (r["distance"] is None, r["distance"] or 0.0, r["name"].lower()),
        )
        out.append(
            {
                "site": site,
                "sessions": [
                    {**s, "rule": Rule.of(s), "needs": served[s["id"]]}
                    for s in sessions
                    if s["site"] == site["slug"] and served.get(s["id"])
                ],
                "places": [r for r in near if r["distance"] is not None][:NEARBY],
            }
        )
    remote = [r for r in resources if r["remote"] or r["latitude"] is None]
    return out + ([{"site": None, "sessions": [], "places": remote}] if remote else [])


@routes.get("/orientation/directory", name="referral_directory", access=PUBLIC)
async def directory(request: web.Request) -> web.Response:
    """The printable directory: `?by=need` (default, `&need=` for one) or `?by=neighbourhood`."""
    by = request.query.get("by", "need")
    if by not in ("need", "neighbourhood"):
        raise Problem(
            400, "invalid", N_("Valeur inconnue ; valeurs possibles : {values}."), values="need, neighbourhood"
        )
    only = need_of(request.query.get("need")) if by == "need" else None
    today = request.app[CLOCK].now().date()

    def read(db: sqlite_utils.Database) -> list[dict[str, Any]]:
        return by_need(db, today, only) if by == "need" else by_neighbourhood(db, today)

    entries = await request.app[DB].read(read)
    return render(
        request,
        "referral/directory.html",
        {"by": by, "entries": entries, "only": only, "today": today, "autoprint": request.query.get("print") == "1"},
    )


@routes.get("/orientation/needs/{need}/calendar.ics", name="referral_need_calendar", access=PUBLIC)
async def need_calendar(request: web.Request) -> web.Response:
    """The sessions serving one need, as an iCalendar feed to subscribe to."""
    need = need_of(request.match_info["need"])
    assert need is not None
    settings = request.app[SETTINGS]

    def read(db: sqlite_utils.Database) -> list[dict[str, Any]]:
        served = queries.session_needs(db)
        return [s for s in programme.sessions(db, with_exceptions=True) if need.id in served.get(s["id"], [])]

    rows = await request.app[DB].read(read)
    name = _("Programme Quartier : {need}").format(need=need.title)
    body = ical.calendar(rows, name=name, base_url=settings.base_url, tzname=settings.timezone)
    headers = {"Content-Disposition": f'attachment; filename="besoin-{need.id}.ics"'}
    # No Last-Modified: the feed also moves when staff change which sessions serve the need; the
    # ETag (a hash of the body) says exactly when it changed.
    return conditional(request, body, "text/calendar", headers=headers)
