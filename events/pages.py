"""Public programme pages: today (home), the week, a site, a session, what changed (and its Atom feed)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from events import changes, jsonld, queries, registrations
from events.api import filters
from events.model import ACCESSIBILITY, AUDIENCES, AXES, KINDS, STATUSES, Rule
from events.wording import schedule
from quartier import formats, slots
from quartier.bus import last_seq_in
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.inputs import path_id, query
from quartier.pagecache import cached_page
from quartier.routing import PUBLIC, Routes
from quartier.templates import public_url, render
from quartier.typedefs import DB, SETTINGS

routes = Routes()

SOON = dt.timedelta(hours=2)

# Places on these pages that higher packages fill (quartier.slots): the session page's main column
# and its aside (under the QR code), and the site page under its week.
SESSION_SLOT = "events.session"
SESSION_ASIDE_SLOT = "events.session.aside"
SITE_SLOT = "events.site"
# The partner named on a session page ("Avec …"): commons links it to the partner's page, with its logo.
SESSION_PARTNER_SLOT = "events.session.partner"


def now(request: web.Request) -> dt.datetime:
    return dt.datetime.now(request.app[SETTINGS].tz)


def formatters(request: web.Request) -> dict[str, Any]:
    """Date and label helpers for templates, in the reader's language (quartier.formats)."""
    return {
        "fmt_day": formats.day,
        "fmt_day_year": formats.day_year,
        "fmt_hour": formats.hour,
        "kind_label": lambda k: label(KINDS, k),
        "axis_label": lambda a: label(AXES, a),
        "status_label": lambda s: label(STATUSES, s),
        "access_label": lambda a: label(ACCESSIBILITY, a),
        "webcal": lambda path: webcal_url(request, path),
        "absolute": lambda path: public_url(request, path),
        "KINDS": KINDS,
        "AXES": AXES,
        "AUDIENCES": AUDIENCES,
    }


def label(table: dict[str, str], key: str) -> str:
    """A vocabulary's label in the reader's language; an unknown value as it is."""
    return _(table[key]) if key in table else key


def webcal_url(request: web.Request, path: str) -> str:
    """The `webcal://` address of a feed: calendar apps open it as a subscription, not a download."""
    url = public_url(request, path)
    return "webcal://" + url.split("://", 1)[1]


def page(request: web.Request, template: str, context: dict[str, Any], *, status: int = 200) -> web.Response:
    return render(request, template, {**formatters(request), **context}, status=status)


def split_today(occurrences: list[dict[str, Any]], moment: dt.datetime) -> dict[str, list[dict[str, Any]]]:
    """Today's occurrences as now (running), next (the next start, or within two hours) and later."""
    running = [o for o in occurrences if o["start"] <= moment < o["end"]]
    upcoming = [o for o in occurrences if o["start"] > moment]
    live = [o for o in upcoming if o["status"] != "cancelled"]
    first = live[0]["start"] if live else None
    nxt = [o for o in upcoming if first and o["start"] <= max(first, moment + SOON)]
    later = [o for o in upcoming if o not in nxt]
    done = [o for o in occurrences if o["end"] <= moment]
    return {"now": running, "next": nxt, "later": later, "done": done}


@routes.get("/", name="home", access=PUBLIC)
@cached_page(lambda r: {changes.PROGRAMME})
async def home(request: web.Request) -> web.Response:
    """Today across every site (or one): what is on now, next and later; the next drop-in help."""
    moment = now(request)
    today = moment.date()
    site = query(request).text("site", max_length=60) or None

    def read(db):
        return {
            "today": queries.occurrences(db, today, today, site=site),
            "coming": queries.occurrences(db, today, today + dt.timedelta(days=14), site=site, kind="permanence"),
            "sites": queries.sites(db),
            "demo": queries.is_demo(db),
            "seq": last_seq_in(db),
        }

    data = await request.app[DB].read(read)
    next_help = next((o for o in data["coming"] if o["start"] > moment and o["status"] != "cancelled"), None)
    return page(
        request,
        "events/home.html",
        {
            **data,
            **split_today(data["today"], moment),
            "moment": moment,
            "site": site,
            "next_help": next_help,
            "channels": changes.page_channels(site),
        },
    )


