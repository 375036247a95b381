"""Minutes pages: the attendance counter, the staff editor (compile, edit with a live preview,
publish, correct), the public minutes with their exports, and the decision records."""

from __future__ import annotations

import datetime as dt
from importlib.resources import files
from typing import Any

from aiohttp import web
from markupsafe import Markup

from forum import queries
from forum.access import BOARD_FACILITATOR, console_url
from quartier.bus import last_seq_in
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields, path_id, query, read_json, to_id
from quartier.routing import PUBLIC, STAFF, Routes
from quartier.templates import render
from quartier.typedefs import DB, SETTINGS, USER
from quartier.web import redirect
from reports import minutes_compile, minutes_parts, minutes_render, minutes_store, odt

routes = Routes()


def _board_url(request: web.Request, name: str, board_id: int, **parts: Any) -> str:
    return str(request.app.router[name].url_for(id=str(board_id), **{k: str(v) for k, v in parts.items()}))


def _wants_json(request: web.Request) -> bool:
    return "application/json" in request.headers.get("Accept", "") or request.content_type == "application/json"


# -- attendance counter (console)


@routes.post("/forum/boards/{id}/attendance", name="forum_attendance", access=BOARD_FACILITATOR)
async def attendance(request: web.Request) -> web.Response:
    """+1 / -1 on the console's counter (a form, or JSON {"delta"} from the page's script)."""
    board_id = path_id(request)
    f = Fields(await read_json(request) if request.content_type == "application/json" else await request.post())
    step = N_("Le compteur avance de 1 ou recule de 1.")
    delta = f.integer("delta", minimum=-1, maximum=1, required=True, message=step) or 0
    if delta == 0:
        f.fail("delta", step)
    count = await request.app[DB].write(lambda tx: minutes_store.attendance_tx(tx, board_id, delta=delta))
    if _wants_json(request):
        return web.json_response({"count": count})
    return redirect(console_url(request, board_id, "#presence"))


# -- the staff editor


