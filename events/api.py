"""The programme's JSON API under /api/v1: public reads, staff writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from events import queries, store
from events.model import AXES, KINDS, clean_exception, clean_session, clean_site
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import path_id, query, read_json
from quartier.routing import PUBLIC, STAFF, Routes
from quartier.typedefs import DB, SETTINGS

routes = Routes()

MAX_RANGE_DAYS = 366


def site_json(site: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in site.items() if k not in ("id", "updated")}


def occurrence_json(o: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in o.items() if k not in ("start", "end", "original_start", "date")}
    out["date"] = o["date"].isoformat()
    out["start"] = o["start"].isoformat()
    out["end"] = o["end"].isoformat()
    out["original_start"] = o["original_start"].isoformat() if o["original_start"] else None
    return out


def session_json(s: dict[str, Any]) -> dict[str, Any]:
    out = {
        k: s[k]
        for k in (
            "id",
            "key",
            "site",
            "title",
            "description",
            "kind",
            "axis",
            "room",
            "audience",
            "languages",
            "registration",
            "capacity",
            "staff_count",
            "free",
        )
    }
    # The YAML schema's `partner` is the partner's key; its name is given beside it.
    out.update(partner=s["partner_key"], partner_name=s["partner"])
    out.update(date=s["first_date"], start=s["start_time"], end=s["end_time"])
    out["repeat"] = (
        {
            "every": s["repeat_every"],
            "interval": s["repeat_interval"],
            "until": s["repeat_until"],
            "count": s["repeat_count"],
        }
        if s["repeat_every"]
        else None
    )
    if "exceptions" in s:
        out["exceptions"] = [exception_json(e) for e in s["exceptions"].values()]
    return out


def exception_json(e: dict[str, Any]) -> dict[str, Any]:
    out = {"date": e["date"], "status": e["status"], "reason": e["reason"]}
    if e["status"] == "moved":
        out.update(new_date=e["new_date"], start=e["new_start"], end=e["new_end"], room=e["new_room"])
    return {k: v for k, v in out.items() if v not in (None, "")} | {"date": e["date"], "status": e["status"]}


def parse_range(request: web.Request) -> tuple[dt.date, dt.date]:
    q = query(request)
    start = q.date("from") or dt.datetime.now(request.app[SETTINGS].tz).date()
    end = q.date("to") or start + dt.timedelta(days=6)
    if end < start or (end - start).days > MAX_RANGE_DAYS:
        raise Problem(
            400, "invalid_range", N_("La période doit aller de « from » à « to », {n} jours au plus."), n=MAX_RANGE_DAYS
        )
    return start, end


def filters(request: web.Request) -> dict[str, Any]:
    """The programme's filters from the query string: site, axis, kind, audience."""
    q = query(request)
    return {
        "site": q.text("site", max_length=60) or None,
        "axis": q.choice("axis", AXES, code="invalid_axis"),
        "kind": q.choice("kind", KINDS, code="invalid_kind"),
        "audience": q.text("audience", max_length=60) or None,
    }


@routes.get("/api/v1/sites", name="events_api_sites", access=PUBLIC)
async def api_sites(request: web.Request) -> web.Response:
    rows = await request.app[DB].read(queries.sites)
    return web.json_response({"sites": [site_json(s) for s in rows]})


@routes.get("/api/v1/sites/{slug}", name="events_api_site", access=PUBLIC)
async def api_site(request: web.Request) -> web.Response:
    row = await request.app[DB].read(lambda db: queries.site(db, request.match_info["slug"]))
    if row is None:
        raise Problem(404, "not_found", N_("Ce lieu n'existe pas."))
    return web.json_response(site_json(row))


@routes.post("/api/v1/sites", name="events_api_site_create", access=STAFF)
async def api_site_create(request: web.Request) -> web.Response:
    site = clean_site(await read_json(request), default_timezone=request.app[SETTINGS].timezone)
    existing = await request.app[DB].read(lambda db: queries.site(db, site["slug"]))
    if existing:
        raise Problem(409, "slug_taken", N_("L'identifiant « {slug} » est déjà pris."), slug=site["slug"])
    await request.app[DB].write(lambda tx: store.save_site(tx, site))
    return web.json_response({"slug": site["slug"]}, status=201)


