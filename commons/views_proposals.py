"""The organizers' queue of sessions proposed by partner accounts: accept (the session joins the
programme at once) or refuse with a word of explanation. The page follows the `proposals` channel."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils
from aiohttp import web

from commons import access, changes, proposals
from events.model import REPEATS
from events.pages import page
from quartier.bus import last_seq_in
from quartier.inputs import Fields, path_id
from quartier.routing import ORGANIZER, Routes
from quartier.typedefs import DB
from quartier.web import redirect

routes = Routes()


@routes.get("/staff/proposals", name="commons_proposals", access=ORGANIZER)
async def queue(request: web.Request) -> web.Response:
    def read(db: sqlite_utils.Database) -> dict[str, Any]:
        return {
            "pending": proposals.listed(db, state="pending"),
            "decided": [p for p in proposals.listed(db) if p["state"] != "pending"][:30],
            "seq": last_seq_in(db),
        }

    data = await request.app[DB].read(read)
    return page(
        request,
        "commons/proposals.html",
        {
            **data,
            "STATES": proposals.STATES,
            "REPEATS": REPEATS,
            "channels": changes.PROPOSALS,
            "iso_date": dt.date.fromisoformat,  # the queue says the weekday: an organizer checks it fits
        },
    )


@routes.post("/staff/proposals/{id}/accept", name="commons_proposal_accept", access=ORGANIZER)
async def accept(request: web.Request) -> web.Response:
    id = path_id(request)
    user = access.user_id(request)
    session_id = await request.app[DB].write(lambda tx: proposals.accept(tx, id, user))
    return redirect(str(request.app.router["events_session"].url_for(id=str(session_id))))


@routes.post("/staff/proposals/{id}/refuse", name="commons_proposal_refuse", access=ORGANIZER)
async def refuse(request: web.Request) -> web.Response:
    id = path_id(request)
    reason = Fields(await request.post()).text("reason", max_length=300)
    user = access.user_id(request)
    await request.app[DB].write(lambda tx: proposals.refuse(tx, id, user, reason))
    return redirect(str(request.app.router["commons_proposals"].url_for()))
