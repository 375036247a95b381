"""The common base's API: a site's base and what is out of order (public), fault reports (anyone, from
a device's QR code; staff naming the item), and the tickets (staff)."""

from __future__ import annotations

from typing import Any

import sqlite_utils
from aiohttp import web

from commons import access, base, base_words
from commons.views_base import enforce_limits
from events import queries
from events.pages import now
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields, path_id, query, read_json
from quartier.routing import PUBLIC, STAFF, Routes
from quartier.typedefs import DB, SETTINGS, USER

routes = Routes()

ITEM_FIELDS = ("id", "kind", "label", "state", "checked")


@routes.get("/api/v1/sites/{slug}/base", name="commons_api_base", access=PUBLIC)
async def api_base(request: web.Request) -> web.Response:
    """Every item of the site's base with its state and last check, and what is out of order, said."""
    slug = request.match_info["slug"]
    tz = request.app[SETTINGS].tz

    def read(db: sqlite_utils.Database) -> dict[str, Any] | None:
        if queries.site(db, slug) is None:
            return None
        return {"items": base.items(db, slug), "out": base_words.out_of_order(db, slug, tz)}

    data = await request.app[DB].read(read)
    if data is None:
        raise Problem(404, "not_found", N_("Ce lieu n'existe pas."))
    today = now(request).date()
    items = [{k: i[k] for k in ITEM_FIELDS} for i in data["items"]]
    out = [
        {"id": i["id"], "label": i["label"], "state": i["state"], "since": i["since_date"]}
        | {"text": base_words.say(i, today, tz)}
        for i in data["out"]
    ]
    return web.json_response({"site": slug, "items": items, "out_of_order": out})


@routes.post("/api/v1/faults", name="commons_api_fault", access=PUBLIC)
async def api_fault(request: web.Request) -> web.Response:
    """A fault: `code` (the device's QR code, anyone, rate-limited) or `item` (staff); 201 with the ticket."""
    c = Fields(await read_json(request), collect=True)
    code = c.text("code", max_length=40)
    item_id = c.id("item")
    note = c.text("note", max_length=500, multiline=True)
    c.done()
    user_ = request[USER]
    staff = user_ is not None and not user_.is_partner
    if item_id is not None and not staff:
        raise Problem(403, "forbidden", N_("Seule l'équipe signale une panne par son numéro ; sinon, le code QR."))
    if code:
        found = await request.app[DB].read(lambda db: base.item_by_code(db, code))
        if found is None:
            raise Problem(404, "not_found", N_("Ce code ne correspond à aucun appareil."))
        item_id = found["id"]
    if item_id is None:
        raise Problem(422, "invalid", N_("Indiquez le code QR de l'appareil."))
    if not staff:
        await enforce_limits(request)
    source = "staff" if staff else "qr"
    user = access.user_id(request) if staff else None
    target = item_id
    fault = await request.app[DB].write(lambda tx: base.report(tx, target, note, source, user))
    return web.json_response({"id": fault, "item": target}, status=201)


@routes.get("/api/v1/faults", name="commons_api_faults", access=STAFF)
async def api_faults(request: web.Request) -> web.Response:
    """Staff: the tickets, newest first, each with its history."""
    q = query(request, status=422)
    site = q.text("site", max_length=60) or None
    state = q.choice("state", {"open": "", "closed": ""})
    rows = await request.app[DB].read(lambda db: base.faults(db, site, state))
    keep = ("id", "item_id", "label", "site", "state", "opened", "closed")
    out = [{k: f[k] for k in keep} | {"history": [_event(e) for e in f["history"]]} for f in rows]
    return web.json_response({"faults": out})


def _event(e: dict[str, Any]) -> dict[str, Any]:
    return {"at": e["at"], "kind": e["kind"], "source": e["source"], "note": e["note"]}


@routes.post("/api/v1/sites/{slug}/base/{id}", name="commons_api_base_check", access=STAFF)
async def api_base_check(request: web.Request) -> web.Response:
    """Staff: one item checked today, with the state found (broken opens a ticket, as on the console)."""
    slug, id = request.match_info["slug"], path_id(request)
    c = Fields(await read_json(request), collect=True)
    state = c.choice("state", base.STATES, required=True)
    note = c.text("note", max_length=500)
    c.done()
    assert state is not None
    today = now(request).date()
    user = access.user_id(request)

    def write(tx: Any) -> None:
        row = tx.execute(
            "SELECT i.state FROM commons_base_items i JOIN sites s ON s.id = i.site_id WHERE i.id = ? AND s.slug = ?",
            (id, slug),
        ).fetchone()
        if row is None:
            raise Problem(404, "not_found", N_("Cet élément du socle n'existe pas."))
        if state == "broken" and row["state"] != "broken":
            base.report(tx, id, note, "staff", user)
        base.set_state(tx, id, state, today)

    await request.app[DB].write(write)
    return web.json_response({"id": id, "state": state, "checked": today.isoformat()})
