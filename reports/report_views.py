"""The annual report's staff page and its CSV."""

from __future__ import annotations

import datetime as dt

from aiohttp import web

from quartier.errors import Problem
from quartier.i18n import N_
from quartier.routing import STAFF, Routes
from quartier.templates import render
from quartier.typedefs import DB, SETTINGS
from reports.report import build
from reports.report_formats import context, to_csv

routes = Routes()


def year_query(request: web.Request) -> int:
    raw = request.query.get("year") or ""
    today = dt.datetime.now(request.app[SETTINGS].tz).date()
    if not raw:
        return today.year
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise Problem(422, "invalid_year", N_("L'année s'écrit avec quatre chiffres, par exemple 2026."))
    return int(raw)


@routes.get("/staff/report", name="events_report", access=STAFF)
async def report_page(request: web.Request) -> web.Response:
    year = year_query(request)
    tz = request.app[SETTINGS].tz
    r = await request.app[DB].read(lambda d: build(d, year, tz))
    router = request.app.router
    return render(
        request,
        "reports/report/page.html",
        context(r, tz, lambda board: str(router["minutes_page"].url_for(id=str(board)))),
    )


@routes.get("/staff/report.csv", name="events_report_csv", access=STAFF)
async def report_csv(request: web.Request) -> web.Response:
    year = year_query(request)
    tz = request.app[SETTINGS].tz
    r = await request.app[DB].read(lambda d: build(d, year, tz))
    response = web.Response(text=to_csv(r), content_type="text/csv", charset="utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="rapport-{year}.csv"'
    return response
