"""The catalogue's pages: the public list with filters, each printable sheet with its dates, its
documents, the catalogue in open data (JSON and YAML), and the staff forms (a sheet, a document, a
session created from a sheet).

    GET  /catalogue?audience=&kind=&pix=&q=      public list
    GET  /catalogue/{slug}                        a sheet (A4 when printed), its past and next dates
    GET  /catalogue/{slug}/documents/{id}         an attached PDF or ODT
    GET  /open-data/catalogue.json · .yaml        every sheet, licensed for reuse
    GET/POST /staff/catalogue/new · /staff/catalogue/{slug}/edit
    POST /staff/catalogue/{slug}/documents        attach a document (multipart)
    POST /staff/catalogue/{slug}/sessions         a session from the sheet, on the programme
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import yaml
from aiohttp import web

from events import catalogue, queries, store
from events.model import AXES, clean_session
from events.pages import page
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Invalid, path_id, query
from quartier.routing import PUBLIC, STAFF, Routes
from quartier.templates import public_url
from quartier.typedefs import CLOCK, DB

routes = Routes()


def _vocab() -> dict[str, Any]:
    return {
        "KINDS": catalogue.KINDS,
        "AUDIENCES": catalogue.AUDIENCES,
        "PIX_AREAS": catalogue.PIX_AREAS,
        "LICENCES": catalogue.LICENCES,
        "LICENCE_URLS": catalogue.LICENCE_URLS,
        "AXES": AXES,
    }


async def _sheet(request: web.Request) -> dict[str, Any]:
    slug = request.match_info["slug"]
    w = await request.app[DB].read(lambda d: catalogue.sheet(d, slug))
    if w is None:
        raise Problem(404, "not_found", N_("Cette fiche n'existe pas."))
    return w


@routes.get("/catalogue", name="events_catalogue", access=PUBLIC)
async def catalogue_page(request: web.Request) -> web.Response:
    q = query(request, status=422)
    filters = {
        "audience": q.choice("audience", catalogue.AUDIENCES),
        "kind": q.choice("kind", catalogue.KINDS),
        "pix": q.choice("pix", catalogue.PIX_AREAS),
        "q": q.text("q", max_length=100),
    }
    rows = await request.app[DB].read(catalogue.sheets)
    shown = catalogue.filtered(rows, **filters)
    return page(request, "events/catalogue/list.html", {**_vocab(), "sheets": shown, "total": len(rows), "f": filters})


@routes.get("/catalogue/{slug}", name="events_catalogue_sheet", access=PUBLIC)
async def sheet_page(request: web.Request) -> web.Response:
    w = await _sheet(request)
    today = request.app[CLOCK].now().date()
    dates = await request.app[DB].read(lambda d: catalogue.dates(d, w["id"], today))
    sites = await request.app[DB].read(queries.sites)
    return page(
        request, "events/catalogue/sheet.html", {**_vocab(), "w": w, "dates": dates, "sites": sites, "today": today}
    )


@routes.get("/catalogue/{slug}/documents/{id}", name="events_catalogue_document", access=PUBLIC)
async def document(request: web.Request) -> web.Response:
    slug, id = request.match_info["slug"], path_id(request)
    d = await request.app[DB].read(lambda db: catalogue.document(db, slug, id))
    if d is None:
        raise Problem(404, "not_found", N_("Ce document n'existe pas."))
    response = web.Response(body=d["data"], content_type=d["media_type"])
    response.headers["Content-Disposition"] = f'attachment; filename="{d["filename"].replace(chr(34), "")}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


async def open_data(request: web.Request) -> dict[str, Any]:
    rows = await request.app[DB].read(catalogue.sheets)
    items = []
    for w in rows:
        item = catalogue.public(w)
        item["url"] = public_url(request, str(request.app.router["events_catalogue_sheet"].url_for(slug=w["slug"])))
        items.append(item)
    return {"name": "catalogue-ateliers-formations", "licence_default": "CC-BY-SA-4.0", "workshops": items}


@routes.get("/open-data/catalogue.json", name="events_catalogue_json", access=PUBLIC)
async def catalogue_json(request: web.Request) -> web.Response:
    return web.Response(
        text=json.dumps(await open_data(request), ensure_ascii=False, indent=2), content_type="application/json"
    )


@routes.get("/open-data/catalogue.yaml", name="events_catalogue_yaml", access=PUBLIC)
async def catalogue_yaml(request: web.Request) -> web.Response:
    text = yaml.safe_dump(await open_data(request), allow_unicode=True, sort_keys=False)
    return web.Response(text=text, content_type="application/yaml", charset="utf-8")


def _form_ctx(w: dict[str, Any], errors: dict[str, str], action: str) -> dict[str, Any]:
    return {**_vocab(), "w": w, "errors": errors, "action": action}


@routes.get("/staff/catalogue/new", name="events_catalogue_new", access=STAFF)
async def sheet_new(request: web.Request) -> web.Response:
    w = {"kind": "atelier", "licence": "CC-BY-SA-4.0", "audience": [], "pix": [], "duration_minutes": 120}
    action = str(request.app.router["events_catalogue_create"].url_for())
    return page(request, "events/catalogue/form.html", _form_ctx(w, {}, action))


@routes.post("/staff/catalogue/new", name="events_catalogue_create", access=STAFF)
async def sheet_create(request: web.Request) -> web.Response:
    return await _save(request, None, str(request.app.router["events_catalogue_create"].url_for()))


@routes.get("/staff/catalogue/{slug}/edit", name="events_catalogue_edit", access=STAFF)
async def sheet_edit(request: web.Request) -> web.Response:
    w = await _sheet(request)
    action = str(request.app.router["events_catalogue_save"].url_for(slug=w["slug"]))
    return page(request, "events/catalogue/form.html", _form_ctx(w, {}, action))


@routes.post("/staff/catalogue/{slug}/edit", name="events_catalogue_save", access=STAFF)
async def sheet_save(request: web.Request) -> web.Response:
    w = await _sheet(request)
    return await _save(request, w["slug"], str(request.app.router["events_catalogue_save"].url_for(slug=w["slug"])))


async def _save(request: web.Request, slug: str | None, action: str) -> web.Response:
    form = await request.post()
    try:
        w = catalogue.clean(form)
    except Invalid as e:
        sent = {k: form.get(k) for k in form} | {"audience": form.getall("audience", []), "pix": form.getall("pix", [])}
        return page(request, "events/catalogue/form.html", _form_ctx(sent, e.messages(), action), status=422)
    saved = await request.app[DB].write(lambda tx: catalogue.save_tx(tx, w, slug))
    raise web.HTTPSeeOther(str(request.app.router["events_catalogue_sheet"].url_for(slug=saved)))


@routes.post("/staff/catalogue/{slug}/documents", name="events_catalogue_upload", access=STAFF)
async def upload(request: web.Request) -> web.Response:
    w = await _sheet(request)
    form = await request.post()
    upload = form.get("document")
    if not isinstance(upload, web.FileField):
        raise Problem(422, "no_document", N_("Choisissez un document PDF ou ODT."))
    data = upload.file.read(catalogue.MAX_DOCUMENT + 1)
    await request.app[DB].write(lambda tx: catalogue.add_document_tx(tx, w["slug"], upload.filename, data))
    raise web.HTTPSeeOther(str(request.app.router["events_catalogue_sheet"].url_for(slug=w["slug"])) + "#documents")


def session_of_sheet(w: dict[str, Any], data: Any) -> dict[str, Any]:
    """A session's fields from a sheet and where and when it runs: site, date, start, end?, room?, weekly?."""
    f = {k: data.get(k) for k in ("site", "date", "start", "end", "room")}
    start = f.get("start") or ""
    if not f.get("end") and isinstance(start, str) and len(start) == 5 and start[2] == ":":
        t = dt.datetime(2000, 1, 1, int(start[:2]), int(start[3:])) + dt.timedelta(minutes=w["duration_minutes"])
        f["end"] = t.strftime("%H:%M") if t.day == 1 else "23:59"
    body = {**f, "title": w["title"], "description": w["aims"], "kind": w["kind"], "axis": w["axis"]}
    if data.get("weekly") in ("on", True, "1", "true"):
        body["repeat"] = {"every": "weekly", "count": data.get("count") or 6}
    if w["group_max"]:
        body["capacity"] = w["group_max"]
    return clean_session(body)


async def create_session(request: web.Request, w: dict[str, Any], data: Any) -> int:
    """Save a session made from a sheet and link it to the sheet, in one write."""
    s = session_of_sheet(w, data)

    def write(tx: Any) -> int:
        id, _ = store.save_session(tx, s)
        catalogue.link_session_tx(tx, w["id"], id)
        return id

    return await request.app[DB].write(write)


@routes.post("/staff/catalogue/{slug}/sessions", name="events_catalogue_session", access=STAFF)
async def sheet_session(request: web.Request) -> web.Response:
    w = await _sheet(request)
    id = await create_session(request, w, await request.post())
    raise web.HTTPSeeOther(str(request.app.router["events_session"].url_for(id=str(id))))
