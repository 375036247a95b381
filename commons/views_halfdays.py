"""Pages of the free half-days: a site's rooms week by week, the request form, and the organizers'
queue (accept: a session joins the programme at once; refuse with a word)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils
from aiohttp import web

from commons import access, changes, halfday_grid, halfdays
from commons.forms import field_errors
from commons.views_budget import STAFF_OR_PARTNER
from events import queries
from events import rooms as rooms_model
from events.model import AXES, KINDS
from events.pages import iso_week, now, page, week_asked
from quartier.bus import last_seq_in
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.inputs import Fields, Invalid, path_id, query
from quartier.routing import ORGANIZER, PARTNER, Routes
from quartier.typedefs import DB
from quartier.web import redirect

routes = Routes()


async def _site_asked(request: web.Request) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    sites = await request.app[DB].read(queries.sites)
    slug = query(request).text("site", max_length=60) or (sites[0]["slug"] if sites else "")
    site = next((s for s in sites if s["slug"] == slug), None)
    if site is None:
        raise Problem(404, "not_found", N_("Ce lieu n'existe pas."))
    return sites, site


@routes.get("/espaces", name="commons_spaces", access=STAFF_OR_PARTNER)
async def spaces(request: web.Request) -> web.Response:
    """A site's rooms over one week: each free half-day links to its request form."""
    sites, site = await _site_asked(request)
    monday = week_asked(request, now(request).date())
    organisation = access.own_organisation(request)

    def read(db: sqlite_utils.Database) -> dict[str, Any]:
        mine = halfdays.listed(db, partner_id=organisation) if organisation else halfdays.listed(db, site=site["slug"])
        return {
            "rooms": halfday_grid.week(db, site, monday, organisation),
            "requests": mine[:30],
            "seq": last_seq_in(db),
        }

    data = await request.app[DB].read(read)
    ctx = {"sites": sites, "site": site, "monday": monday, "today": now(request).date()}
    ctx |= {"this_week": iso_week(monday), "previous": iso_week(monday - dt.timedelta(weeks=1))}
    ctx |= {"next": iso_week(monday + dt.timedelta(weeks=1)), "STATES": halfdays.STATES}
    ctx |= {"HALF_LABELS": halfdays.HALF_LABELS, "channels": changes.ROOM_REQUESTS}
    return page(request, "commons/spaces.html", {**ctx, **data})


async def _room(request: web.Request) -> dict[str, Any]:
    id = path_id(request)
    room = await request.app[DB].read(lambda db: queries.room(db, id))
    if room is None:
        raise Problem(404, "not_found", N_("Cette salle n'existe pas."))
    return room


async def _form(request: web.Request, room: dict[str, Any], r: dict[str, Any], errors: dict[str, str], status: int):
    partners = [] if access.own_organisation(request) else await request.app[DB].read(queries.partners)
    ctx = {"room": room, "r": r, "errors": errors, "partners": partners, "KINDS": KINDS, "AXES": AXES}
    return page(request, "commons/space_request.html", ctx, status=status)


@routes.get("/espaces/salles/{id}/demande", name="commons_space_request_form", access=STAFF_OR_PARTNER)
async def request_form(request: web.Request) -> web.Response:
    room = await _room(request)
    q = query(request)
    half = q.choice("half", halfdays.HALVES, "afternoon")
    start, end = halfdays.HALVES[half]
    day = q.date("date") or now(request).date()
    r = {"date": day.isoformat(), "start": start, "end": end, "axis": "accompagnement", "kind": "permanence"}
    return await _form(request, room, r, {}, 200)


async def _partner_for(request: web.Request, form: Any) -> int | None:
    """A partner account asks for its own organisation; staff may name a partner (or none)."""
    organisation = access.own_organisation(request)
    if organisation is not None:
        return organisation
    key = Fields(form).text("partner", max_length=120)
    if not key:
        return None
    found = await request.app[DB].read(lambda db: queries.partner_id(db, key))
    if found is None:
        raise Invalid([("partner", N_("Partenaire inconnu : « {name} »."), {"name": key})])
    return found


