"""Attendance pages for staff: the day's occurrences to count, the big counter on a phone, late entry
of a day or a week on one screen, and the held occurrences still without a count.

    GET  /staff/attendance?date=&days=1|7        the occurrences, each with its count or a "Count" button
    GET  /staff/attendance/{id}/{date}            the counter: + and −, then optional tallies
    POST /staff/attendance/{id}/{date}            save one count (or "not held" with a reason)
    POST /staff/attendance                        late entry: every row of the screen at once
    GET  /staff/attendance/missing               held occurrences with no count yet
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from events.pages import formatters
from quartier.errors import Problem
from quartier.i18n import gettext as _
from quartier.inputs import Fields, path_date, path_id, query
from quartier.routing import STAFF, Routes
from quartier.templates import render
from quartier.typedefs import CLOCK, DB, USER
from referral import queries as referral_queries
from reports import attendance_store as store

routes = Routes()
DAYS = (1, 7)


def today(request: web.Request) -> dt.date:
    return request.app[CLOCK].now().date()


def form_data(form: Any) -> dict[str, Any]:
    """A form's flat fields as the JSON body the API takes: "ages.18-24" becomes {"ages": {"18-24": …}}."""
    out: dict[str, Any] = {}
    for key, value in form.items():
        if key == "csrf_token":
            continue
        outer, dot, inner = key.partition(".")
        if dot:
            out.setdefault(outer, {})[inner] = value
        else:
            out[key] = value
    return out


def problem_text(p: Problem) -> str:
    return _(p.message).format(**p.params)


def _page(request: web.Request, template: str, ctx: dict[str, Any], status: int = 200) -> web.Response:
    base = {
        **formatters(request),
        "AGE_BANDS": store.AGE_BANDS,
        "NEEDS": referral_queries.needs(),
    }
    return render(request, template, {**base, **ctx}, status=status)


def _range(request: web.Request) -> tuple[dt.date, int]:
    q = query(request, status=422)
    day = q.date("date") or today(request)
    days = q.integer("days", minimum=1, maximum=7, default=1)
    return day, 7 if days > 1 else 1


@routes.get("/staff/attendance", name="reports_attendance", access=STAFF)
async def attendance_day(request: web.Request) -> web.Response:
    """Today's occurrences (or `?date=`, `?days=7` for a week from that day): count each, or all at once."""
    day, days = _range(request)
    return await _day_page(request, day, days, {}, {})


async def _day_page(
    request: web.Request, day: dt.date, days: int, errors: dict[str, str], sent: dict[str, Any], status: int = 200
) -> web.Response:
    now = today(request)
    last = day + dt.timedelta(days=days - 1)
    rows = await request.app[DB].read(lambda d: store.with_counts(d, day, last, now))
    ctx = {
        "rows": rows,
        "day": day,
        "last": last,
        "days": days,
        "today": now,
        "prev": day - dt.timedelta(days=days),
        "week_start": day - dt.timedelta(days=6),
        "next": day + dt.timedelta(days=days),
        "errors": errors,
        "sent": sent,
    }
    return _page(request, "reports/attendance/day.html", ctx, status)


async def _occurrence(request: web.Request) -> tuple[int, dt.date, dict[str, Any], dict[str, Any] | None]:
    id, day = path_id(request), path_date(request)
    now = today(request)

    def read(d: Any) -> tuple[dict[str, Any], dict[str, Any] | None]:
        return store.countable(d, id, day, now), store.get(d, id, day)

    occ, count = await request.app[DB].read(read)
    return id, day, occ, count


@routes.get("/staff/attendance/{id}/{date}", name="reports_attendance_counter", access=STAFF)
async def counter(request: web.Request) -> web.Response:
    """The big counter of one occurrence (a phone in the facilitator's hand)."""
    _id, _day, occ, count = await _occurrence(request)
    return _page(request, "reports/attendance/counter.html", {"o": occ, "count": count, "error": None, "sent": {}})


@routes.post("/staff/attendance/{id}/{date}", name="reports_attendance_save", access=STAFF)
async def counter_save(request: web.Request) -> web.Response:
    id, day, occ, count = await _occurrence(request)
    data = form_data(await request.post())
    data["date"] = day.isoformat()
    user = request[USER]
    now = today(request)
    try:
        clean = store.clean(data)
        await request.app[DB].write(lambda tx: store.record_tx(tx, id, clean, now, user.name if user else ""))
    except Problem as p:
        ctx = {"o": occ, "count": count, "error": problem_text(p), "sent": data}
        return _page(request, "reports/attendance/counter.html", ctx, status=p.status)
    url = request.app.router["reports_attendance"].url_for().with_query({"date": occ["start"].date().isoformat()})
    raise web.HTTPSeeOther(f"{url}#o-{id}-{day.isoformat()}")


def _late_rows(form: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The rows of the late-entry form that say something: {key: body}, key "{session}-{date}"."""
    out = {}
    for o in rows:
        key = f"{o['session']}-{o['date'].isoformat()}"
        count, not_held = str(form.get(f"count-{key}", "")).strip(), form.get(f"notheld-{key}")
        if not o["countable"] or (not count and not not_held):
            continue
        body: dict[str, Any] = {"date": o["date"].isoformat(), "count": count}
        if not_held:
            body.update(held=False, reason=form.get(f"reason-{key}", ""))
        out[key] = body
    return out


@routes.post("/staff/attendance", name="reports_attendance_late", access=STAFF)
async def late_entry(request: web.Request) -> web.Response:
    """Save every filled row of the day or week screen together, or none and say which rows are wrong."""
    form = dict(await request.post())
    day, days = _range_of_form(form, today(request))
    now = today(request)
    last = day + dt.timedelta(days=days - 1)
    rows = await request.app[DB].read(lambda d: store.with_counts(d, day, last, now))
    cleaned, errors = {}, {}
    for key, body in _late_rows(form, rows).items():
        try:
            cleaned[key] = store.clean(body)
        except Problem as p:
            errors[key] = problem_text(p)
    if errors:
        return await _day_page(request, day, days, errors, form, status=422)
    user = request[USER]
    by = user.name if user else ""

    def write(tx: Any) -> None:
        for key, c in cleaned.items():
            store.record_tx(tx, int(key.split("-", 1)[0]), c, now, by)

    try:
        await request.app[DB].write(write)
    except Problem as p:
        return await _day_page(request, day, days, {"form": problem_text(p)}, form, status=p.status)
    url = request.app.router["reports_attendance"].url_for().with_query({"date": day.isoformat(), "days": days})
    raise web.HTTPSeeOther(str(url.with_fragment("saved")))


def _range_of_form(form: dict[str, Any], now: dt.date) -> tuple[dt.date, int]:
    f = Fields(form)
    return f.date("date") or now, 7 if f.integer("days", minimum=1, maximum=7, default=1) > 1 else 1


@routes.get("/staff/attendance/missing", name="reports_attendance_missing", access=STAFF)
async def missing(request: web.Request) -> web.Response:
    """Held occurrences of the year (or since `?from=`) that nobody counted yet."""
    now = today(request)
    start = query(request, status=422).date("from") or dt.date(now.year, 1, 1)
    rows = await request.app[DB].read(lambda d: store.missing(d, start, now))
    return _page(request, "reports/attendance/missing.html", {"rows": rows, "start": start})
