"""The projection wall: a board's published notes by theme, readable from 5 m, and its vote results."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from forum import changes, polls, queries, votes
from forum.access import board_links
from quartier.bus import last_seq_in
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import path_id
from quartier.pagecache import cached_page
from quartier.routing import PUBLIC, Routes
from quartier.templates import public_url, render
from quartier.typedefs import DB

routes = Routes()


@routes.get("/forum/boards/{id}/wall", name="forum_wall", access=PUBLIC)
@cached_page(lambda r: {changes.board_channel(r.match_info["id"])})
async def wall(request: web.Request) -> web.Response:
    board_id = path_id(request)

    def read(d: Any) -> tuple:
        shown = votes.shown_round(d, board_id)
        return (
            queries.board(d, board_id),
            queries.public_notes(d, board_id),
            votes.public_round(d, shown) if shown else None,
            last_seq_in(d),
            polls.wall_poll(d, board_id),
        )

    board, notes, vote_round, seq, poll = await request.app[DB].read(read)
    if board is None:
        raise Problem(404, "not_found", N_("Ce tableau n'existe pas."))
    recent = time.time() - 60
    by_theme: dict[str, list[dict[str, Any]]] = {t["slug"]: [] for t in board["themes"]}
    for n in notes:
        n["new"] = (n["published"] or 0) > recent
        by_theme.setdefault(n["theme"], []).append(n)
    return render(
        request,
        "forum/wall.html",
        {
            "board": board,
            "by_theme": by_theme,
            "seq": seq,
            "channels": changes.board_channel(board_id),
            "links": board_links(request, board),
            "vote_round": vote_round,
            "poll": poll,
            "server_now": time.time(),  # the countdown's clock
            "join_poll": public_url(request, str(request.app.router["forum_poll_phone"].url_for(code=board["code"]))),
            "results_shown": votes.RESULTS_SHOWN,
        },
    )
