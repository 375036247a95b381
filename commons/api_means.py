"""The equipment bank's API: the catalogue, an item's bookings, booking answers, deleting an item."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from commons import access, means
from commons.views_budget import STAFF_OR_PARTNER
from commons.views_means import ORGANIZER_OR_PARTNER, borrower, clean_means_input, may_answer
from events.pages import now
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields, Invalid, path_id, query, read_json
from quartier.routing import Routes
from quartier.typedefs import DB

routes = Routes()

MEANS_FIELDS = ("id", "name", "kind", "owner_key", "site", "description", "condition", "needs")
BOOKING_FIELDS = ("id", "means_id", "start_date", "start_half", "end_date", "end_half", "purpose", "state", "reason")


def means_json(m: dict[str, Any]) -> dict[str, Any]:
    out = {k: m[k] for k in MEANS_FIELDS}
    out["owner"] = out.pop("owner_key")
    return out


def booking_json(b: dict[str, Any]) -> dict[str, Any]:
    out = {k: b[k] for k in BOOKING_FIELDS}
    out |= {"borrower": b["borrower"] or None, "session": b["session_id"]}
    out |= {"out_note": b["out_note"], "return_note": b["return_note"]}
    return out


@routes.get("/api/v1/means", name="commons_api_means", access=STAFF_OR_PARTNER)
async def api_means(request: web.Request) -> web.Response:
    items = await request.app[DB].read(means.catalogue)
    return web.json_response({"means": [means_json(m) for m in items]})


@routes.post("/api/v1/means", name="commons_api_means_create", access=ORGANIZER_OR_PARTNER)
async def api_means_create(request: web.Request) -> web.Response:
    """A new item (a partner account's item is always its own organisation's)."""
    m = await clean_means_input(request, await read_json(request))
    id = await request.app[DB].write(lambda tx: means.save_means(tx, m))
    return web.json_response({"id": id}, status=201)


@routes.delete("/api/v1/means/{id}", name="commons_api_means_delete", access=ORGANIZER_OR_PARTNER)
async def api_means_delete(request: web.Request) -> web.Response:
    """204; 409 listing the bookings still to come."""
    id = path_id(request)
    m = await request.app[DB].read(lambda db: means.item(db, id))
    if m is None:
        raise Problem(404, "not_found", N_("Ce matériel n'existe pas."))
    access.check_writes_for(request, {"id": m["partner_id"]})
    today = now(request).date()
    await request.app[DB].write(lambda tx: means.delete_means(tx, id, today))
    return web.Response(status=204)


@routes.get("/api/v1/means/{id}/bookings", name="commons_api_means_bookings", access=STAFF_OR_PARTNER)
async def api_means_bookings(request: web.Request) -> web.Response:
    id = path_id(request)
    data = await request.app[DB].read(lambda db: (means.item(db, id), means.bookings(db, means_id=id)))
    if data[0] is None:
        raise Problem(404, "not_found", N_("Ce matériel n'existe pas."))
    return web.json_response({"bookings": [booking_json(b) for b in data[1]]})


@routes.post("/api/v1/means/{id}/bookings", name="commons_api_means_book", access=STAFF_OR_PARTNER)
async def api_means_book(request: web.Request) -> web.Response:
    """201; 409 naming the booking the span meets; 422 for a past date or an end before the start."""
    id = path_id(request)
    today = now(request).date()
    b = means.clean_booking(await read_json(request), today)
    try:
        partner_id = await borrower(request, b["partner"])
    except Invalid as e:
        raise Problem(422, "unknown_partner", N_("Partenaire inconnu : « {name} »."), name=b["partner"]) from e
    user = access.user_id(request)
    new = await request.app[DB].write(lambda tx: means.book(tx, id, b, partner_id, user, today))
    return web.json_response({"id": new, "state": "pending"}, status=201)


@routes.get("/api/v1/bookings", name="commons_api_bookings", access=STAFF_OR_PARTNER)
async def api_bookings(request: web.Request) -> web.Response:
    """Every booking (a partner account: those it made or of its own items); `late=true`: the late list."""
    q = query(request, status=422)
    state = q.choice("state", means.STATES)
    late = q.boolean("late")
    today = now(request).date()
    rows = await request.app[DB].read(lambda db: means.late(db, today) if late else means.bookings(db, state=state))
    organisation = access.own_organisation(request)
    if organisation is not None:
        rows = [b for b in rows if organisation in (b["partner_id"], b["owner_id"])]
    return web.json_response({"bookings": [booking_json(b) for b in rows]})


@routes.post("/api/v1/bookings/{id}/decision", name="commons_api_booking_move", access=STAFF_OR_PARTNER)
async def api_booking_move(request: web.Request) -> web.Response:
    """accept or refuse (the owner or an organizer), checkout and return with a condition note, withdraw."""
    id = path_id(request)
    c = Fields(await read_json(request), collect=True)
    action = c.choice("action", means.MOVES, required=True)
    note = c.text("note", max_length=300)
    c.done()
    assert action is not None
    b = await request.app[DB].read(lambda db: means.booking(db, id))
    if b is None:
        raise Problem(404, "not_found", N_("Cette réservation n'existe pas."))
    if not may_answer(request, b, action):
        raise Problem(403, "forbidden", N_("Seul le propriétaire du matériel ou un organisateur peut répondre."))
    user = access.user_id(request)
    done = await request.app[DB].write(lambda tx: means.move(tx, id, action, note, user))
    return web.json_response({"id": id, "state": done["state"]})
