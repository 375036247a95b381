"""The public partners pages: `/partenaires` (both circles, with logos) and each partner's page
with the sessions it runs this week. What a partner contributes is not here: that is the budget."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils
from aiohttp import web

from events import changes, queries
from events.pages import group_by_day, iso_week, now, page, week_asked
from events.partners import CIRCLES, KINDS
from quartier.bus import last_seq_in
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.pagecache import cached_page
from quartier.routing import PUBLIC, Routes
from quartier.typedefs import DB

routes = Routes()


def labels() -> dict[str, Any]:
    return {
        "partner_kind": lambda k: _(KINDS.get(k) or str(k)),
        "circle_label": lambda c: _(CIRCLES.get(c) or str(c)),
        "CIRCLES": CIRCLES,
    }


@routes.get("/partenaires", name="commons_partners", access=PUBLIC)
@cached_page(lambda r: {changes.PROGRAMME})
async def partners_page(request: web.Request) -> web.Response:
    """Both circles of partners, each with its logo (or its short name) and a link to its page."""

    def read(db: sqlite_utils.Database) -> dict[str, Any]:
        return {"partners": queries.partners(db), "sites": {s["slug"]: s["name"] for s in queries.sites(db)}}

    data = await request.app[DB].read(read)
    circles = {c: [p for p in data["partners"] if p["circle"] == c] for c in CIRCLES}
    return page(request, "commons/partners.html", {**data, **labels(), "circles": circles})


@routes.get("/partenaires/{key}", name="commons_partner", access=PUBLIC)
@cached_page(lambda r: {changes.PROGRAMME})
async def partner_page(request: web.Request) -> web.Response:
    """One partner: who it is, the charters it signed, where it works, its sessions this week (`?week=`)."""
    key = request.match_info["key"]
    monday = week_asked(request, now(request).date())

    def read(db: sqlite_utils.Database) -> dict[str, Any] | None:
        p = queries.partner(db, key)
        if p is None:
            return None
        for c in p["charters"]:
            c["signed_date"] = dt.date.fromisoformat(c["signed"])
        week = queries.occurrences(db, monday, monday + dt.timedelta(days=6), partner=key)
        sites = {s["slug"]: s["name"] for s in queries.sites(db)}
        return {"p": p, "occurrences": week, "sites": sites, "seq": last_seq_in(db)}

    data = await request.app[DB].read(read)
    if data is None:
        raise Problem(404, "not_found", N_("Ce partenaire n'existe pas."))
    days = [(d, items) for d, items in group_by_day(data["occurrences"], monday) if items]
    return page(
        request,
        "commons/partner.html",
        {
            **data,
            **labels(),
            "days": days,
            "week": iso_week(monday),
            "prev_week": iso_week(monday - dt.timedelta(days=7)),
            "next_week": iso_week(monday + dt.timedelta(days=7)),
            "monday": monday,
            "channels": changes.PROGRAMME,
        },
    )
