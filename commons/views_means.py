"""Pages of the equipment bank: the catalogue (staff and partner accounts; public without borrowers
when `means_catalogue_public`), an item's page with its calendar and booking form, the answers of
its owner, check-out and return, the late list, and the item's iCalendar feed."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from typing import Any

import sqlite_utils
from aiohttp import web

from commons import access, changes, means, means_calendar
from commons.forms import field_errors
from commons.views_budget import STAFF_OR_PARTNER
from events import queries
from events.pages import now, page
from quartier import images
from quartier.bus import last_seq_in
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.inputs import Fields, Invalid, path_id
from quartier.routing import ORGANIZER, PARTNER, STAFF, Routes, check
from quartier.typedefs import DB, SETTINGS, USER
from quartier.web import redirect

routes = Routes()
CALENDAR_DAYS = 28


async def _public(request: web.Request) -> bool:
    return request.app[SETTINGS].means_catalogue_public


PUBLIC_CATALOGUE = check("means_catalogue_public", _public)
ORGANIZER_OR_PARTNER = ORGANIZER | PARTNER


def ctx_labels() -> dict[str, Any]:
    return {"KINDS": means.KINDS, "CONDITIONS": means.CONDITIONS, "NEEDS": means.NEEDS, "HALVES": means.HALVES}


@routes.get("/materiel", name="commons_means", access=STAFF_OR_PARTNER)
async def catalogue(request: web.Request) -> web.Response:
    today = now(request).date()

    def read(db: sqlite_utils.Database) -> dict[str, Any]:
        items = means.catalogue(db)
        standing = [b for b in means.bookings(db) if b["state"] in means.STANDING]
        for m in items:
            m["out"] = next((b for b in standing if b["means_id"] == m["id"] and b["state"] == "out"), None)
            m["next"] = next(
                (
                    b
                    for b in standing
                    if b["means_id"] == m["id"] and b["state"] != "out" and b["end_date"] >= str(today)
                ),
                None,
            )
        listed = {"partners": queries.partners(db), "sites": queries.sites(db)}
        return {"items": items, "late": means.late(db, today), "seq": last_seq_in(db), **listed}

    data = await request.app[DB].read(read)
    return page(request, "commons/means.html", {**data, **ctx_labels(), "channels": changes.MEANS})


@routes.get("/banque-materiel", name="commons_means_public", access=PUBLIC_CATALOGUE)
async def public_catalogue(request: web.Request) -> web.Response:
    """What exists and whom to ask: the owner and the home site, never who borrowed it."""
    items = await request.app[DB].read(means.catalogue)
    return page(request, "commons/means_public.html", {"items": items, **ctx_labels()})


def may_answer(request: web.Request, b: dict[str, Any], action: str) -> bool:
    """The owner (its partner account) or an organizer answers; staff also check out and take back;
    the borrower may withdraw its own booking."""
    user = request[USER]
    if user is None:
        return False
    organisation = access.own_organisation(request)
    if organisation is not None:
        return organisation == b["owner_id"] or (action == "withdraw" and organisation == b["partner_id"])
    return user.role == "organizer" or action in ("checkout", "return", "withdraw")


async def _item_page(request: web.Request, id: int, form: dict[str, Any], errors: dict[str, str], status: int):
    today = now(request).date()

    def read(db: sqlite_utils.Database) -> dict[str, Any] | None:
        m = means.item(db, id)
        if m is None:
            return None
        listed = means.bookings(db, means_id=id)
        return {
            "m": m,
            "bookings": [b for b in listed if b["end_date"] >= str(today - dt.timedelta(days=90))],
            "calendar": means_calendar.grid(listed, today, CALENDAR_DAYS, today),
            "partners": [] if access.own_organisation(request) else queries.partners(db),
            "seq": last_seq_in(db),
        }

    data = await request.app[DB].read(read)
    if data is None:
        raise Problem(404, "not_found", N_("Ce matériel n'existe pas."))
    for b in data["bookings"]:
        b["may"] = {a: may_answer(request, b, a) for a in means.MOVES}
    ctx = {**data, **ctx_labels(), "STATES": means.STATES, "form": form, "errors": errors, "today": today}
    ctx["MOVES_FROM"] = {action: states for action, (states, _new) in means.MOVES.items()}
    return page(request, "commons/means_item.html", {**ctx, "channels": changes.MEANS}, status=status)


@routes.get("/materiel/retards", name="commons_means_late", access=STAFF)
async def late_page(request: web.Request) -> web.Response:
    late = await request.app[DB].read(lambda db: means.late(db, now(request).date()))
    return page(request, "commons/means_late.html", {"late": late, **ctx_labels()})


@routes.get("/materiel/{id}", name="commons_means_item", access=STAFF_OR_PARTNER)
async def item_page(request: web.Request) -> web.Response:
    today = now(request).date().isoformat()
    form = {"start_date": today, "end_date": today, "start_half": "morning", "end_half": "afternoon"}
    return await _item_page(request, path_id(request), form, {}, 200)


async def borrower(request: web.Request, named: str) -> int | None:
    """A partner account borrows for its own organisation; staff may name a partner (or none)."""
    organisation = access.own_organisation(request)
    if organisation is not None or not named:
        return organisation
    found = await request.app[DB].read(lambda db: queries.partner_id(db, named))
    if found is None:
        raise Invalid([("partner", N_("Partenaire inconnu : « {name} »."), {"name": named})])
    return found


@routes.post("/materiel/{id}/reservations", name="commons_means_book", access=STAFF_OR_PARTNER)
async def book(request: web.Request) -> web.Response:
    id = path_id(request)
    posted = await request.post()
    fields = ("start_date", "start_half", "end_date", "end_half", "purpose", "session_id", "partner")
    form = {k: str(posted.get(k, "")) for k in fields}
    today = now(request).date()
    try:
        b = means.clean_booking(form, today)
        partner_id = await borrower(request, b["partner"])
        user = access.user_id(request)
        await request.app[DB].write(lambda tx: means.book(tx, id, b, partner_id, user, today))
    except Invalid as e:
        return await _item_page(request, id, form, field_errors(e), 422)
    except Problem as e:
        if e.status != 409:
            raise
        return await _item_page(request, id, form, {"conflict": _(e.message).format(**e.params)}, 409)
    return redirect(str(request.app.router["commons_means_item"].url_for(id=str(id)).with_query(sent="1")))


@routes.post("/materiel/reservations/{id}/{action}", name="commons_booking_move", access=STAFF_OR_PARTNER)
async def move(request: web.Request) -> web.Response:
    """accept, refuse (with a reason), withdraw, checkout and return (with the condition noted)."""
    id = path_id(request)
    action = request.match_info["action"]
    if action not in means.MOVES:
        raise Problem(404, "not_found", N_("Cette page n'existe pas."))
    note = Fields(await request.post()).text("note", max_length=300)
    b = await request.app[DB].read(lambda db: means.booking(db, id))
    if b is None:
        raise Problem(404, "not_found", N_("Cette réservation n'existe pas."))
    if not may_answer(request, b, action):
        raise Problem(403, "forbidden", N_("Seul le propriétaire du matériel ou un organisateur peut répondre."))
    user = access.user_id(request)
    await request.app[DB].write(lambda tx: means.move(tx, id, action, note, user))
    return redirect(str(request.app.router["commons_means_item"].url_for(id=str(b["means_id"]))))


@routes.get("/materiel/{id}/calendar.ics", name="commons_means_ical", access=STAFF_OR_PARTNER | PUBLIC_CATALOGUE)
async def item_ical(request: web.Request) -> web.Response:
    """The item's bookings for a calendar app; borrowers only for staff and partner accounts."""
    id = path_id(request)
    data = await request.app[DB].read(lambda db: (means.item(db, id), means.bookings(db, means_id=id)))
    if data[0] is None:
        raise Problem(404, "not_found", N_("Ce matériel n'existe pas."))
    settings = request.app[SETTINGS]
    who = request[USER] is not None
    body = means_calendar.ical(data[0], data[1], base_url=settings.base_url, tz=settings.tz, who=who)
    return web.Response(body=body, content_type="text/calendar", charset="utf-8")


