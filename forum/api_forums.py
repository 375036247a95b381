"""The JSON API of forums across sites: list, create (one board per site in one step), their notes
and city-wide vote rounds."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from events.model import SLUG_RE
from forum import city_votes, citywide, store, votes
from forum.views_votes import ROUND_TITLE_SAYS
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields, clean_text, path_id, query, read_json
from quartier.routing import PUBLIC, STAFF, Routes
from quartier.typedefs import DB

routes = Routes()


def forum_input(data: Any) -> dict[str, Any]:
    """A new forum's fields, from JSON or the staff form."""
    f = Fields(data)
    title = f.text(
        "title", max_length=store.MAX_TITLE, required=True, message={"required": N_("Donnez un titre au forum.")}
    )
    prompt = f.text("prompt", max_length=store.MAX_PROMPT, multiline=True)
    sites = f.strings(
        "sites",
        max_items=citywide.MAX_SITES,
        max_length=60,
        required=True,
        message={"required": N_("Choisissez au moins un lieu."), "too_many": N_("Un forum réunit {n} lieux au plus.")},
    )
    if any(not SLUG_RE.match(s) for s in sites):
        raise Problem(422, "unknown_site", N_("Ce lieu n'existe pas dans le programme."), field="sites")
    themes = theme_labels(f)
    starts = f.date("starts", code="invalid_date", message=N_("La date s'écrit AAAA-MM-JJ."))
    ends = f.date("ends", code="invalid_date", message=N_("La date s'écrit AAAA-MM-JJ."))
    return {
        "title": title,
        "prompt": prompt,
        "sites": sites,
        "themes": themes,
        "starts": starts.isoformat() if starts else None,
        "ends": ends.isoformat() if ends else None,
        "moderation": f.choice("moderation", store.MODERATION, "pre"),
    }


def theme_labels(f: Fields) -> list[str]:
    """The forum's theme labels: a list of one-line texts (a label may hold a comma)."""
    raw = f.data.get("themes") or []
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise Problem(422, "invalid_field", N_("Les thèmes sont une liste de textes."), field="themes")
    labels = list(dict.fromkeys(clean_text(x, multiline=False) for x in raw if clean_text(x, multiline=False)))
    if len(labels) > citywide.MAX_THEMES:
        raise Problem(422, "too_many", N_("Un forum a {max} thèmes au plus."), field="themes", max=citywide.MAX_THEMES)
    if any(len(label) > store.MAX_THEME_LABEL for label in labels):
        raise Problem(
            422, "too_long", N_("Un thème a {max} caractères au plus."), field="themes", max=store.MAX_THEME_LABEL
        )
    return labels


async def forum_or_404(request: web.Request, forum_id: int) -> dict[str, Any]:
    f = await request.app[DB].read(lambda d: citywide.forum(d, forum_id))
    if f is None:
        raise Problem(404, "not_found", N_("Ce forum n'existe pas."))
    return f


@routes.get("/api/v1/forums", name="api_forums", access=PUBLIC)
async def api_forums(request: web.Request) -> web.Response:
    state = query(request).choice("state", ("open", "closed"), code="invalid_state")
    rows = await request.app[DB].read(lambda d: citywide.forums(d, state=state))
    return web.json_response({"forums": [citywide.public_forum(f) for f in rows]})


@routes.post("/api/v1/forums", name="api_create_forum", access=STAFF)
async def api_create_forum(request: web.Request) -> web.Response:
    fields = forum_input(await read_json(request))
    created = await request.app[DB].write(lambda tx: citywide.create_forum_tx(tx, **fields))
    return web.json_response(created, status=201)


@routes.get("/api/v1/forums/{id}", name="api_forum", access=PUBLIC)
async def api_forum(request: web.Request) -> web.Response:
    f = await forum_or_404(request, path_id(request))
    return web.json_response(citywide.public_forum(f))


@routes.get("/api/v1/forums/{id}/notes", name="api_forum_notes", access=PUBLIC)
async def api_forum_notes(request: web.Request) -> web.Response:
    forum_id = path_id(request)

    def read(d: Any) -> list[dict[str, Any]] | None:
        f = citywide.forum(d, forum_id)
        return citywide.city_notes(d, f) if f else None

    notes = await request.app[DB].read(read)
    if notes is None:
        raise Problem(404, "not_found", N_("Ce forum n'existe pas."))
    return web.json_response({"notes": notes})


@routes.get("/api/v1/forums/{id}/rounds", name="api_forum_rounds", access=PUBLIC)
async def api_forum_rounds(request: web.Request) -> web.Response:
    forum_id = path_id(request)
    await forum_or_404(request, forum_id)
    rounds = await request.app[DB].read(lambda d: city_votes.city_rounds(d, forum_id))
    return web.json_response({"rounds": rounds})


def city_round_input(data: Any) -> dict[str, Any]:
    f = Fields(data)
    title = f.text("title", max_length=votes.MAX_ROUND_TITLE, required=True, message=ROUND_TITLE_SAYS)
    budget = f.integer("budget", minimum=1, maximum=votes.MAX_BUDGET, default=3)
    return {"title": title, "budget": budget, "stack": f.boolean("stack")}


@routes.post("/api/v1/forums/{id}/rounds", name="api_open_forum_round", access=STAFF)
async def api_open_forum_round(request: web.Request) -> web.Response:
    forum_id = path_id(request)
    fields = city_round_input(await read_json(request))
    now = time.time()
    opened = await request.app[DB].write(lambda tx: city_votes.open_city_round_tx(tx, forum_id, now=now, **fields))
    return web.json_response(opened, status=201)


@routes.post("/api/v1/forums/{id}/rounds/{round}/close", name="api_close_forum_round", access=STAFF)
async def api_close_forum_round(request: web.Request) -> web.Response:
    forum_id, city_id = path_id(request), path_id(request, "round")
    c = await request.app[DB].read(lambda d: city_votes.city_round(d, city_id))
    if c is None or c["forum_id"] != forum_id:
        raise Problem(404, "not_found", N_("Ce vote n'existe pas."))
    closed = await request.app[DB].write(lambda tx: city_votes.close_city_round_tx(tx, city_id))
    return web.json_response(closed)


@routes.post("/api/v1/forums/{id}/state", name="api_forum_state", access=STAFF)
async def api_forum_state(request: web.Request) -> web.Response:
    forum_id = path_id(request)
    state = str(Fields(await read_json(request)).choice("state", ("open", "closed"), required=True))
    await request.app[DB].write(lambda tx: citywide.set_forum_state_tx(tx, forum_id, state))
    return web.json_response(citywide.public_forum(await forum_or_404(request, forum_id)))
