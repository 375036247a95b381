"""Pages of the common base: the one-tap fault form behind each device's QR code (no account,
rate-limited by device and address), the staff console of a site's checklist and tickets, and the
printable QR labels."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils
from aiohttp import web

from commons import access, base, base_words, changes
from events import changes as events_changes
from events import queries
from events.pages import now, page
from quartier import formats
from quartier.bus import last_seq_in
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields, path_id
from quartier.qr import qr_png
from quartier.routing import ORGANIZER, PUBLIC, STAFF, Routes
from quartier.templates import public_url
from quartier.typedefs import DB, DEVICE, LIMITER, NEW_DEVICE, SETTINGS
from quartier.web import redirect

routes = Routes()

# A device reports a few faults a minute at most, an address (a centre's shared Wi-Fi) a few more.
PER_DEVICE = (3, 3)
PER_ADDRESS = (10, 5)


async def enforce_limits(request: web.Request) -> None:
    """429 for a flood of reports from one device (or one address without a device cookie yet)."""
    device = f"fault-nocookie:{request.remote}" if request[NEW_DEVICE] else f"fault-device:{request[DEVICE]}"
    await request.app[LIMITER].enforce(
        [(device, *PER_DEVICE), (f"fault-address:{request.remote}", *PER_ADDRESS)],
        N_("Beaucoup de signalements en peu de temps : attendez {seconds} secondes."),
    )


async def _item(request: web.Request) -> dict[str, Any]:
    code = request.match_info["code"]
    found = await request.app[DB].read(lambda db: base.item_by_code(db, code))
    if found is None:
        raise Problem(404, "not_found", N_("Ce code ne correspond à aucun appareil."))
    return found


@routes.get("/panne/{code}", name="commons_fault_form", access=PUBLIC)
async def fault_form(request: web.Request) -> web.Response:
    item = await _item(request)
    said = (
        base_words.say(item, now(request).date(), request.app[SETTINGS].tz)
        if item["state"] in base.OUT_OF_ORDER
        else ""
    )
    ctx = {"item": item, "said": said, "thanks": bool(request.query.get("merci"))}
    return page(request, "commons/fault_form.html", ctx)


@routes.post("/panne/{code}", name="commons_fault_report", access=PUBLIC)
async def fault_report(request: web.Request) -> web.Response:
    """One tap: the item is out of order; the optional words go to the ticket."""
    item = await _item(request)
    await enforce_limits(request)
    note = Fields(await request.post()).text("note", max_length=500, multiline=True)
    await request.app[DB].write(lambda tx: base.report(tx, item["id"], note, "qr", None))
    return redirect(str(request.app.router["commons_fault_form"].url_for(code=item["code"]).with_query(merci="1")))


@routes.get("/panne/{code}/qr.png", name="commons_fault_qr", access=PUBLIC)
async def fault_qr(request: web.Request) -> web.Response:
    """The QR code to print and stick on the device: it opens /panne/{code}."""
    item = await _item(request)
    url = public_url(request, str(request.app.router["commons_fault_form"].url_for(code=item["code"])))
    return web.Response(body=qr_png(url, box_size=8), content_type="image/png")


async def _site(request: web.Request) -> dict[str, Any]:
    slug = request.match_info["slug"]
    site = await request.app[DB].read(lambda db: queries.site(db, slug))
    if site is None:
        raise Problem(404, "not_found", N_("Ce lieu n'existe pas."))
    return site


@routes.get("/staff/socle", name="commons_base_index", access=STAFF)
async def base_index(request: web.Request) -> web.Response:
    moment = now(request)
    tz = request.app[SETTINGS].tz

    def read(db: sqlite_utils.Database) -> dict[str, Any]:
        coverage = {c["site"]: c for c in base_words.coverage(db, moment.year, moment.timestamp(), tz)}
        return {"sites": queries.sites(db), "coverage": coverage, "open": base.faults(db, state="open")}

    data = await request.app[DB].read(read)
    return page(request, "commons/base_index.html", {**data, "year": moment.year})


@routes.get("/staff/socle/{slug}", name="commons_base_site", access=STAFF)
async def base_site(request: web.Request) -> web.Response:
    """A site's checklist (state and last check of each item), its tickets and their history."""
    site = await _site(request)

    def read(db: sqlite_utils.Database) -> dict[str, Any]:
        return {
            "items": base.items(db, site["slug"]),
            "faults": base.faults(db, site["slug"])[:30],
            "seq": last_seq_in(db),
        }

    data = await request.app[DB].read(read)
    tz = request.app[SETTINGS].tz

    def when(at: float) -> str:
        moment = dt.datetime.fromtimestamp(at, tz)
        return f"{formats.short_day(moment)} {formats.hour(moment)}"

    ctx = {"site": site, "KINDS": base.KINDS, "STATES": base.STATES, "today": now(request).date(), "when": when}
    channels = ",".join((events_changes.site_channel(site["slug"]), changes.FAULTS))
    return page(request, "commons/base_site.html", {**ctx, **data, "channels": channels})