async def clean_means_input(request: web.Request, data: dict[str, Any]) -> dict[str, Any]:
    """The item's fields; a partner account only adds or edits what its own organisation owns."""
    organisation = access.own_organisation(request)
    if organisation is not None:
        data = {**data, "partner_id": organisation}

    def ids(db: sqlite_utils.Database) -> tuple[set[int], set[int]]:
        return {p["id"] for p in queries.partners(db)}, {s["id"] for s in queries.sites(db)}

    partner_ids, site_ids = await request.app[DB].read(ids)
    return means.clean_means(data, partner_ids, site_ids)


def read_photo(form: Any) -> dict[str, Any] | None:
    """The uploaded photo, checked by its bytes (PNG, JPEG, WebP or GIF, as images.sniff); None without one."""
    upload = form.get("photo")
    if not isinstance(upload, web.FileField):
        return None
    data = upload.file.read(images.MAX_IMAGE_BYTES + 1)
    if not data:
        return None
    extension, content_type = images.sniff(data)  # 413 too large, 415 not an image
    size = images.dimensions(extension, data)
    if size is None:
        raise Problem(422, "invalid_image", N_("Ce fichier n'est pas une image lisible."))
    return {"data": data, "extension": extension, "content_type": content_type, "width": size[0], "height": size[1]}


def store_photo(tx: Any, means_id: int, photo: dict[str, Any]) -> None:
    """In the programme's content-addressed image table (the partners' logos live there too)."""
    name = f"{hashlib.sha256(photo['data']).hexdigest()}.{photo['extension']}"
    tx.execute(
        "INSERT OR IGNORE INTO partner_logos (name, content_type, width, height, data, created) VALUES (?, ?, ?, ?, ?, ?)",
        (name, photo["content_type"], photo["width"], photo["height"], photo["data"], time.time()),
    )
    tx.execute("UPDATE commons_means SET photo = ? WHERE id = ?", (name, means_id))


@routes.post("/materiel", name="commons_means_add", access=ORGANIZER_OR_PARTNER)
async def add(request: web.Request) -> web.Response:
    posted = await request.post()
    data: dict[str, Any] = {k: str(posted.get(k, "")) for k in ("name", "kind", "partner_id", "site_id")}
    data |= {k: str(posted.get(k, "")) for k in ("description", "condition")}
    data["needs"] = [str(v) for v in posted.getall("needs", [])]
    m = await clean_means_input(request, data)
    photo = read_photo(posted)

    def write(tx: Any) -> int:
        id = means.save_means(tx, m)
        if photo is not None:
            store_photo(tx, id, photo)
        return id

    id = await request.app[DB].write(write)
    return redirect(str(request.app.router["commons_means_item"].url_for(id=str(id))))