def week_asked(request: web.Request, today: dt.date, name: str = "week") -> dt.date:
    """The Monday of the ISO week asked in the query string ("YYYY-Www"; 400 when wrong), else of today's."""
    return query(request).week(name) or today - dt.timedelta(days=today.weekday())


def iso_week(monday: dt.date) -> str:
    year, week, _d = monday.isocalendar()
    return f"{year}-W{week:02d}"


def group_by_day(occurrences: list[dict[str, Any]], monday: dt.date) -> list[tuple[dt.date, list[dict[str, Any]]]]:
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    return [(d, [o for o in occurrences if o["start"].date() == d]) for d in days]


@routes.get("/programme", name="events_week", access=PUBLIC)
@cached_page(lambda r: {changes.PROGRAMME})
async def week(request: web.Request) -> web.Response:
    """The week's programme for every site or one, filtered by site, axis, kind and audience."""
    today = now(request).date()
    monday = week_asked(request, today)
    f = filters(request)

    def read(db):
        return {
            "occurrences": queries.occurrences(db, monday, monday + dt.timedelta(days=6), **f),
            "sites": queries.sites(db),
            "seq": last_seq_in(db),
        }

    data = await request.app[DB].read(read)
    return page(
        request,
        "events/week.html",
        {
            **data,
            "days": group_by_day(data["occurrences"], monday),
            "filters": f,
            "today": today,
            "monday": monday,
            "week": iso_week(monday),
            "prev_query": {**f, "week": iso_week(monday - dt.timedelta(days=7))},
            "next_query": {**f, "week": iso_week(monday + dt.timedelta(days=7))},
            "channels": changes.page_channels(f["site"]),
        },
    )


DAYS = {
    "Mo": N_("lundi"),
    "Tu": N_("mardi"),
    "We": N_("mercredi"),
    "Th": N_("jeudi"),
    "Fr": N_("vendredi"),
    "Sa": N_("samedi"),
    "Su": N_("dimanche"),
    "PH": N_("jours fériés"),
}


def readable_hours(expression: str) -> list[str]:
    """OSM opening_hours made readable line by line ("Mo-Fr 09:00-12:00" -> "lundi-vendredi 09:00-12:00")."""
    lines = []
    for rule in (r.strip() for r in expression.split(";")):
        if not rule:
            continue
        for code, word in DAYS.items():
            rule = rule.replace(code, _(word))
        rule = rule.replace(" off", " " + _("fermé")).replace(" closed", " " + _("fermé"))
        lines.append(rule.replace(",", ", "))
    return lines


@routes.get("/sites/{slug}", name="events_site", access=PUBLIC)
@cached_page(lambda r: {changes.PROGRAMME, changes.site_channel(r.match_info["slug"])})
async def site_page(request: web.Request) -> web.Response:
    """A site: address, hours, accessibility, contact and its week."""
    slug = request.match_info["slug"]
    today = now(request).date()
    monday = week_asked(request, today)

    def read(db):
        site = queries.site(db, slug)
        return {
            "site": site,
            "occurrences": queries.occurrences(db, monday, monday + dt.timedelta(days=6), site=slug),
            "seq": last_seq_in(db),
            "sections": slots.read(request.app, SITE_SLOT, db, {"site": site}) if site else [],
        }

    data = await request.app[DB].read(read)
    if data["site"] is None:
        raise Problem(404, "not_found", N_("Ce lieu n'existe pas."))
    return page(
        request,
        "events/site.html",
        {
            **data,
            "days": group_by_day(data["occurrences"], monday),
            "today": today,
            "monday": monday,
            "hours": readable_hours(data["site"]["opening_hours"]),
            "week": iso_week(monday),
            "prev_week": iso_week(monday - dt.timedelta(days=7)),
            "next_week": iso_week(monday + dt.timedelta(days=7)),
            "channels": changes.site_channel(slug),
        },
    )


