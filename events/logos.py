"""Partners' logos, served by content hash: immutable, so browsers and print previews cache them."""

from __future__ import annotations

from aiohttp import web

from events import queries
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.routing import PUBLIC, Routes
from quartier.typedefs import DB

routes = Routes()


@routes.get("/logos/{asset}", name="events_partner_logo", access=PUBLIC)
async def logo(request: web.Request) -> web.Response:
    name = request.match_info["asset"]
    found = await request.app[DB].read(lambda db: queries.partner_logo(db, name))
    if found is None:
        raise Problem(404, "not_found", N_("Cette page n'existe pas."))
    return web.Response(
        body=found["data"],
        content_type=found["content_type"],
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )
