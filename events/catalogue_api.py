"""The catalogue's API: the sheets (public), a new sheet and a session made from one (staff).

GET  /api/v1/workshops?audience=&kind=&pix=&q=
GET  /api/v1/workshops/{slug}                   with its documents and its past and next dates
POST /api/v1/workshops                          staff: a new sheet -> 201 {"slug"}
POST /api/v1/workshops/{slug}/sessions          staff: {"site", "date", "start", "end"?, "room"?, "weekly"?}
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from events import catalogue
from events.catalogue_pages import create_session, open_data
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import query, read_json
from quartier.routing import PUBLIC, STAFF, Routes
from quartier.templates import public_url
from quartier.typedefs import CLOCK, DB

routes = Routes()


@routes.get("/api/v1/workshops", name="events_api_workshops", access=PUBLIC)
async def api_workshops(request: web.Request) -> web.Response:
    q = query(request)
    filters = {
        "audience": q.choice("audience", catalogue.AUDIENCES),
        "kind": q.choice("kind", catalogue.KINDS),
        "pix": q.choice("pix", catalogue.PIX_AREAS),
        "q": q.text("q", max_length=100),
    }
    data = await open_data(request)
    rows = await request.app[DB].read(catalogue.sheets)
    kept = {w["slug"] for w in catalogue.filtered(rows, **filters)}
    return web.json_response({"workshops": [w for w in data["workshops"] if w["slug"] in kept]})


def _occurrence(request: web.Request, o: dict[str, Any]) -> dict[str, Any]:
    url = request.app.router["events_session"].url_for(id=str(o["session"])).with_query({"date": o["date"].isoformat()})
    return {
        "session": o["session"],
        "date": o["date"].isoformat(),
        "start": o["start"].isoformat(),
        "site": o["site"],
        "status": o["status"],
        "url": public_url(request, str(url)),
    }


@routes.get("/api/v1/workshops/{slug}", name="events_api_workshop", access=PUBLIC)
async def api_workshop(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    today = request.app[CLOCK].now().date()

    def read(d: Any) -> tuple[dict[str, Any] | None, dict[str, list[dict[str, Any]]]]:
        w = catalogue.sheet(d, slug)
        return w, catalogue.dates(d, w["id"], today) if w else {"past": [], "next": []}

    w, dates = await request.app[DB].read(read)
    if w is None:
        raise Problem(404, "not_found", N_("Cette fiche n'existe pas."))
    out = catalogue.public(w)
    out["url"] = public_url(request, str(request.app.router["events_catalogue_sheet"].url_for(slug=slug)))
    out["documents"] = [
        {
            "filename": d["filename"],
            "media_type": d["media_type"],
            "size": d["size"],
            "url": public_url(
                request, str(request.app.router["events_catalogue_document"].url_for(slug=slug, id=str(d["id"])))
            ),
        }
        for d in w["documents"]
    ]
    out["past"] = [_occurrence(request, o) for o in dates["past"]]
    out["next"] = [_occurrence(request, o) for o in dates["next"]]
    return web.json_response(out)


@routes.post("/api/v1/workshops", name="events_api_workshop_create", access=STAFF)
async def api_workshop_create(request: web.Request) -> web.Response:
    w = catalogue.clean(await read_json(request))
    slug = await request.app[DB].write(lambda tx: catalogue.save_tx(tx, w))
    return web.json_response({"slug": slug}, status=201)


@routes.post("/api/v1/workshops/{slug}/sessions", name="events_api_workshop_session", access=STAFF)
async def api_workshop_session(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    data = await read_json(request)  # first: a body over the limit is a 413 whatever the sheet
    w = await request.app[DB].read(lambda d: catalogue.sheet(d, slug))
    if w is None:
        raise Problem(404, "not_found", N_("Cette fiche n'existe pas."))
    id = await create_session(request, w, data)
    return web.json_response({"session": id}, status=201)
