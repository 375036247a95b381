"""Registration pages: the resident's form and confirmation, the desk's list, the JSON API.

Public, no account:
  GET/POST /sessions/{id}/dates/{date}/inscription   the form (plain HTML, no JavaScript needed)
  GET      /inscriptions/{token}                      the confirmation, with the link to cancel
  POST     /inscriptions/{token}/annulation           cancel (the waiting list moves up)
  POST     /api/v1/sessions/{id}/registrations         {"date", "first_name", "phone"?, "email"?}
  POST     /api/v1/registrations/{token}/cancellation
Staff:
  GET      /staff/registrations                        the coming dates with registration
  GET/POST /staff/sessions/{id}/occurrences/{date}/registrations   the list (printable), the desk registers
  POST     /staff/registrations/{id}/cancel
  GET      /api/v1/sessions/{id}/registrations?date=
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from events import changes, queries
from events import registrations as regs
from events.pages import now, page
from quartier.bus import last_seq_in
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.inputs import Fields, path_date, path_id, query, read_json
from quartier.routing import PUBLIC, STAFF, Routes
from quartier.templates import public_url
from quartier.typedefs import DB, DEVICE, LIMITER, NEW_DEVICE, SETTINGS
from quartier.web import redirect

routes = Routes()

DATE = r"{date:\d{4}-\d{2}-\d{2}}"
# Anonymous registrations, (per minute, burst): per device, per address without the cookie yet,
# and a ceiling per address generous enough for a centre's shared Wi-Fi.
DEVICE_LIMIT = (5, 5)
COOKIELESS_LIMIT = (3, 3)
ADDRESS_LIMIT = (60, 30)
OVERVIEW_DAYS = 28


async def _limit(request: web.Request) -> None:
    if request[NEW_DEVICE]:
        device, per_device = f"registration-nocookie:{request.remote}", COOKIELESS_LIMIT
    else:
        device, per_device = f"registration-device:{request[DEVICE]}", DEVICE_LIMIT
    await request.app[LIMITER].enforce(
        [(device, *per_device), (f"registration-address:{request.remote}", *ADDRESS_LIMIT)],
        N_("Beaucoup d'inscriptions en peu de temps : attendez {seconds} secondes, puis recommencez."),
    )


async def _occurrence(request: web.Request, session_id: int, day: dt.date) -> dict[str, Any]:
    """The occurrence, its session's site and its places; 404 when the session has no such date."""

    def read(db):
        occ = queries.occurrence(db, session_id, day)
        if occ is None:
            return None
        s = queries.session(db, session_id)
        return {
            "o": occ,
            "session": s,
            "site": queries.site(db, s["site"]),
            "places": regs.places(
                occ["capacity"], occ["status"], regs.counts(db, session_id, [day]).get(day.isoformat())
            ),
            "seq": last_seq_in(db),
        }

    found = await request.app[DB].read(read)
    if found is None:
        raise Problem(404, "no_occurrence", N_("Cette séance n'a pas lieu le {date}."), date=day.isoformat())
    return found


async def _register(request: web.Request, session_id: int, day: dt.date, data: Any, source: str) -> dict[str, Any]:
    person = regs.clean_person(data)
    if source == "online":
        await _limit(request)
    device = regs.device_hash(request[DEVICE]) if source == "online" else ""
    moment = now(request)
    return await request.app[DB].write(
        lambda tx: regs.register(tx, session_id, day, person, source=source, device=device, now=moment)
    )


def _link(request: web.Request, row: dict[str, Any]) -> str:
    return str(request.app.router["registration_page"].url_for(token=regs.token(request.app[SETTINGS].secret_key, row)))


# -- the resident


@routes.get(r"/sessions/{id:\d+}/dates/" + DATE + "/inscription", name="registration_form", access=PUBLIC)
async def form_page(request: web.Request) -> web.Response:
    found = await _occurrence(request, path_id(request), path_date(request))
    return page(request, "events/registration/form.html", {**found, "values": {}, "error": None})


@routes.post(r"/sessions/{id:\d+}/dates/" + DATE + "/inscription", name="registration_submit", access=PUBLIC)
async def form_submit(request: web.Request) -> web.Response:
    session_id, day = path_id(request), path_date(request)
    form = await request.post()
    try:
        row = await _register(request, session_id, day, form, "online")
    except Problem as p:
        if p.status in (404, 429):
            raise
        found = await _occurrence(request, session_id, day)
        values = {k: str(form.get(k, ""))[:200] for k in ("first_name", "phone", "email")}
        error = _(p.message).format(**p.params) if p.params else _(p.message)
        return page(
            request, "events/registration/form.html", {**found, "values": values, "error": error}, status=p.status
        )
    return redirect(_link(request, row))


async def _by_token(request: web.Request) -> dict[str, Any]:
    secret = request.app[SETTINGS].secret_key
    raw = request.match_info["token"]
    row = await request.app[DB].read(lambda db: regs.by_token(db, secret, raw))
    if row is None:
        raise Problem(404, "not_found", N_("Ce lien d'inscription n'existe pas ou plus."))
    return row


