"""The API of free half-days: rooms with their week, requests for them, and the organizers' answer."""

from __future__ import annotations

from typing import Any

import sqlite_utils
from aiohttp import web

from commons import access, halfday_grid, halfdays
from commons.views_budget import STAFF_OR_PARTNER
from events import queries
from events.pages import iso_week, now, week_asked
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields, path_id, query, read_json
from quartier.routing import ORGANIZER, Routes
from quartier.typedefs import DB

routes = Routes()

REQUEST_FIELDS = ("id", "title", "kind", "axis", "first_date", "until", "start_time", "end_time", "state", "reason")


def request_json(q: dict[str, Any]) -> dict[str, Any]:
    out = {k: q[k] for k in REQUEST_FIELDS}
    out |= {"room": q["room_id"], "site": q["site"], "partner": q["partner_key"], "session": q["session_id"]}
    return out


def _day_json(day: dict[str, Any]) -> dict[str, Any]:
    return {"date": day["date"].isoformat(), "halves": day["halves"]}


@routes.get("/api/v1/rooms", name="commons_api_rooms", access=STAFF_OR_PARTNER)
async def api_rooms(request: web.Request) -> web.Response:
    """Every room (of one site with `site`) and its half-days in the week asked (this week by default)."""
    q = query(request, status=422)
    slug = q.text("site", max_length=60) or None
    monday = week_asked(request, now(request).date())
    organisation = access.own_organisation(request)

    def read(db: sqlite_utils.Database) -> list[dict[str, Any]] | None:
        sites = queries.sites(db)
        if slug is not None:
            sites = [s for s in sites if s["slug"] == slug]
            if not sites:
                return None
        return [room for s in sites for room in halfday_grid.week(db, s, monday, organisation)]

    rooms = await request.app[DB].read(read)
    if rooms is None:
        raise Problem(404, "not_found", N_("Ce lieu n'existe pas."))
    out = [
        {**{k: r[k] for k in ("id", "site", "name", "capacity", "equipment", "accessibility", "free")}} for r in rooms
    ]
    for room, r in zip(out, rooms, strict=True):
        room["days"] = [_day_json(d) for d in r["days"]]
    return web.json_response({"week": iso_week(monday), "rooms": out})


@routes.post("/api/v1/rooms/{id}/requests", name="commons_api_room_request", access=STAFF_OR_PARTNER)
async def api_room_request(request: web.Request) -> web.Response:
    """A request for one half-day or a weekly series: 201, 409 naming the conflict, 422 naming the field."""
    id = path_id(request)
    data = await read_json(request)
    room = await request.app[DB].read(lambda db: queries.room(db, id))
    if room is None:
        raise Problem(404, "not_found", N_("Cette salle n'existe pas."))
    r = halfdays.clean_request(data, now(request).date())
    partner_id = access.own_organisation(request)
    if partner_id is None and r["partner"]:
        partner_id = await request.app[DB].read(lambda db: queries.partner_id(db, r["partner"]))
        if partner_id is None:
            raise Problem(422, "unknown_partner", N_("Partenaire inconnu : « {name} »."), name=r["partner"])
    user = access.user_id(request)
    new = await request.app[DB].write(lambda tx: halfdays.create(tx, room, r, partner_id, user))
    return web.json_response({"id": new, "state": "pending"}, status=201)


@routes.get("/api/v1/room-requests", name="commons_api_room_requests", access=STAFF_OR_PARTNER)
async def api_room_requests(request: web.Request) -> web.Response:
    """Requests, newest first; a partner account gets its own only."""
    state = query(request, status=422).choice("state", halfdays.STATES)
    organisation = access.own_organisation(request)
    rows = await request.app[DB].read(lambda db: halfdays.listed(db, partner_id=organisation, state=state))
    return web.json_response({"requests": [request_json(q) for q in rows]})


@routes.post("/api/v1/room-requests/{id}/decision", name="commons_api_room_decision", access=ORGANIZER)
async def api_room_decision(request: web.Request) -> web.Response:
    """Organizers: accept (a session joins the programme) or refuse a pending request."""
    id = path_id(request)
    c = Fields(await read_json(request), collect=True)
    action = c.choice("action", {"accept": "", "refuse": ""}, required=True)
    reason = c.text("reason", max_length=300)
    c.done()
    user = access.user_id(request)
    if action == "accept":
        session = await request.app[DB].write(lambda tx: halfdays.accept(tx, id, user))
        return web.json_response({"id": id, "state": "accepted", "session": session})
    await request.app[DB].write(lambda tx: halfdays.refuse(tx, id, user, reason))
    return web.json_response({"id": id, "state": "refused", "session": None})