@routes.get("/forum/boards/{id}/minutes", name="forum_minutes", access=STAFF)
async def editor(request: web.Request) -> web.Response:
    board_id = path_id(request)

    def read(d: Any) -> dict[str, Any]:
        return {
            "board": queries.board(d, board_id),
            "versions": minutes_store.versions(d, board_id),
            "meta": minutes_store.meta(d, board_id),
            "seq": last_seq_in(d),
        }

    data = await request.app[DB].read(read)
    if data["board"] is None:
        raise Problem(404, "not_found", N_("Ce tableau n'existe pas."))
    current = next((v for v in data["versions"] if v["state"] == "draft"), None)
    published_versions = [v for v in data["versions"] if v["state"] == "published"]
    kept = [k for k in query(request).strings("kept") if k in minutes_store.SECTIONS]
    response = render(
        request,
        "reports/minutes/edit.html",
        {
            **data,
            "draft": current,
            "published": published_versions,
            "preview": Markup(minutes_render.to_html(current["markdown"])) if current else None,
            "parts": _editor_parts(current) if current else [],
            "block_titles": minutes_parts.BLOCK_TITLES,
            "kept": kept,
            "saved": request.query.get("saved"),
            "when": lambda ts: when(request, ts),
        },
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _editor_parts(current: dict[str, Any]) -> list[dict[str, Any]]:
    """The draft's parts for the structured editor, each compiled block with its rendered HTML."""
    out = minutes_parts.parts(current["markdown"], current["generated"])
    for part in out:
        if part["kind"] == "block":
            part["html"] = Markup(minutes_render.to_html(part["body"]))
    return out


def when(request: web.Request, ts: float | None) -> str:
    if not ts:
        return ""
    return dt.datetime.fromtimestamp(ts, request.app[SETTINGS].tz).strftime("%d/%m/%Y %H:%M")


@routes.post("/forum/boards/{id}/minutes/compile", name="forum_minutes_compile", access=STAFF)
async def compile_draft(request: web.Request) -> web.Response:
    board_id = path_id(request)
    f = Fields(await request.post())
    tz = request.app[SETTINGS].tz
    facilitators = f.text("facilitators", max_length=minutes_store.MAX_FACILITATORS, label=N_("animation"))

    def write(tx: Any) -> dict[str, Any]:
        if f.has("facilitators"):
            minutes_store.set_facilitators_tx(tx, board_id, facilitators)
        return minutes_compile.compile_tx(tx, board_id, tz)

    result = await request.app[DB].write(write)
    url = request.app.router["forum_minutes"].url_for(id=str(board_id))
    if result["kept"]:
        url = url.with_query(kept=",".join(result["kept"]))
    return redirect(str(url) + "#brouillon")


def _markdown_of(form: Any) -> str:
    """The draft's Markdown (an empty editor is an empty draft; no field at all is a mistake)."""
    f = Fields(form)
    missing = N_("Le texte du compte rendu manque.")
    if not f.has("markdown"):
        f.fail("markdown", missing)
    says = {"text": missing, "too_long": N_("Le compte rendu est trop long : {max} caractères au plus.")}
    return f.text("markdown", max_length=minutes_store.MAX_MARKDOWN, multiline=True, message=says)


@routes.post("/forum/boards/{id}/minutes/save", name="forum_minutes_save", access=STAFF)
async def save(request: web.Request) -> web.Response:
    """Save the draft: staff's texts around the compiled blocks (the structured editor), or the
    whole Markdown (the advanced editor); then maybe publish."""
    board_id = path_id(request)
    form = await request.post()
    publish = form.get("then") == "publish"
    user = request.get(USER)
    by = user.name if user else ""
    if "markdown" in form:
        text = _markdown_of(form)
        change: Any = lambda tx: minutes_store.save_tx(tx, board_id, text)  # noqa: E731
    else:
        texts, reset = _texts_of(form)
        change = lambda tx: minutes_parts.save_parts_tx(tx, board_id, texts, reset)  # noqa: E731

    def write(tx: Any) -> int | None:
        change(tx)
        return minutes_store.publish_tx(tx, board_id, by) if publish else None

    version = await request.app[DB].write(write)
    if version:
        return redirect(_board_url(request, "minutes_version", board_id, version=version))
    return redirect(
        str(request.app.router["forum_minutes"].url_for(id=str(board_id)).with_query(saved="1")) + "#brouillon"
    )


def _texts_of(form: Any) -> tuple[dict[str, str], str]:
    """The structured editor's fields: text-<place> for staff's words, `reset` for a block to regenerate."""
    f = Fields(form)
    says = {"too_long": N_("Le compte rendu est trop long : {max} caractères au plus.")}
    texts = {
        name.removeprefix("text-"): f.text(name, max_length=minutes_store.MAX_MARKDOWN, multiline=True, message=says)
        for name in f.data
        if name.startswith("text-")
    }
    reset = str(f.choice("reset", minutes_store.SECTIONS, "") or "")
    return texts, reset


@routes.post("/forum/boards/{id}/minutes/preview", name="forum_minutes_preview", access=STAFF)
async def preview(request: web.Request) -> web.Response:
    """The draft's Markdown rendered and sanitised, for the editor's live preview."""
    path_id(request)
    text = _markdown_of(await request.post())
    return web.Response(text=minutes_render.to_html(text), content_type="text/html", charset="utf-8")


@routes.post("/forum/boards/{id}/minutes/publish", name="forum_minutes_publish", access=STAFF)
async def publish(request: web.Request) -> web.Response:
    board_id = path_id(request)
    user = request.get(USER)
    by = user.name if user else ""
    version = await request.app[DB].write(lambda tx: minutes_store.publish_tx(tx, board_id, by))
    return redirect(_board_url(request, "minutes_version", board_id, version=version))


@routes.post("/forum/boards/{id}/minutes/correct", name="forum_minutes_correct", access=STAFF)
async def correct(request: web.Request) -> web.Response:
    board_id = path_id(request)
    await request.app[DB].write(lambda tx: minutes_store.correct_tx(tx, board_id))
    return redirect(_board_url(request, "forum_minutes", board_id) + "#brouillon")


# -- public minutes and exports


async def _version(request: web.Request) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """The board, the asked version (published; a draft for staff only) and the published versions."""
    board_id = path_id(request)
    raw = request.match_info.get("version")
    asked = to_id(raw) if raw is not None else None
    if raw is not None and asked is None:
        raise Problem(404, "not_found", N_("Ce compte rendu n'existe pas."))

    def read(d: Any) -> tuple:
        return queries.board(d, board_id), minutes_store.versions(d, board_id)

    board, all_versions = await request.app[DB].read(read)
    shown = [v for v in all_versions if v["state"] == "published" or request.get(USER)]
    chosen = None
    if raw is None:
        chosen = next((v for v in reversed(all_versions) if v["state"] == "published"), None)
    else:
        chosen = next((v for v in shown if v["version"] == asked), None)
    if board is None or chosen is None:
        raise Problem(404, "not_found", N_("Ce compte rendu n'existe pas."))
    return board, chosen, [v for v in all_versions if v["state"] == "published"]


@routes.get("/minutes/{id}", name="minutes_page", access=PUBLIC)
async def public_page(request: web.Request) -> web.Response:
    return await _page(request)


@routes.get("/minutes/{id}/v/{version}", name="minutes_version", access=PUBLIC)
async def version_page(request: web.Request) -> web.Response:
    return await _page(request)


async def _page(request: web.Request) -> web.Response:
    board, version, history = await _version(request)
    return render(
        request,
        "reports/minutes/page.html",
        {
            "board": board,
            "version": version,
            "history": history,
            "latest": history[-1] if history else None,
            "body": Markup(minutes_render.to_html(version["markdown"])),
            "when": lambda ts: when(request, ts),
        },
    )


@routes.get("/minutes/{id}/v/{version}/print", name="minutes_print", access=PUBLIC)
async def print_page(request: web.Request) -> web.Response:
    board, version, _history = await _version(request)
    return render(
        request,
        "reports/minutes/print.html",
        {
            "board": board,
            "version": version,
            "body": Markup(minutes_render.to_html(version["markdown"])),
            "title": minutes_render.document_title(version["data"]),
            "inline_css": None,
            "published": when(request, version["published"]),
        },
    )


def download(body: str | bytes, content_type: str, filename: str) -> web.Response:
    response = web.Response(
        body=body.encode() if isinstance(body, str) else body,
        content_type=content_type,
        charset="utf-8" if isinstance(body, str) else None,
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _stem(board: dict[str, Any], version: dict[str, Any]) -> str:
    return f"compte-rendu-{board['id']}-v{version['version']}"


@routes.get("/minutes/{id}/v/{version}/minutes.md", name="minutes_md", access=PUBLIC)
async def export_md(request: web.Request) -> web.Response:
    board, version, _h = await _version(request)
    text = minutes_render.to_markdown(version["markdown"], request.app[SETTINGS].base_url)
    return download(text, "text/markdown", _stem(board, version) + ".md")


@routes.get("/minutes/{id}/v/{version}/minutes.odt", name="minutes_odt", access=PUBLIC)
async def export_odt(request: web.Request) -> web.Response:
    board, version, _h = await _version(request)
    data = odt.to_odt(
        minutes_render.to_markdown(version["markdown"]),
        title=minutes_render.document_title(version["data"]),
        wordcloud_svg=minutes_render.wordcloud_of(version["data"]),
    )
    return download(data, "application/vnd.oasis.opendocument.text", _stem(board, version) + ".odt")


@routes.get("/minutes/{id}/v/{version}/notes.csv", name="minutes_csv", access=PUBLIC)
async def export_csv(request: web.Request) -> web.Response:
    board, version, _h = await _version(request)
    return download(minutes_render.notes_csv(version["data"]), "text/csv", _stem(board, version) + "-notes.csv")


@routes.get("/minutes/{id}/wordcloud.svg", name="minutes_wordcloud", access=PUBLIC)
async def minutes_wordcloud(request: web.Request) -> web.Response:
    """The word cloud as compiled into the board's latest minutes (it outlives the raw notes): the
    latest published version for the public, the draft too for staff (the editor shows it)."""
    board_id = path_id(request)
    versions = await request.app[DB].read(lambda d: minutes_store.versions(d, board_id))
    if request.get(USER) is None:
        versions = [v for v in versions if v["state"] == "published"]
    if not versions:
        raise Problem(404, "not_found", N_("Ce compte rendu n'existe pas."))
    response = web.Response(text=minutes_render.wordcloud_of(versions[-1]["data"]), content_type="image/svg+xml")
    response.headers["Cache-Control"] = "no-cache"
    return response


def standalone_html(templates: Any, version: dict[str, Any], base: str, published: str) -> str:
    """The printable page without a server (the `quartier minutes --format html` output): styles inline."""
    css = (files("reports") / "static" / "minutes-print.css").read_text(encoding="utf-8")
    return templates.env.get_template("reports/minutes/print.html").render(
        {
            "body": Markup(minutes_render.to_html(version["markdown"], base)),
            "title": minutes_render.document_title(version["data"]),
            "inline_css": css,
            "version": version,
            "published": published,
            "lang": "fr",
        }
    )