@routes.get("/inscriptions/{token}", name="registration_page", access=PUBLIC)
async def confirmation(request: web.Request) -> web.Response:
    row = await _by_token(request)
    found = await _occurrence(request, row["session_id"], dt.date.fromisoformat(row["date"]))
    rank = await request.app[DB].read(lambda db: regs.position(db, row))
    response = page(
        request,
        "events/registration/confirmation.html",
        {**found, "r": row, "position": rank, "link": public_url(request, request.path), "path": request.path},
    )
    response.headers["Cache-Control"] = "no-store"  # a first name and a phone number: no cache keeps them
    return response


@routes.post("/inscriptions/{token}/annulation", name="registration_cancel", access=PUBLIC)
async def cancel_submit(request: web.Request) -> web.Response:
    row = await _by_token(request)
    moment = now(request)
    await request.app[DB].write(lambda tx: regs.cancel(tx, row["id"], moment))
    return redirect(_link(request, row))


# -- the desk


@routes.get("/staff/registrations", name="registrations_staff", access=STAFF)
async def overview(request: web.Request) -> web.Response:
    """Every coming date of a session with registration, its places and waiting list."""
    today = now(request).date()

    def read(db):
        rows = [
            o for o in queries.occurrences(db, today, today + dt.timedelta(days=OVERVIEW_DAYS)) if o["registration"]
        ]
        tallies = {s: regs.counts(db, s) for s in {o["session"] for o in rows}}
        for o in rows:
            o["places"] = regs.places(o["capacity"], o["status"], tallies[o["session"]].get(o["date"].isoformat()))
        return rows

    rows = await request.app[DB].read(read)
    return page(request, "events/registration/overview.html", {"occurrences": rows, "days": OVERVIEW_DAYS})


async def _desk_page(request: web.Request, values: dict[str, str], error: str | None, status: int = 200):
    session_id, day = path_id(request), path_date(request)
    found = await _occurrence(request, session_id, day)
    rows = await request.app[DB].read(lambda db: regs.of_occurrence(db, session_id, day))
    context = {**found, "rows": rows, "values": values, "error": error, "channels": changes.session_channel(session_id)}
    context["autoprint"] = request.query.get("print") == "1"
    return page(request, "events/registration/desk.html", context, status=status)


@routes.get(r"/staff/sessions/{id:\d+}/occurrences/" + DATE + "/registrations", name="registrations_list", access=STAFF)
async def desk_list(request: web.Request) -> web.Response:
    return await _desk_page(request, {}, None)


@routes.post(r"/staff/sessions/{id:\d+}/occurrences/" + DATE + "/registrations", name="registrations_add", access=STAFF)
async def desk_add(request: web.Request) -> web.Response:
    """Someone calls or comes to the desk: staff register them (the same places and waiting list)."""
    form = await request.post()
    try:
        await _register(request, path_id(request), path_date(request), form, "desk")
    except Problem as p:
        if p.status == 404:
            raise
        values = {k: str(form.get(k, ""))[:200] for k in ("first_name", "phone", "email")}
        error = _(p.message).format(**p.params) if p.params else _(p.message)
        return await _desk_page(request, values, error, status=p.status)
    return redirect(request.path + "?saved=1")


@routes.post(r"/staff/registrations/{id:\d+}/cancel", name="registrations_desk_cancel", access=STAFF)
async def desk_cancel(request: web.Request) -> web.Response:
    moment = now(request)
    result = await request.app[DB].write(lambda tx: regs.cancel(tx, path_id(request), moment))
    r = result["registration"]
    back = request.app.router["registrations_list"].url_for(id=str(r["session_id"]), date=r["date"])
    return redirect(str(back))


# -- the JSON API


def registration_json(request: web.Request, row: dict[str, Any], rank: int | None) -> dict[str, Any]:
    link = _link(request, row)
    return {"id": row["id"], "status": row["status"], "position": rank, "url": public_url(request, link)}


@routes.post(r"/api/v1/sessions/{id:\d+}/registrations", name="api_registration_create", access=PUBLIC)
async def api_create(request: web.Request) -> web.Response:
    data = await read_json(request)
    day = Fields(data).date("date", required=True)
    assert day is not None  # required: a missing date was a 422
    row = await _register(request, path_id(request), day, data, "online")
    rank = await request.app[DB].read(lambda db: regs.position(db, row))
    return web.json_response(registration_json(request, row, rank), status=201)


@routes.post("/api/v1/registrations/{token}/cancellation", name="api_registration_cancel", access=PUBLIC)
async def api_cancel(request: web.Request) -> web.Response:
    if request.body_exists:  # nothing is needed in it, but what is sent must be JSON of a sane size
        await read_json(request)
    row = await _by_token(request)
    moment = now(request)
    result = await request.app[DB].write(lambda tx: regs.cancel(tx, row["id"], moment))
    return web.json_response({"id": row["id"], "status": "cancelled", "promoted": len(result["promoted"])})


@routes.get(r"/api/v1/sessions/{id:\d+}/registrations", name="api_registrations", access=STAFF)
async def api_list(request: web.Request) -> web.Response:
    session_id = path_id(request)
    day = query(request, status=422).date("date", required=True)
    assert day is not None  # required
    found = await _occurrence(request, session_id, day)
    rows = await request.app[DB].read(lambda db: regs.of_occurrence(db, session_id, day))
    keys = ("id", "status", "source", "first_name", "phone", "email")
    out = [{k: r[k] for k in keys} | {"promoted": r["promoted"] is not None} for r in rows]
    return web.json_response({"date": day.isoformat(), "places": found["places"], "registrations": out})
