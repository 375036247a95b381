"""The directory's JSON under /api/v1: the needs, the third-party places, the orientation answer (public)."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from events.api import occurrence_json
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.inputs import path_id
from quartier.routing import PUBLIC, Routes
from quartier.templates import public_url
from quartier.typedefs import CLOCK, DB
from referral import answer, needs, queries
from referral.answer import Ask
from referral.model import KINDS
from referral.pages import need_of, site_of

routes = Routes()


def need_json(request: web.Request, n: needs.Need) -> dict[str, Any]:
    orientation = request.app.router["referral_orientation"].url_for().with_query(need=n.id)
    calendar = request.app.router["referral_need_calendar"].url_for(need=n.id)
    return {
        "id": n.id,
        "label": n.title,
        "label_fr": n.label,
        "axis": n.axis,
        "thematiques": list(n.thematiques),
        "documents": [_(d) for d in n.documents],
        "base": list(n.base),
        "url": public_url(request, str(orientation)),
        "calendar": public_url(request, str(calendar)),
    }


def resource_json(r: dict[str, Any]) -> dict[str, Any]:
    skip = ("created", "updated", "customised", "opening", "distance", "target")
    return {k: v for k, v in r.items() if k not in skip}


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(text=json.dumps(data, ensure_ascii=False), status=status, content_type="application/json")


def unknown_need(request: web.Request, p: Problem) -> web.Response:
    """The refusal (404 for an unknown need, 400 for none) with the list of needs, so a client can offer them."""
    message = _(p.message).format(**p.params)
    body = {"error": {"code": p.code, "message": message}, "needs": [need_json(request, n) for n in needs.NEEDS]}
    return _json(body, p.status)


def _no_need() -> needs.Need:
    raise Problem(
        400,
        "missing_need",
        N_("Précisez un besoin (need). Besoins possibles : {needs}."),
        needs=", ".join(n.id for n in needs.NEEDS),
    )


@routes.get("/api/v1/needs", name="referral_api_needs", access=PUBLIC)
async def api_needs(request: web.Request) -> web.Response:
    """The catalogue; `thematique=` (repeatable) keeps the needs it describes: the open data's way in."""
    wanted = [t for t in request.query.getall("thematique", []) if t]  # a blank one is left out, as everywhere
    if not wanted:
        return _json({"needs": [need_json(request, n) for n in needs.NEEDS]})
    unknown = [t for t in wanted if t not in needs.official_thematiques()]
    if unknown:
        raise Problem(
            400,
            "invalid",
            N_("Thématique inconnue de data·inclusion v1 : {values}."),
            values=", ".join(unknown),
        )
    return _json({"needs": [need_json(request, n) for n in needs.of_thematiques(wanted)]})


@routes.get("/api/v1/resources", name="referral_api_resources", access=PUBLIC)
async def api_resources(request: web.Request) -> web.Response:
    """Third-party places, by name; `need=` keeps those serving it, `kind=` those of one kind."""
    try:
        need = need_of(request.query.get("need"))
    except Problem as p:
        return unknown_need(request, p)
    kind = request.query.get("kind") or None
    if kind is not None and kind not in KINDS:
        raise Problem(400, "invalid", N_("Valeur inconnue ; valeurs possibles : {values}."), values=", ".join(KINDS))
    rows = await request.app[DB].read(queries.resources)
    rows = [r for r in rows if (need is None or need.id in r["needs"]) and (kind is None or r["kind"] == kind)]
    return _json({"resources": [resource_json(r) for r in rows]})


@routes.get("/api/v1/resources/{id}", name="referral_api_resource", access=PUBLIC)
async def api_resource(request: web.Request) -> web.Response:
    id = path_id(request)
    found = await request.app[DB].read(lambda db: queries.resource(db, id))
    if found is None:
        raise Problem(404, "not_found", N_("Ce lieu n'est pas dans l'annuaire."))
    return _json(resource_json(found))


def item_json(request: web.Request, key: str, item: dict[str, Any]) -> dict[str, Any]:
    if key == "sessions":
        path = (
            request.app.router["events_session"]
            .url_for(id=str(item["session"]))
            .with_query(date=item["date"].isoformat())
        )
        return {
            **occurrence_json(
                {k: item[k] for k in item if k not in ("place", "here", "running", "target", "distance")}
            ),
            "distance_km": item["distance"],
            "here": item["here"],
            "url": public_url(request, str(path)),
        }
    return place_json(item)


def place_json(item: dict[str, Any]) -> dict[str, Any]:
    opening = item["opening"]
    return {
        **resource_json(item),
        "distance_km": item["distance"],
        "opening": {
            "state": opening.state,
            "until": opening.until.isoformat() if opening.until else None,
            "next": opening.next.isoformat() if opening.next else None,
        },
    }


@routes.get("/api/v1/orientation", name="referral_api_orientation", access=PUBLIC)
async def api_orientation(request: web.Request) -> web.Response:
    """The answer for `need` (required) near `site` (optional), as the page shows it."""
    try:
        need = need_of(request.query.get("need")) or _no_need()
    except Problem as p:
        return unknown_need(request, p)
    site = await site_of(request, request.query.get("site"))
    moment = request.app[CLOCK].now()
    found = await request.app[DB].read(lambda db: answer.build(db, Ask(need, site, moment)))
    path = (
        request.app.router["referral_orientation"]
        .url_for()
        .with_query({"need": need.id, **({"site": site} if site else {})})
    )
    body: dict[str, Any] = {
        "need": need_json(request, need),
        "site": site,
        "at": moment.isoformat(),
        "url": public_url(request, str(path)),
        "empty": found.empty,
        "parts": [
            {"key": p.key, "heading": _(p.heading), "items": [item_json(request, p.key, i) for i in p.items]}
            for p in found.parts
        ],
    }
    if found.fallback:
        body["fallback"] = place_json(found.fallback)
    return _json(body)
