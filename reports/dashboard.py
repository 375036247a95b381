"""The service-time dashboard: hours per week per site and axis, the goal, the balance, room half-days.

Staff only, unless the `dashboard_public` setting opens it. Everything is computed on request
from the programme (`events.queries`), so it is always in step with it; see events/hours.py
for the arithmetic.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from typing import Any

from aiohttp import web

from events import hours, queries
from events.model import AXES
from events.pages import iso_week, now, page
from quartier import charts, csvout, formats
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.inputs import Fields, query, to_week
from quartier.routing import ORGANIZER, STAFF, Routes, check
from quartier.typedefs import DB, SETTINGS, USER
from quartier.web import redirect
from reports import dashboard_commons, dashboard_store

routes = Routes()

MAX_WEEKS = 53
AXIS_COLOURS = {"acces-libre": "#005a8c", "accompagnement": "#6b3fa0", "droits": "#a13a00"}


async def _public(request: web.Request) -> bool:
    return request.app[SETTINGS].dashboard_public


DASHBOARD = STAFF | check("dashboard_public", _public)


_DAY = re.compile(r"\s*\d{4}-\d{2}-\d{2}\s*")


def monday_asked(fields: Fields, name: str) -> dt.date | None:
    """The Monday of the week a field names: any day of it (the date pickers send YYYY-MM-DD) or the
    ISO week (YYYY-Www, as older links and the CSV's name have it); a 400 in words otherwise."""
    raw = fields.data.get(name)
    if isinstance(raw, str) and _DAY.fullmatch(raw):
        day = fields.date(name)
        return day - dt.timedelta(days=day.weekday()) if day else None
    return fields.week(name)


def period(request: web.Request) -> tuple[dt.date, dt.date]:
    """The Mondays of the first and last weeks asked (`from`, `to`); default: 4 weeks back, 4 ahead."""
    today = now(request).date()
    this = today - dt.timedelta(days=today.weekday())
    q = query(request)
    first = monday_asked(q, "from") or this - dt.timedelta(weeks=4)
    last = monday_asked(q, "to") or this + dt.timedelta(weeks=4)
    if last < first:
        raise Problem(400, "invalid_period", N_("La dernière semaine précède la première."))
    if (last - first).days // 7 + 1 > MAX_WEEKS:
        raise Problem(400, "invalid_period", N_("Choisissez au plus {n} semaines."), n=MAX_WEEKS)
    return first, last


def figures(
    db: Any, first: dt.date, last: dt.date, *, baseline: dt.date | None, factor: int, current: dt.date
) -> dict[str, Any]:
    """Every figure of the dashboard for the weeks from `first` to `last` (Mondays), read in one snapshot."""
    sites = queries.sites(db)
    slugs = [s["slug"] for s in sites]
    occurrences = queries.occurrences(db, first, last + dt.timedelta(days=6))
    weeks = [hours.week_hours(occurrences, monday, slugs) for monday in hours.mondays(first, last)]
    base = None
    if baseline is not None:
        base_occ = queries.occurrences(db, baseline, baseline + dt.timedelta(days=6))
        base = hours.week_hours(base_occ, baseline, slugs)
    if not first <= current <= last:
        current = last
    this_week = next(w for w in weeks if w.monday == current)
    rooms = queries.room_names(db)  # the sites' rooms (events.rooms), booked or not
    for o in occurrences:  # a moved occurrence may use a room no session names
        if o["room"] and current <= o["start"].date() <= current + dt.timedelta(days=4):
            rooms.setdefault(o["site"], [])
            if o["room"] not in rooms[o["site"]]:
                rooms[o["site"]].append(o["room"])
    for slug in slugs:
        rooms.setdefault(slug, [])
    half = hours.half_days(occurrences, current, {s: rooms[s] for s in slugs})
    by_axis = {a: round(sum(w.by_axis.get(a, 0.0) for w in weeks), 2) for a in AXES}
    by_site = {s: {a: round(sum(w.by_site_axis[s][a] for w in weeks) / len(weeks), 2) for a in AXES} for s in slugs}
    goal = round(base.total * factor, 2) if base is not None else None
    return {
        "sites": sites,
        "names": {s["slug"]: s["name"] for s in sites},
        "weeks": weeks,
        "baseline": base,
        "goal": goal,
        "current": this_week,
        "progress": round(100 * this_week.total / goal, 1) if goal else None,
        "by_axis": by_axis,
        "shares": hours.shares(by_axis),
        "by_site_average": by_site,
        "missing": hours.missing_axes(weeks, slugs),
        "half_days": half,
        "free_half_days": sum(h["free"] for h in half.values()),
        "used_half_days": sum(h["used"] for h in half.values()),
    }


async def read_figures(request: web.Request) -> tuple[dt.date, dt.date, dict[str, Any]]:
    settings = request.app[SETTINGS]
    first, last = period(request)
    today = now(request).date()
    current = monday_asked(query(request), "week") or today - dt.timedelta(days=today.weekday())
    default = to_week(settings.service_baseline_week)  # checked at start-up (quartier.settings)

    def read(db: Any) -> dict[str, Any]:
        chosen = dashboard_store.stored_baseline(db)
        baseline = chosen or default
        data = figures(db, first, last, baseline=baseline, factor=settings.service_goal_factor, current=current)
        return {**data, "baseline_chosen": chosen is not None, "baseline_default": default}

    data = await request.app[DB].read(read)
    return first, last, data


def _hours(value: float) -> str:
    """Hours as the dashboard writes them: one decimal at most, in the reader's language ("42,5")."""
    return formats.number(value, digits=1)


@routes.get("/dashboard", name="events_dashboard", access=DASHBOARD)
async def dashboard(request: web.Request) -> web.Response:
    """Hours of service per week, per site and per axis; goal and progress; balance; room half-days."""
    first, last, data = await read_figures(request)
    series = [(a, _(label), AXIS_COLOURS[a]) for a, label in AXES.items()]
    h = _("h")
    weeks_chart = charts.stacked_bars(
        [(formats.week_of(w.monday), w.by_axis) for w in data["weeks"]],
        series,
        name="weeks",
        unit=" " + h,
        fmt=_hours,
        title=_("Heures de service par semaine et par axe"),
        desc=_("Le tableau qui suit donne les mêmes chiffres."),
        goal=data["goal"],
        goal_label=_("objectif {n} h").format(n=_hours(data["goal"] or 0)),
    )
    sites_chart = charts.stacked_bars(
        [(data["names"][s], v) for s, v in data["by_site_average"].items()],
        series,
        name="sites",
        unit=" " + h,
        fmt=_hours,
        title=_("Heures de service par lieu et par axe, moyenne par semaine"),
        desc=_("Le tableau qui suit donne les mêmes chiffres."),
    )
    half_chart = charts.stacked_bars(
        [(data["names"][s], {"used": v["used"], "free": v["free"]}) for s, v in data["half_days"].items()],
        [("used", _("occupées"), "#4a4a4a"), ("free", _("libres"), "#1d6b2f")],
        name="half-days",
        title=_("Demi-journées des salles, du lundi au vendredi"),
        desc=_("Le tableau qui suit donne les mêmes chiffres."),
    )
    return page(
        request,
        "reports/dashboard/dashboard.html",
        {
            **data,
            "first": first,
            "last": last,
            "week_of": formats.week_of,
            "weeks_chart": weeks_chart,
            "sites_chart": sites_chart,
            "half_chart": half_chart,
            "num": _hours,
            "factor": request.app[SETTINGS].service_goal_factor,
            "csv_query": {"from": iso_week(first), "to": iso_week(last)},
            **await dashboard_commons.read(request, data["current"].monday),
        },
    )


@routes.post("/dashboard/baseline", name="dashboard_baseline", access=ORGANIZER)
async def set_baseline(request: web.Request) -> web.Response:
    """An organizer chooses the baseline week on the page (any day of it), or goes back to the setting's."""
    f = Fields(await request.post())
    user = request[USER]
    assert user is not None  # ORGANIZER
    if f.boolean("default", False):
        await request.app[DB].write(dashboard_store.clear_baseline)
    else:
        monday = monday_asked(f, "baseline")
        if monday is None:
            raise Problem(422, "missing_week", N_("Choisissez un jour de la semaine de référence."))
        await request.app[DB].write(lambda tx: dashboard_store.set_baseline(tx, monday, user.name, time.time()))
    return redirect(str(request.app.router["events_dashboard"].url_for()) + "#goal")


@routes.get("/dashboard.csv", name="events_dashboard_csv", access=DASHBOARD)
async def dashboard_csv(request: web.Request) -> web.Response:
    """The dashboard's hours as CSV: one line per week, site and axis (hours with a decimal point)."""
    first, last, data = await read_figures(request)
    out = io.StringIO()
    writer = csvout.Writer(out, lineterminator="\r\n")
    writer.writerow(["semaine", "lundi", "lieu", "nom_du_lieu", "axe", "heures"])
    for w in data["weeks"]:
        for slug, axes in w.by_site_axis.items():
            for axis, value in axes.items():
                writer.writerow(
                    [
                        iso_week(w.monday),
                        w.monday.isoformat(),
                        slug,
                        data["names"].get(slug, slug),
                        axis,
                        f"{value:.2f}",
                    ]
                )
    name = f"heures-de-service-{iso_week(first)}-{iso_week(last)}.csv"
    return web.Response(
        text=out.getvalue(),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