@routes.post("/espaces/salles/{id}/demande", name="commons_space_request", access=STAFF_OR_PARTNER)
async def request_send(request: web.Request) -> web.Response:
    """Ask for the half-day(s); a conflict is said on the form (409), a wrong field beside it (422)."""
    room = await _room(request)
    form = await request.post()
    flat = {k: str(form.get(k, "")) for k in ("title", "kind", "axis", "date", "start", "end", "until", "partner")}
    try:
        r = halfdays.clean_request(flat, now(request).date())
        partner_id = await _partner_for(request, form)
        user = access.user_id(request)
        await request.app[DB].write(lambda tx: halfdays.create(tx, room, r, partner_id, user))
    except Invalid as e:
        return await _form(request, room, flat, field_errors(e), 422)
    except Problem as e:
        if e.status != 409:
            raise
        return await _form(request, room, flat, {"conflict": _(e.message).format(**e.params)}, 409)
    url = request.app.router["commons_spaces"].url_for().with_query(site=room["site"], week=iso_week(r["date"]))
    return redirect(str(url.update_query(sent="1")))


@routes.post("/espaces/salles/{id}", name="commons_room_save", access=ORGANIZER)
async def room_save(request: web.Request) -> web.Response:
    """Organizers: a room's capacity, equipment and accessibility (its name is the programme's)."""
    room = await _room(request)
    form = await request.post()
    data = {"name": room["name"], **{k: str(form.get(k, "")) for k in ("capacity", "equipment", "accessibility")}}
    r = rooms_model.clean_room(data)  # Invalid: a 422 naming the field
    site_id = await request.app[DB].read(lambda db: queries.site(db, room["site"]))
    assert site_id is not None
    await request.app[DB].write(lambda tx: rooms_model.save_room(tx, site_id["id"], r))
    return redirect(str(request.app.router["commons_spaces"].url_for().with_query(site=room["site"])))


@routes.post("/espaces/demandes/{id}/retirer", name="commons_space_withdraw", access=PARTNER)
async def withdraw(request: web.Request) -> web.Response:
    organisation = access.require_partner(request)
    id = path_id(request)
    await request.app[DB].write(lambda tx: halfdays.withdraw(tx, id, organisation))
    return redirect(str(request.app.router["commons_spaces"].url_for()))


@routes.get("/staff/demandes-salles", name="commons_room_requests", access=ORGANIZER)
async def queue(request: web.Request) -> web.Response:
    def read(db: sqlite_utils.Database) -> dict[str, Any]:
        everything = halfdays.listed(db)
        pending = [x for x in everything if x["state"] == "pending"]
        return {"pending": pending, "decided": [x for x in everything if x["state"] != "pending"][:30]}

    data = await request.app[DB].read(read)
    seq = await request.app[DB].read(last_seq_in)
    ctx = {"STATES": halfdays.STATES, "channels": changes.ROOM_REQUESTS, "seq": seq, "iso_date": dt.date.fromisoformat}
    return page(request, "commons/room_requests.html", {**data, **ctx})


@routes.post("/staff/demandes-salles/{id}/accept", name="commons_room_request_accept", access=ORGANIZER)
async def accept(request: web.Request) -> web.Response:
    id = path_id(request)
    user = access.user_id(request)
    session_id = await request.app[DB].write(lambda tx: halfdays.accept(tx, id, user))
    return redirect(str(request.app.router["events_session"].url_for(id=str(session_id))))


@routes.post("/staff/demandes-salles/{id}/refuse", name="commons_room_request_refuse", access=ORGANIZER)
async def refuse(request: web.Request) -> web.Response:
    id = path_id(request)
    reason = Fields(await request.post()).text("reason", max_length=300)
    user = access.user_id(request)
    await request.app[DB].write(lambda tx: halfdays.refuse(tx, id, user, reason))
    return redirect(str(request.app.router["commons_room_requests"].url_for()))
