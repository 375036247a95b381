"""The word cloud's wall view and its SVG image."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from forum import changes, queries, wordcloud
from quartier.bus import last_seq_in
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.inputs import path_id
from quartier.routing import PUBLIC, Routes
from quartier.templates import public_url, render
from quartier.typedefs import DB

routes = Routes()


@routes.get("/forum/boards/{id}/wordcloud.svg", name="forum_wordcloud_svg", access=PUBLIC)
async def wordcloud_image(request: web.Request) -> web.Response:
    board_id = path_id(request)

    def read(d: Any) -> tuple:
        board = queries.board(d, board_id)
        return board, (wordcloud.board_frequencies(d, board_id) if board else [])

    board, freq = await request.app[DB].read(read)
    if board is None:
        raise Problem(404, "not_found", N_("Ce tableau n'existe pas."))
    svg = wordcloud.wordcloud_svg(
        freq, title=_("Nuage de mots : {title}").format(title=board["title"]), empty=_("Pas encore de mots.")
    )
    return web.Response(text=svg, content_type="image/svg+xml", headers={"Cache-Control": "no-cache"})


@routes.get("/forum/boards/{id}/wordcloud", name="forum_wordcloud", access=PUBLIC)
async def wordcloud_wall(request: web.Request) -> web.Response:
    board_id = path_id(request)

    def read(d: Any) -> tuple:
        board = queries.board(d, board_id)
        return board, (wordcloud.board_frequencies(d, board_id, 10) if board else []), last_seq_in(d)

    board, top, seq = await request.app[DB].read(read)
    if board is None:
        raise Problem(404, "not_found", N_("Ce tableau n'existe pas."))
    join = str(request.app.router["forum_phone"].url_for(code=board["code"]))
    return render(
        request,
        "forum/wordcloud.html",
        {
            "board": board,
            "top": top,
            "seq": seq,
            "channels": changes.board_channel(board_id),
            "join": join,
            "join_public": public_url(request, join),
        },
    )
