"""Residents' pages: the tablet kiosk, the join form and the phone page (no account, no JavaScript needed)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from forum import changes, polls, queries, store, votes
from forum.access import board_by_code, board_or_404
from forum.posting import form_post, posting_page
from quartier.bus import last_seq_in
from quartier.i18n import gettext as _
from quartier.inputs import path_id
from quartier.routing import PUBLIC, Routes
from quartier.templates import render
from quartier.typedefs import DB
from quartier.web import redirect

routes = Routes()


@routes.get("/forum/boards/{id}/tablet", name="forum_tablet", access=PUBLIC)
async def tablet(request: web.Request) -> web.Response:
    return await posting_page(request, await board_or_404(request, path_id(request)), "forum/tablet.html")


@routes.post("/forum/boards/{id}/tablet", name="forum_tablet_post", access=PUBLIC)
async def tablet_post(request: web.Request) -> web.Response:
    board = await board_or_404(request, path_id(request))
    back = str(request.app.router["forum_tablet"].url_for(id=str(board["id"])))
    return await form_post(request, board, "tablet", "forum/tablet.html", back)


@routes.get("/j", name="forum_join", access=PUBLIC)
async def join(request: web.Request) -> web.Response:
    raw = request.query.get("code")
    if raw is None:
        return render(request, "forum/join.html")
    code = store.normalize_code(raw)
    board = await request.app[DB].read(lambda d: queries.board_by_code(d, code)) if code else None
    if board is None:
        return render(
            request,
            "forum/join.html",
            {
                "code": raw[:16],
                "error": _("Ce code ne correspond à aucun tableau. Vérifiez les lettres et les chiffres."),
            },
            status=404,
        )
    return redirect(str(request.app.router["forum_phone"].url_for(code=code)))


# The phone page lists the wall's notes under the form, newest first, live on board:{id}.
PHONE_NOTES = 60


@routes.get("/j/{code}", name="forum_phone", access=PUBLIC)
async def phone(request: web.Request) -> web.Response:
    board = await board_by_code(request)

    def read(d: Any) -> tuple:
        voting = votes.current_round(d, board["id"]) is not None
        return voting, queries.public_notes(d, board["id"]), last_seq_in(d), polls.shown_poll(d, board["id"])

    voting, notes, seq, poll = await request.app[DB].read(read)
    shown = sorted(notes, key=lambda n: n["published"] or 0, reverse=True)[:PHONE_NOTES]
    labels = {t["slug"]: _(t["label"]) for t in board["themes"]}  # the default themes' names are msgids
    live = {"notes": shown, "seq": seq, "channels": changes.board_channel(board["id"]), "max_notes": PHONE_NOTES}
    live["theme_labels"] = labels
    return await posting_page(request, board, "forum/phone.html", {"voting": voting, "poll": poll, **live})


@routes.post("/j/{code}", name="forum_phone_post", access=PUBLIC)
async def phone_post(request: web.Request) -> web.Response:
    board = await board_by_code(request)
    back = str(request.app.router["forum_phone"].url_for(code=board["code"]))
    return await form_post(request, board, "phone", "forum/phone.html", back)
