"""The printed programme, for people who are not online: weekly posters, the booklet, flyers.

Every sheet is an HTML page with a print stylesheet (events/static/print.css: A4 portrait,
large type, no external font or image) that the browser prints or saves as PDF. The QR code
on each sheet points at the live page on the public base URL, and its short URL is written
under it for those who type it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from events import hours, queries
from events.pages import group_by_day, iso_week, now, page, readable_hours, week_asked
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import path_id, query
from quartier.routing import PUBLIC, STAFF, Routes
from quartier.templates import public_url
from quartier.typedefs import DB

routes = Routes()

# Kinds worth a stack of flyers: one-off days rather than the weekly routine.
FLYER_KINDS = ("forum", "hackathon", "atelier")


def short_url(request: web.Request, path: str) -> str:
    """The public URL without its scheme, as written under a QR code."""
    return public_url(request, path).split("://", 1)[-1]


def density(days: list[tuple[dt.date, list[dict[str, Any]]]], *, strip: bool = False) -> int:
    """How tightly a poster must be set so that a full week stays on one A4 page: 1 (roomy) to 4.

    A session that names its partner ("· avec CAF") takes half a line more, the partners' strip two."""
    items = [o for _d, day in days for o in day]
    lines = len(items) + len(days) + 0.5 * sum(1 for o in items if o.get("partner_short")) + (2 if strip else 0)
    return 1 if lines <= 14 else 2 if lines <= 22 else 3 if lines <= 32 else 4


def poster_days(occurrences: list[dict[str, Any]], monday: dt.date) -> list[tuple[dt.date, list[dict[str, Any]]]]:
    """The week's days to print: Monday to Friday always, the weekend only when something happens."""
    days = group_by_day(occurrences, monday)
    return [(d, items) for d, items in days if d.weekday() < 5 or items]


def sheet(
    request: web.Request, site: dict[str, Any], occurrences: list[dict[str, Any]], monday: dt.date
) -> dict[str, Any]:
    """What one site's poster shows."""
    days = poster_days(occurrences, monday)
    path = str(request.app.router["events_site"].url_for(slug=site["slug"]))
    week = hours.week_hours(occurrences, monday, [site["slug"]])
    partners = week_partners(occurrences)
    return {
        "site": site,
        "days": days,
        "density": density(days, strip=bool(partners)),
        "hours": readable_hours(site["opening_hours"]),
        "qr_path": path,
        "short_url": short_url(request, path),
        "axes_used": sorted({o["axis"] for o in occurrences}),
        "total_hours": week.total,
        "sessions": week.sessions,
        "partners": partners,
    }


def week_partners(occurrences: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The partners running the week's sessions, once each, for the poster's "Avec" strip (from the registry)."""
    found: dict[str, dict[str, Any]] = {}
    for o in occurrences:
        if o["partner_key"] and o["status"] != "cancelled":
            found.setdefault(
                o["partner_key"], {"name": o["partner"], "short": o["partner_short"], "logo": o["partner_logo"]}
            )
    return sorted(found.values(), key=lambda p: p["name"].casefold())


def _week_range(monday: dt.date) -> tuple[dt.date, dt.date]:
    return monday, monday + dt.timedelta(days=6)


@routes.get("/sites/{slug}/poster", name="events_site_poster", access=PUBLIC)
async def site_poster(request: web.Request) -> web.Response:
    """A site's weekly poster (`?week=YYYY-Www`, this week by default): one A4 page."""
    slug = request.match_info["slug"]
    monday = week_asked(request, now(request).date())

    def read(db):
        return queries.site(db, slug), queries.occurrences(db, *_week_range(monday), site=slug)

    site, occurrences = await request.app[DB].read(read)
    if site is None:
        raise Problem(404, "not_found", N_("Ce lieu n'existe pas."))
    return page(
        request,
        "events/print/poster.html",
        {
            "sheets": [sheet(request, site, occurrences, monday)],
            "monday": monday,
            "week": iso_week(monday),
            "sunday": monday + dt.timedelta(days=6),
            "autoprint": request.query.get("print") == "1",
        },
    )


@routes.get("/posters", name="events_posters", access=PUBLIC)
async def booklet(request: web.Request) -> web.Response:
    """Every site's poster for a week, after a summary page: the booklet printed in one go."""
    monday = week_asked(request, now(request).date())

    def read(db):
        return queries.sites(db), queries.occurrences(db, *_week_range(monday))

    sites, occurrences = await request.app[DB].read(read)
    sheets = [sheet(request, s, [o for o in occurrences if o["site"] == s["slug"]], monday) for s in sites]
    programme = str(request.app.router["events_week"].url_for().with_query(week=iso_week(monday)))
    return page(
        request,
        "events/print/booklet.html",
        {
            "sheets": sheets,
            "monday": monday,
            "week": iso_week(monday),
            "sunday": monday + dt.timedelta(days=6),
            "autoprint": request.query.get("print") == "1",
            "qr_path": programme,
            "short_url": short_url(request, programme),
            "total_hours": hours.week_hours(occurrences, monday, [s["slug"] for s in sites]).total,
        },
    )


@routes.get("/sessions/{id}/flyers", name="events_session_flyers", access=PUBLIC)
async def flyers(request: web.Request) -> web.Response:
    """Four A6 flyers of one occurrence on an A4 page (`?date=` its local date, else the next one)."""
    id = path_id(request)
    today = now(request).date()
    day = query(request).date("date")

    def read(db):
        s = queries.session(db, id)
        if s is None:
            return None
        if day:
            occ = queries.occurrence(db, id, day)
        else:
            coming = queries.occurrences(db, today, today + dt.timedelta(days=366), session_id=id)
            occ = next((o for o in coming if o["status"] != "cancelled"), coming[0] if coming else None)
        return s, queries.site(db, s["site"]), occ

    data = await request.app[DB].read(read)
    if data is None:
        raise Problem(404, "not_found", N_("Cette séance n'existe pas."))
    s, site, occ = data
    if occ is None:
        raise Problem(404, "not_found", N_("Cette séance n'a pas de date à venir."))
    path = str(request.app.router["events_session"].url_for(id=str(id)).with_query(date=occ["date"].isoformat()))
    return page(
        request,
        "events/print/flyers.html",
        {
            "session": s,
            "site": site,
            "o": occ,
            "qr_path": path,
            "short_url": short_url(request, path),
            "autoprint": request.query.get("print") == "1",
            "copies": range(4),
        },
    )


@routes.get("/staff/posters", name="events_staff_posters", access=STAFF)
async def staff_posters(request: web.Request) -> web.Response:
    """Print next week's posters for every site in one click; single posters; flyers of coming events."""
    today = now(request).date()
    this = today - dt.timedelta(days=today.weekday())
    following = this + dt.timedelta(weeks=1)

    def read(db):
        coming = queries.occurrences(db, today, today + dt.timedelta(days=62))
        return queries.sites(db), [o for o in coming if o["kind"] in FLYER_KINDS and o["status"] != "cancelled"]

    sites, events = await request.app[DB].read(read)
    # Forum days and hackathons first, then workshops, each in date order; one line per occurrence.
    events.sort(key=lambda o: (FLYER_KINDS.index(o["kind"]), o["start"]))
    return page(
        request,
        "events/print/staff_posters.html",
        {
            "sites": sites,
            "this_week": iso_week(this),
            "next_week": iso_week(following),
            "next_monday": following,
            "events": events[:40],
        },
    )
