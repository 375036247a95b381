"""The attendance API: record how many came to an occurrence, and read the counts of a period.

POST /api/v1/sessions/{id}/attendance  {"date", "count", "first_visit"?, "referred"?, "ages"?, "needs"?}
                                       or {"date", "held": false, "reason"}  -> 201 (new) or 200
GET  /api/v1/attendance?from=&to=&site=&missing=true
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import path_id, query, read_json
from quartier.routing import STAFF, Routes
from quartier.typedefs import CLOCK, DB, USER
from reports import attendance_store as store

routes = Routes()
MAX_DAYS = 400  # a year and a bit: the annual report's period


def count_json(o: dict[str, Any], a: dict[str, Any] | None) -> dict[str, Any]:
    """One occurrence and its count (`attendance` null when none was recorded)."""
    out: dict[str, Any] = {
        "session": o["session"],
        "date": o["date"].isoformat(),
        "title": o["title"],
        "site": o["site"],
        "axis": o["axis"],
        "kind": o["kind"],
        "start": o["start"].isoformat(),
        "end": o["end"].isoformat(),
        "status": o["status"],
        "attendance": None,
    }
    if a is not None:
        keys = ("held", "reason", "count", "first_visit", "referred", "ages", "needs")
        out["attendance"] = {k: a[k] for k in keys}
    return out


@routes.post("/api/v1/sessions/{id}/attendance", name="reports_api_attendance_record", access=STAFF)
async def api_record(request: web.Request) -> web.Response:
    """Record (or correct) the count of one occurrence."""
    id = path_id(request)
    count = store.clean(await read_json(request))
    today = request.app[CLOCK].now().date()
    user = request[USER]
    status = await request.app[DB].write(lambda tx: store.record_tx(tx, id, count, today, user.name if user else ""))

    def read(d: Any) -> tuple[dict[str, Any], dict[str, Any] | None]:
        return store.countable(d, id, count["date"], today), store.get(d, id, count["date"])

    occ, saved = await request.app[DB].read(read)
    return web.json_response(count_json(occ, saved), status=201 if status == "created" else 200)


@routes.get("/api/v1/attendance", name="reports_api_attendance", access=STAFF)
async def api_list(request: web.Request) -> web.Response:
    """Occurrences of [from, to] (default: the last 7 days) with their counts; `missing=true` keeps
    the held ones that have none yet."""
    q = query(request)
    today = request.app[CLOCK].now().date()
    end = q.date("to") or today
    start = q.date("from") or end - dt.timedelta(days=6)
    site = q.text("site", max_length=60) or None
    only_missing = q.boolean("missing")
    if end < start or (end - start).days > MAX_DAYS:
        raise Problem(
            400, "invalid_range", N_("La période va du « from » au « to », {max} jours au plus."), max=MAX_DAYS
        )
    rows = await request.app[DB].read(lambda d: store.with_counts(d, start, end, today))
    if site:
        rows = [o for o in rows if o["site"] == site]
    if only_missing:
        rows = [o for o in rows if o["countable"] and o["attendance"] is None and o["start"].date() < today]
    return web.json_response(
        {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "occurrences": [count_json(o, o["attendance"]) for o in rows],
        }
    )