@routes.put("/api/v1/sites/{slug}", name="events_api_site_update", access=STAFF)
async def api_site_update(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    data = await read_json(request)
    data.setdefault("slug", slug)
    site = clean_site(data, default_timezone=request.app[SETTINGS].timezone)
    await request.app[DB].write(lambda tx: store.save_site(tx, site, old_slug=slug))
    return web.json_response({"slug": site["slug"]})


@routes.delete("/api/v1/sites/{slug}", name="events_api_site_delete", access=STAFF)
async def api_site_delete(request: web.Request) -> web.Response:
    await request.app[DB].write(lambda tx: store.delete_site(tx, request.match_info["slug"]))
    return web.Response(status=204)


@routes.get("/api/v1/sessions", name="events_api_sessions", access=PUBLIC)
async def api_sessions(request: web.Request) -> web.Response:
    """Occurrences in a date range (recurrences expanded), each with its status."""
    start, end = parse_range(request)
    f = filters(request)
    rows = await request.app[DB].read(lambda db: queries.occurrences(db, start, end, **f))
    return web.json_response(
        {"from": start.isoformat(), "to": end.isoformat(), "occurrences": [occurrence_json(o) for o in rows]}
    )


@routes.get("/api/v1/sessions/{id}", name="events_api_session", access=PUBLIC)
async def api_session(request: web.Request) -> web.Response:
    s = await request.app[DB].read(lambda db: queries.session(db, path_id(request)))
    if s is None:
        raise Problem(404, "not_found", N_("Cette séance n'existe pas."))
    return web.json_response(session_json(s))


@routes.post("/api/v1/sessions", name="events_api_session_create", access=STAFF)
async def api_session_create(request: web.Request) -> web.Response:
    s = clean_session(await read_json(request))
    id, _outcome = await request.app[DB].write(
        lambda tx: store.save_session(tx, {**s, "key": ""} if not s["key"] else s)
    )
    return web.json_response({"id": id}, status=201)


@routes.put("/api/v1/sessions/{id}", name="events_api_session_update", access=STAFF)
async def api_session_update(request: web.Request) -> web.Response:
    id = path_id(request)
    s = clean_session(await read_json(request))
    await request.app[DB].write(lambda tx: store.save_session(tx, s, id=id))
    return web.json_response({"id": id})


@routes.delete("/api/v1/sessions/{id}", name="events_api_session_delete", access=STAFF)
async def api_session_delete(request: web.Request) -> web.Response:
    id = path_id(request)
    await request.app[DB].write(lambda tx: store.delete_session(tx, id))
    return web.Response(status=204)


@routes.post("/api/v1/sessions/{id}/cancellations", name="events_api_cancel", access=STAFF)
async def api_cancel(request: web.Request) -> web.Response:
    """Cancel one occurrence: {"date": "YYYY-MM-DD" (local date of the occurrence), "reason"}."""
    id = path_id(request)
    data = await read_json(request)
    return await _set_exception(request, id, {**data, "status": "cancelled"})


@routes.post("/api/v1/sessions/{id}/exceptions", name="events_api_exception", access=STAFF)
async def api_exception(request: web.Request) -> web.Response:
    """Change one occurrence: {"date", "status": cancelled|moved|full|scheduled, "reason"?,
    "new_date"?, "start"?, "end"?, "room"?}; "scheduled" restores it."""
    return await _set_exception(request, path_id(request), await read_json(request))


async def _set_exception(request: web.Request, id: int, data: dict[str, Any]) -> web.Response:
    e = clean_exception(data)
    outcome = await request.app[DB].write(lambda tx: store.set_exception(tx, id, e))
    occ = await request.app[DB].read(lambda db: queries.occurrence(db, id, e["date"]))
    assert occ is not None
    return web.json_response(occurrence_json(occ), status=201 if outcome == "created" else 200)
