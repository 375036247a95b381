"""Staff pages of the forum: the boards, a new board, one board with its links and themes."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from events import queries as programme
from forum import changes, queries, store, wordcloud
from forum.access import board_links, board_or_404
from forum.api import board_input, with_programme
from quartier import slots
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields, path_id
from quartier.routing import STAFF, Routes
from quartier.templates import render
from quartier.typedefs import DB
from quartier.web import redirect
from quartier.ws import revoke

routes = Routes()

# A board page's list of links, which higher packages extend (quartier.slots): reports' minutes.
BOARD_SLOT = "forum.board"


@routes.get("/forum", name="forum_boards", access=STAFF)
async def boards_page(request: web.Request) -> web.Response:
    def read(d: Any) -> dict[str, Any]:
        return {
            "boards": [{**b, "counts": queries.counts(d, b["id"])} for b in queries.boards(d)],
            # A new board's site and session are picked from the programme, never typed (issue 23).
            "sites": programme.sites(d),
            "sessions_by_site": _sessions_by_site(programme.sessions(d)),
        }

    return render(request, "forum/boards.html", await request.app[DB].read(read))


def _sessions_by_site(sessions: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The programme's sessions grouped under their site's name, as the form's option groups."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for s in sessions:
        groups.setdefault(s["site_name"], []).append(s)
    return list(groups.items())


@routes.post("/forum", name="forum_create", access=STAFF)
async def create_board(request: web.Request) -> web.Response:
    form = await request.post()
    fields = await with_programme(request, board_input(form))
    created = await request.app[DB].write(lambda tx: store.create_board_tx(tx, **fields))
    return redirect(str(request.app.router["forum_board"].url_for(id=str(created["id"]))))


@routes.get("/forum/boards/{id}", name="forum_board", access=STAFF)
async def board_page(request: web.Request) -> web.Response:
    board_id = path_id(request)

    def read(d: Any) -> tuple:
        board = queries.board(d, board_id)
        sections = slots.read(request.app, BOARD_SLOT, d, {"board": board}) if board else []
        return board, queries.counts(d, board_id), sections

    board, counts, sections = await request.app[DB].read(read)
    if board is None:
        raise Problem(404, "not_found", N_("Ce tableau n'existe pas."))
    links = board_links(request, board)
    ctx = {"board": board, "counts": counts, "links": links, "sections": sections, "ignored": board["ignored_words"]}
    return render(request, "forum/board.html", ctx)


@routes.post("/forum/boards/{id}/themes", name="forum_themes", access=STAFF)
async def board_themes(request: web.Request) -> web.Response:
    board_id = path_id(request)
    f = Fields(await request.post())
    say = {"too_long": N_("Un thème a {max} caractères au plus.")}
    labels = {
        name.removeprefix("label-"): f.text(name, max_length=store.MAX_THEME_LABEL, message=say)
        for name in f.data
        if name.startswith("label-")
    }
    new = f.text("new", max_length=store.MAX_THEME_LABEL, message=say)
    await request.app[DB].write(lambda tx: store.set_themes_tx(tx, board_id, labels, new))
    return redirect(str(request.app.router["forum_board"].url_for(id=str(board_id))) + "#themes")


@routes.post("/forum/boards/{id}/ignored", name="forum_ignored_words", access=STAFF)
async def board_ignored_words(request: web.Request) -> web.Response:
    """The words the board's word cloud leaves out, one a line."""
    board_id = path_id(request)
    say = {"too_long": N_("La liste a {max} caractères au plus.")}
    typed = Fields(await request.post()).text("words", max_length=2000, multiline=True, message=say)
    await request.app[DB].write(lambda tx: wordcloud.set_ignored_tx(tx, board_id, typed.splitlines()))
    return redirect(str(request.app.router["forum_board"].url_for(id=str(board_id))) + "#mots-ignores")


@routes.post("/forum/boards/{id}/link", name="forum_new_link", access=STAFF)
async def new_link(request: web.Request) -> web.Response:
    board_id = path_id(request)
    await board_or_404(request, board_id)
    await request.app[DB].write(lambda tx: store.new_link_tx(tx, board_id))
    # The old link stops working at once: so do the consoles it opened (staff's own stay open).
    channel = changes.moderation_channel(board_id)
    await revoke(request.app, keys_of=channel)
    return redirect(str(request.app.router["forum_board"].url_for(id=str(board_id))) + "#lien")
