"""Partners' logos, served by content hash: immutable, so browsers and print previews cache them."""

from __future__ import annotations

from aiohttp import web

from events import queries
from quartier.routing import PUBLIC, Routes
from quartier.typedefs import DB
from quartier.web import hashed_asset

routes = Routes()


@routes.get("/logos/{asset}", name="events_partner_logo", access=PUBLIC)
async def logo(request: web.Request) -> web.Response:
    name = request.match_info["asset"]
    return hashed_asset(await request.app[DB].read(lambda db: queries.partner_logo(db, name)))
