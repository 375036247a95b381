"""The commons' JSON API under /api/v1: the partners (public read, organizers write), their
contributions and the valued budget (staff; a partner account reads and writes its own only)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from commons import access, budget, contributions
from commons.views_budget import STAFF_OR_PARTNER, year_of
from commons.views_contributions import WRITERS, for_own_organisation
from commons.views_registry import delete_partner
from events import partners, queries
from events.pages import now
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import path_id, read_json
from quartier.routing import ORGANIZER, PUBLIC, Routes
from quartier.typedefs import DB

routes = Routes()


def partner_json(request: web.Request, p: dict[str, Any]) -> dict[str, Any]:
    out = {k: p[k] for k in ("key", "name", "short_name", "kind", "circle", "website", "description", "sites")}
    out["charters"] = [{"charter": c["charter"], "signed": c["signed"]} for c in p["charters"]]
    out["logo"] = str(request.app.router["events_partner_logo"].url_for(asset=p["logo"])) if p["logo"] else None
    out["url"] = str(request.app.router["commons_partner"].url_for(key=p["key"]))
    return out


@routes.get("/api/v1/partners", name="commons_api_partners", access=PUBLIC)
async def api_partners(request: web.Request) -> web.Response:
    rows = await request.app[DB].read(queries.partners)
    return web.json_response({"partners": [partner_json(request, p) for p in rows]})


@routes.get("/api/v1/partners/{key}", name="commons_api_partner", access=PUBLIC)
async def api_partner(request: web.Request) -> web.Response:
    p = await request.app[DB].read(lambda db: queries.partner(db, request.match_info["key"]))
    if p is None:
        raise Problem(404, "not_found", N_("Ce partenaire n'existe pas."))
    return web.json_response(partner_json(request, p))


async def _clean_partner(request: web.Request, data: dict[str, Any]) -> dict[str, Any]:
    slugs = {s["slug"] for s in await request.app[DB].read(queries.sites)}
    return partners.clean_partner(data, site_slugs=slugs)  # Invalid is a 422 naming the field


@routes.post("/api/v1/partners", name="commons_api_partner_create", access=ORGANIZER)
async def api_partner_create(request: web.Request) -> web.Response:
    p = await _clean_partner(request, await read_json(request))
    if await request.app[DB].read(lambda db: queries.partner(db, p["key"])):
        raise Problem(409, "key_taken", N_("L'identifiant « {key} » est déjà pris."), key=p["key"])
    await request.app[DB].write(lambda tx: partners.save_partner(tx, p))
    return web.json_response({"key": p["key"]}, status=201)


@routes.put("/api/v1/partners/{key}", name="commons_api_partner_update", access=ORGANIZER)
async def api_partner_update(request: web.Request) -> web.Response:
    key = request.match_info["key"]
    data = await read_json(request)
    data.setdefault("key", key)
    p = await _clean_partner(request, data)
    await request.app[DB].write(lambda tx: partners.save_partner(tx, p, old_key=key))
    return web.json_response({"key": p["key"]})


@routes.delete("/api/v1/partners/{key}", name="commons_api_partner_delete", access=ORGANIZER)
async def api_partner_delete(request: web.Request) -> web.Response:
    """204; 409 naming what still holds the partner (sessions, contributions, proposals, accounts)."""
    await delete_partner(request, request.match_info["key"])
    return web.Response(status=204)


# -- contributions and the budget


def line_json(line: dict[str, Any]) -> dict[str, Any]:
    return {k: line.get(k) for k in ("source", "id", "partner", "partner_name", "kind", "item", "what", "date")} | {
        k: line.get(k) for k in ("held", "quantity", "site", "axis", "euros")
    }


async def _budget(request: web.Request, year: int) -> dict[str, Any]:
    today = now(request).date()
    organisation = access.own_organisation(request)
    return await request.app[DB].read(lambda db: budget.build(db, year, today, organisation))


@routes.get("/api/v1/contributions", name="commons_api_contributions", access=STAFF_OR_PARTNER)
async def api_contributions(request: web.Request) -> web.Response:
    """Every valued line of a year (`?year=`, `?partner=` a key); a partner account gets its own only."""
    year = year_of(request)
    b = await _budget(request, year)
    wanted = request.query.get("partner")
    if wanted and access.own_organisation(request) is not None and wanted != b["scope"]:
        raise Problem(403, "other_organisation", N_("Ce compte ne peut lire que sa propre organisation."))
    lines = [line_json(line) for line in b["lines"] if not wanted or line["partner"] == wanted]
    total = round(sum(line["euros"] for line in lines), 2)
    return web.json_response({"year": year, "lines": lines, "euros": total})


@routes.post("/api/v1/contributions", name="commons_api_contribution_create", access=WRITERS)
async def api_contribution_create(request: web.Request) -> web.Response:
    """A typed contribution → 201 {"id"}; 422 on a bad field; 403 for another organisation."""
    data = await read_json(request)
    rows = await request.app[DB].read(
        lambda db: db.conn.execute("SELECT id, key, name, short_name FROM partners").fetchall()
    )
    slugs = {s["slug"] for s in await request.app[DB].read(queries.sites)}
    data["partner"] = for_own_organisation(request, rows, data.get("partner"))
    line = contributions.clean(data, rows, slugs)
    user = access.user_id(request)
    id = await request.app[DB].write(lambda tx: contributions.add(tx, line, user))
    return web.json_response({"id": id, "year": line["year"]}, status=201)


@routes.delete("/api/v1/contributions/{id}", name="commons_api_contribution_delete", access=WRITERS)
async def api_contribution_delete(request: web.Request) -> web.Response:
    id = path_id(request)
    organisation = access.own_organisation(request)
    await request.app[DB].write(lambda tx: contributions.delete(tx, id, organisation))
    return web.Response(status=204)


@routes.get("/api/v1/budget", name="commons_api_budget", access=STAFF_OR_PARTNER)
async def api_budget(request: web.Request) -> web.Response:
    """The valued budget of a year; a partner account gets its own part."""
    year = year_of(request)
    b = await _budget(request, year)
    start, until = b["period"]
    rates = {k: {"value": v["value"], "year": v["year"], "source": v["source"]} for k, v in b["rates"].items()}
    return web.json_response(
        {
            "year": year,
            "scope": b["scope"],
            "period": {"from": start.isoformat(), "until": until.isoformat()},
            "totals": b["totals"],
            "partners": b["partners"],
            "lines": [line_json(line) for line in b["lines"]],
            "base": b["base"],
            "gap": b["gap"],
            "projection": b["projection"],
            "rates": rates,
        }
    )