def _back(request: web.Request, slug: str) -> web.Response:
    return redirect(str(request.app.router["commons_base_site"].url_for(slug=slug)))


@routes.post("/staff/socle/{slug}/items", name="commons_base_add", access=ORGANIZER)
async def base_add(request: web.Request) -> web.Response:
    site = await _site(request)
    item = base.clean_item(await request.post())
    await request.app[DB].write(lambda tx: base.add_item(tx, site["id"], item["kind"], item["label"]))
    return _back(request, site["slug"])


@routes.post("/staff/socle/elements/{id}", name="commons_base_check", access=STAFF)
async def base_check(request: web.Request) -> web.Response:
    """A check of one item: its state now, checked today; broken from here opens a ticket."""
    id = path_id(request)
    form = Fields(await request.post())
    state = form.choice("state", base.STATES, required=True)
    note = form.text("note", max_length=500)
    today = now(request).date()
    user = access.user_id(request)

    def write(tx: Any) -> str:
        row = tx.execute(
            "SELECT i.state, s.slug FROM commons_base_items i JOIN sites s ON s.id = i.site_id WHERE i.id = ?", (id,)
        ).fetchone()
        if row is None:
            raise Problem(404, "not_found", N_("Cet élément du socle n'existe pas."))
        if state == "broken" and row["state"] != "broken":
            base.report(tx, id, note, "staff", user)
        assert state is not None
        base.set_state(tx, id, state, today)
        return str(row["slug"])

    slug = await request.app[DB].write(write)
    return _back(request, slug)


@routes.post("/staff/pannes/{id}/{action}", name="commons_fault_move", access=STAFF)
async def fault_move(request: web.Request) -> web.Response:
    """A note on a ticket, or closing it (the item works again)."""
    id = path_id(request)
    action = request.match_info["action"]
    if action not in ("note", "close"):
        raise Problem(404, "not_found", N_("Cette page n'existe pas."))
    text = Fields(await request.post()).text("note", max_length=500)
    user = access.user_id(request)
    today = now(request).date()

    def write(tx: Any) -> str:
        if action == "close":
            base.close(tx, id, text, user, today)
        else:
            base.note(tx, id, text, user)
        row = tx.execute(
            "SELECT s.slug FROM commons_faults f JOIN commons_base_items i ON i.id = f.item_id "
            "JOIN sites s ON s.id = i.site_id WHERE f.id = ?",
            (id,),
        ).fetchone()
        return str(row[0])

    slug = await request.app[DB].write(write)
    return _back(request, slug)


@routes.get("/staff/socle/{slug}/etiquettes", name="commons_base_labels", access=STAFF)
async def base_labels(request: web.Request) -> web.Response:
    """A sheet of QR labels to print and stick on each device."""
    site = await _site(request)
    items = await request.app[DB].read(lambda db: base.items(db, site["slug"]))
    return page(request, "commons/base_labels.html", {"site": site, "items": items})
