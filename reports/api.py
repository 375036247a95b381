"""JSON for what the reports' pages show: published minutes (public), the decision log, the
service-time dashboard (public when `dashboard_public`) and the annual report (staff).

Each answer is the very data its page renders, read in one snapshot, with dates as ISO 8601
strings; the page stays the place to read it, the JSON the place to reuse it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from aiohttp import web

from forum import queries
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import query
from quartier.routing import PUBLIC, STAFF, Routes
from quartier.templates import public_url
from quartier.typedefs import CLOCK, DB, SETTINGS
from reports import dashboard, decision_log, minutes_render, minutes_store
from reports.report import build
from reports.report_views import year_query
from reports.views_decisions import decision_filters

routes = Routes()


def plain(value: Any) -> Any:
    """Figures as JSON values: dates and times in ISO 8601, dataclasses as objects, sets as sorted lists."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(plain(v) for v in value)
    return value


def _iso(ts: float | None, request: web.Request) -> str | None:
    return dt.datetime.fromtimestamp(ts, request.app[SETTINGS].tz).isoformat(timespec="seconds") if ts else None


def _minutes_entry(request: web.Request, m: dict[str, Any]) -> dict[str, Any]:
    base = f"/minutes/{m['board']}/v/{m['version']}"
    return {
        "board": m["board"],
        "title": m["title"],
        "site": m["site"] or None,
        "session": m["session"],
        "version": m["version"],
        "published": _iso(m["published"], request),
        "url": public_url(request, f"/minutes/{m['board']}"),
        "markdown_url": public_url(request, f"{base}/minutes.md"),
        "odt_url": public_url(request, f"{base}/minutes.odt"),
    }


@routes.get("/api/v1/minutes", name="reports_api_minutes", access=PUBLIC)
async def api_minutes(request: web.Request) -> web.Response:
    """Published minutes, newest first (`?site=`); with `?board=`, that board's versions and latest text."""
    q = query(request)
    board_id = q.id("board", code="invalid_board", message=N_("« board » est le numéro d'un tableau."))
    site = q.text("site", max_length=60) or None
    if board_id is None:
        rows = await request.app[DB].read(lambda d: minutes_store.published_list(d, site=site))
        return web.json_response({"minutes": [_minutes_entry(request, m) for m in rows]})

    def read(d: Any) -> tuple:
        return queries.board(d, board_id), [v for v in minutes_store.versions(d, board_id) if v["state"] == "published"]

    board, versions = await request.app[DB].read(read)
    if board is None or not versions:
        raise Problem(404, "not_found", N_("Ce compte rendu n'existe pas."))
    latest = versions[-1]
    entry = {"board": board_id, "title": board["title"], "site": board["site"] or None, "session": board["session_id"]}
    return web.json_response(
        {
            **_minutes_entry(request, {**entry, "version": latest["version"], "published": latest["published"]}),
            "markdown": minutes_render.to_markdown(latest["markdown"], request.app[SETTINGS].base_url),
            "versions": [{"version": v["version"], "published": _iso(v["published"], request)} for v in versions],
        }
    )


@routes.get("/api/v1/decisions", name="reports_api_decisions", access=STAFF)
async def api_decisions(request: web.Request) -> web.Response:
    """The one decision log (forums' and meetings' decisions and actions), with the page's filters."""
    filters = decision_filters(request)
    rows = await request.app[DB].read(lambda d: decision_log.log(d, filters))
    out = []
    for r in rows:
        item = {k: r.get(k) for k in ("key", "source", "id", "kind", "text", "theme", "who", "due", "status", "site")}
        item.update(board=r.get("board"), board_title=r.get("board_title"), meeting=r.get("meeting"))
        item.update(origin=r["origin"], done=_iso(r["done"], request), created=_iso(r["created"], request))
        out.append(item)
    return web.json_response({"decisions": out})


@routes.get("/api/v1/dashboard", name="reports_api_dashboard", access=dashboard.DASHBOARD)
async def api_dashboard(request: web.Request) -> web.Response:
    """The service-time dashboard's figures (`from`, `to`, `week` as YYYY-Www, as on the page)."""
    weeks = query(request)
    for name in ("from", "to", "week"):  # the API takes ISO weeks only, as its document says
        weeks.week(name)
    first, last, data = await dashboard.read_figures(request)
    data = {k: v for k, v in data.items() if k not in ("sites", "baseline_chosen", "baseline_default")}
    return web.json_response({"from": first.isoformat(), "to": last.isoformat(), **plain(data)})


@routes.get("/api/v1/report", name="reports_api_report", access=STAFF)
async def api_report(request: web.Request) -> web.Response:
    """The annual report's figures (`?year=`, default this year)."""
    year = year_query(request)
    tz = request.app[SETTINGS].tz
    today = request.app[CLOCK].now().date()
    r = await request.app[DB].read(lambda d: build(d, year, tz, today))
    return web.json_response(plain(r))
