"""Pages of a forum's combined minutes: staff compile, edit and publish; anyone reads a published
version and exports it (Markdown, print HTML, ODT, the notes as CSV), as for a site's minutes."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from markupsafe import Markup

from forum import queries
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields, path_id
from quartier.routing import PUBLIC, STAFF, Routes
from quartier.templates import render
from quartier.typedefs import DB, SETTINGS, USER
from quartier.web import redirect
from reports import city_minutes, minutes_render, minutes_store, odt
from reports.views_minutes import download, when

routes = Routes()


def _editor_url(request: web.Request, forum_id: int) -> str:
    return str(request.app.router["city_minutes_edit"].url_for(id=str(forum_id)))


@routes.get("/forums/{id}/minutes", name="city_minutes_edit", access=STAFF)
async def editor(request: web.Request) -> web.Response:
    forum_id = path_id(request)

    def read(d: Any) -> tuple:
        return queries.forum(d, forum_id), city_minutes.versions(d, forum_id)

    forum, versions = await request.app[DB].read(read)
    if forum is None:
        raise Problem(404, "not_found", N_("Ce forum n'existe pas."))
    draft = next((v for v in versions if v["state"] == "draft"), None)
    published = [v for v in versions if v["state"] == "published"]
    ctx = {"forum": forum, "draft": draft, "published": published, "when": lambda ts: when(request, ts)}
    return render(request, "reports/minutes/city_edit.html", ctx)


@routes.post("/forums/{id}/minutes/compile", name="city_minutes_compile", access=STAFF)
async def compile_draft(request: web.Request) -> web.Response:
    forum_id = path_id(request)
    tz = request.app[SETTINGS].tz
    await request.app[DB].write(lambda tx: city_minutes.compile_tx(tx, forum_id, tz))
    return redirect(_editor_url(request, forum_id) + "#brouillon")


@routes.post("/forums/{id}/minutes/save", name="city_minutes_save", access=STAFF)
async def save(request: web.Request) -> web.Response:
    forum_id = path_id(request)
    say = {"too_long": N_("Le compte rendu a {max} caractères au plus.")}
    text = Fields(await request.post()).text(
        "markdown", max_length=minutes_store.MAX_MARKDOWN, multiline=True, message=say
    )
    await request.app[DB].write(lambda tx: city_minutes.save_tx(tx, forum_id, text))
    return redirect(_editor_url(request, forum_id) + "#brouillon")


@routes.post("/forums/{id}/minutes/publish", name="city_minutes_publish", access=STAFF)
async def publish(request: web.Request) -> web.Response:
    forum_id = path_id(request)
    user = request.get(USER)
    by = user.name if user else ""
    version = await request.app[DB].write(lambda tx: city_minutes.publish_tx(tx, forum_id, by))
    return redirect(str(request.app.router["city_minutes_version"].url_for(id=str(forum_id), version=str(version))))


async def _version(request: web.Request) -> tuple[dict[str, Any], dict[str, Any]]:
    """A forum and one version of its minutes: published for anyone, the draft too for staff."""
    forum_id, asked = path_id(request), path_id(request, "version")

    def read(d: Any) -> tuple:
        return queries.forum(d, forum_id), city_minutes.versions(d, forum_id)

    forum, versions = await request.app[DB].read(read)
    staff = request.get(USER) is not None
    chosen = next((v for v in versions if v["version"] == asked and (staff or v["state"] == "published")), None)
    if forum is None or chosen is None:
        raise Problem(404, "not_found", N_("Ce compte rendu n'existe pas."))
    return forum, chosen


def _stem(forum: dict[str, Any], version: dict[str, Any]) -> str:
    return f"compte-rendu-forum-{forum['id']}-v{version['version']}"


def _title(version: dict[str, Any]) -> str:
    return "Compte rendu : " + version["data"]["forum"]["title"]


@routes.get("/forums/{id}/minutes/v/{version}", name="city_minutes_version", access=PUBLIC)
async def version_page(request: web.Request) -> web.Response:
    forum, version = await _version(request)
    ctx = {
        "forum": forum,
        "version": version,
        "body": Markup(minutes_render.to_html(version["markdown"])),
        "when": lambda ts: when(request, ts),
    }
    return render(request, "reports/minutes/city_page.html", ctx)


@routes.get("/forums/{id}/minutes/v/{version}/print", name="city_minutes_print", access=PUBLIC)
async def print_page(request: web.Request) -> web.Response:
    _forum, version = await _version(request)
    ctx = {
        "version": version,
        "body": Markup(minutes_render.to_html(version["markdown"])),
        "title": _title(version),
        "inline_css": None,
        "published": when(request, version["published"]),
    }
    return render(request, "reports/minutes/print.html", ctx)


@routes.get("/forums/{id}/minutes/v/{version}/minutes.md", name="city_minutes_md", access=PUBLIC)
async def export_md(request: web.Request) -> web.Response:
    forum, version = await _version(request)
    text = minutes_render.to_markdown(version["markdown"], request.app[SETTINGS].base_url)
    return download(text, "text/markdown", _stem(forum, version) + ".md")


@routes.get("/forums/{id}/minutes/v/{version}/minutes.odt", name="city_minutes_odt", access=PUBLIC)
async def export_odt(request: web.Request) -> web.Response:
    forum, version = await _version(request)
    data = odt.to_odt(minutes_render.to_markdown(version["markdown"]), title=_title(version))
    return download(data, "application/vnd.oasis.opendocument.text", _stem(forum, version) + ".odt")


@routes.get("/forums/{id}/minutes/v/{version}/notes.csv", name="city_minutes_csv", access=PUBLIC)
async def export_csv(request: web.Request) -> web.Response:
    forum, version = await _version(request)
    return download(city_minutes.notes_csv(version["data"]), "text/csv", _stem(forum, version) + "-notes.csv")
