"""The annual report's staff page and its CSV."""

from __future__ import annotations

from aiohttp import web

from quartier.i18n import N_
from quartier.inputs import YEARS, query
from quartier.routing import STAFF, Routes
from quartier.templates import render
from quartier.typedefs import CLOCK, DB, SETTINGS
from reports.report import build
from reports.report_formats import context, to_csv

routes = Routes()


def year_query(request: web.Request) -> int:
    """The year asked (`?year=`), this year by default."""
    year = query(request, status=422).integer(
        "year",
        minimum=YEARS[0],
        maximum=YEARS[1],
        message=N_("L'année s'écrit avec quatre chiffres, par exemple 2026."),
        code="invalid_year",
    )
    return year or request.app[CLOCK].now().year


@routes.get("/staff/report", name="events_report", access=STAFF)
async def report_page(request: web.Request) -> web.Response:
    year = year_query(request)
    tz = request.app[SETTINGS].tz
    today = request.app[CLOCK].now().date()
    r = await request.app[DB].read(lambda d: build(d, year, tz, today))
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
    today = request.app[CLOCK].now().date()
    r = await request.app[DB].read(lambda d: build(d, year, tz, today))
    response = web.Response(text=to_csv(r), content_type="text/csv", charset="utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="rapport-{year}.csv"'
    return response