@routes.get("/sessions/{id}", name="events_session", access=PUBLIC)
async def session_page(request: web.Request) -> web.Response:
    """A session: details, its coming occurrences, a QR code to this page, schema.org JSON-LD.

    `?date=YYYY-MM-DD` picks one occurrence (by the local date of the original occurrence).
    """
    id = path_id(request)
    moment = now(request)
    today = moment.date()
    chosen_date = query(request).date("date")

    def read(db):
        s = queries.session(db, id)
        if s is None:
            return None
        found = {
            "session": s,
            "site": queries.site(db, s["site"]),
            "chosen": queries.occurrence(db, id, chosen_date) if chosen_date else None,
            "coming": queries.occurrences(db, today, today + dt.timedelta(days=62), session_id=id),
            "seq": last_seq_in(db),
            "tallies": registrations.counts(db, id) if s["registration"] else {},
        }
        context = {**found, "now": moment, "settings": request.app[SETTINGS]}
        found["sections"] = slots.read(request.app, SESSION_SLOT, db, context)
        found["aside"] = slots.read(request.app, SESSION_ASIDE_SLOT, db, context)
        found["partner_sections"] = slots.read(request.app, SESSION_PARTNER_SLOT, db, context)
        return found

    data = await request.app[DB].read(read)
    if data is None:
        raise Problem(404, "not_found", N_("Cette séance n'existe pas."))
    if chosen_date and data["chosen"] is None:
        raise Problem(404, "not_found", N_("Cette séance n'a pas lieu le {date}."), date=chosen_date.isoformat())
    s = data["session"]
    path = request.path + (f"?date={chosen_date.isoformat()}" if chosen_date else "")
    occ = (
        data["chosen"]
        or next((o for o in data["coming"] if o["status"] != "cancelled"), None)
        or (data["coming"][0] if data["coming"] else None)
    )
    if occ:
        ld = jsonld.occurrence_event(request, s, data["site"], occ)
    else:
        ld = jsonld.session_event(request, s, data["site"], ZoneInfo(s["timezone"]), today)
    ld["@context"] = "https://schema.org"
    return page(
        request,
        "events/session.html",
        {
            **data,
            "qr_path": path,
            "jsonld": json.dumps(ld, ensure_ascii=False).replace("<", "\\u003c"),
            "rule": Rule.of(s),
            "schedule": schedule(Rule.of(s)),
            "shown": occ,
            "now": moment,
            **_places_live(s, data["tallies"]),
        },
    )


def _places_live(s: dict[str, Any], tallies: dict[str, dict[str, int]]) -> dict[str, Any]:
    """A session page follows its site's channel; a session "sur inscription" also its own, where
    its places left change, and each date says them (events.registrations)."""
    channels = [changes.site_channel(s["site"])]
    if s["registration"]:
        channels.append(changes.session_channel(s["id"]))

    def places_of(o: dict[str, Any]) -> dict[str, Any]:
        return registrations.places(o["capacity"], o["status"], tallies.get(o["date"].isoformat()))

    return {"channels": ",".join(channels), "places_of": places_of}


@routes.get("/changes", name="events_changes", access=PUBLIC)
async def changes_page(request: web.Request) -> web.Response:
    """What changed: cancellations, moves and full sessions from today on, newest change first."""
    today = now(request).date()

    def read(db):
        return {"changes": queries.changes(db, today), "seq": last_seq_in(db)}

    data = await request.app[DB].read(read)
    return page(request, "events/changes.html", {**data, "channels": changes.PROGRAMME})
