"""Dot-voting pages and API (the vote console, the phone and tablet ballots, the vote endpoint)."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from forum import changes, queries, store, votes
from forum.access import BOARD_FACILITATOR, board_by_code, board_or_404, key_of, read_of_board
from forum.posting import message_of
from quartier.bus import last_seq_in
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields, path_id, query, read_json, to_id
from quartier.routing import PUBLIC, STAFF, Routes, check
from quartier.templates import public_url, render
from quartier.typedefs import DB, DEVICE, LIMITER, NEW_DEVICE, SETTINGS
from quartier.web import redirect

routes = Routes()

# Dots are quick: a person may put 3 in 5 seconds and take one back. A shared tablet is
# many people, but one after the other. A centre shares one Wi-Fi address.
VOTE_DEVICE_LIMIT = (60, 30)
VOTE_ADDRESS_LIMIT = (900, 300)
# A new voter turn on a tablet: a person needs more than 10 s to vote.
TURN_LIMIT = (6, 3)
MAX_TURN = 64  # a turn's id (votes.new_turn_tx makes 16 characters)


async def _kiosk_link(request: web.Request) -> bool:
    key = request.query.get("kiosk")
    board_id = to_id(request.match_info.get("id", ""))
    if not key or board_id is None:
        return False
    board = await request.app[DB].read(lambda d: queries.board(d, board_id))
    return store.kiosk_ok(request.app[SETTINGS].secret_key, board, key)


KIOSK = STAFF | check("kiosk_link", _kiosk_link)


async def _vote_limits(request: web.Request) -> None:
    if request[NEW_DEVICE]:
        # A client that does not keep the device cookie would get a fresh budget every time.
        raise Problem(
            409, "no_device", N_("Votre appareil n'est pas reconnu : rechargez la page, puis votez à nouveau.")
        )
    await request.app[LIMITER].enforce(
        [
            (f"vote-device:{request[DEVICE]}", *VOTE_DEVICE_LIMIT),
            (f"vote-address:{request.remote}", *VOTE_ADDRESS_LIMIT),
        ],
        N_("Beaucoup de votes en peu de temps : attendez {seconds} secondes."),
    )


async def _cast(request: web.Request, note_id: int, *, turn: str | None, round_id: int | None, remove: bool) -> dict:
    await _vote_limits(request)
    device = request[DEVICE]
    return await request.app[DB].write(
        lambda tx: votes.cast_tx(tx, note_id, device=device, turn_id=turn, round_id=round_id, remove=remove)
    )


# -- JSON API


@routes.post("/api/v1/notes/{id}/votes", name="api_vote", access=PUBLIC)
async def api_vote(request: web.Request) -> web.Response:
    note_id = path_id(request)
    f = Fields(await read_json(request))
    round_id = f.id("round")
    turn = f.text("turn", max_length=MAX_TURN) or None
    remove = f.boolean("remove")
    result = await _cast(request, note_id, turn=turn, round_id=round_id, remove=remove)
    return web.json_response(result, status=200 if remove else 201)


@routes.get("/api/v1/boards/{id}/rounds", name="api_rounds", access=PUBLIC)
async def api_rounds(request: web.Request) -> web.Response:
    board_id = path_id(request)
    rounds = await read_of_board(request, board_id, lambda d: votes.rounds(d, board_id))
    return web.json_response({"rounds": rounds})


ROUND_TITLE_SAYS = {
    "required": N_("Donnez un titre au vote, par exemple « Nos besoins prioritaires »."),
    "too_long": N_("Le titre du vote a {max} caractères au plus."),
}


def round_input(data: Any, now: float) -> dict[str, Any]:
    """A new vote round's fields, from JSON or the vote console's form."""
    f = Fields(data)
    title = f.text("title", max_length=votes.MAX_ROUND_TITLE, required=True, message=ROUND_TITLE_SAYS)
    budget = f.integer("budget", minimum=1, maximum=votes.MAX_BUDGET, default=3)
    stack = f.boolean("stack")
    minutes = f.integer("minutes", minimum=1, maximum=24 * 60)
    return {"title": title, "budget": budget, "stack": stack, "ends": now + minutes * 60 if minutes else None}


@routes.post("/api/v1/boards/{id}/rounds", name="api_open_round", access=BOARD_FACILITATOR)
async def api_open_round(request: web.Request) -> web.Response:
    board_id = path_id(request)
    now = time.time()
    fields = round_input(await read_json(request), now)
    created = await request.app[DB].write(lambda tx: votes.open_round_tx(tx, board_id, now=now, **fields))
    return web.json_response(created, status=201)


async def _round_of_board(request: web.Request, board_id: int, round_id: int) -> dict:
    r = await request.app[DB].read(lambda d: votes.round_(d, round_id))
    if r is None or r["board_id"] != board_id:
        raise Problem(404, "not_found", N_("Ce vote n'existe pas."))
    return r


@routes.post("/api/v1/boards/{id}/rounds/{round}/close", name="api_close_round", access=BOARD_FACILITATOR)
async def api_close_round(request: web.Request) -> web.Response:
    board_id, round_id = path_id(request), path_id(request, "round")
    await _round_of_board(request, board_id, round_id)
    closed = await request.app[DB].write(lambda tx: votes.close_round_tx(tx, round_id))
    return web.json_response(closed)


# -- the vote console (staff or the facilitator link)


def _vote_links(request: web.Request, board: dict[str, Any]) -> dict[str, str]:
    router = request.app.router
    kiosk = store.kiosk_key(request.app[SETTINGS].secret_key, board["id"], board["link_salt"])
    phone = str(router["forum_vote_phone"].url_for(code=board["code"]))
    return {
        "phone": phone,
        "phone_public": public_url(request, phone),
        "tablet": str(router["forum_vote_tablet"].url_for(id=str(board["id"])).with_query(kiosk=kiosk)),
    }


def _votes_url(request: web.Request, board_id: int) -> str:
    url = request.app.router["forum_votes"].url_for(id=str(board_id))
    key = key_of(request)
    return str(url.with_query(key=key) if key else url)


@routes.get("/forum/boards/{id}/votes", name="forum_votes", access=BOARD_FACILITATOR)
async def votes_console(request: web.Request) -> web.Response:
    board_id = path_id(request)

    def read(d: Any) -> tuple:
        board = queries.board(d, board_id)
        return board, (votes.rounds(d, board_id) if board else []), last_seq_in(d)

    board, rounds, seq = await request.app[DB].read(read)
    if board is None:
        raise Problem(404, "not_found", N_("Ce tableau n'existe pas."))
    current = next((r for r in reversed(rounds) if r["state"] == "open"), None)
    response = render(
        request,
        "forum/votes.html",
        {
            "board": board,
            "rounds": list(reversed(rounds)),
            "current": current,
            "seq": seq,
            "channels": changes.board_channel(board_id),
            "key": key_of(request),
            "links": _vote_links(request, board),
            "max_budget": votes.MAX_BUDGET,
        },
    )
    response.headers["Cache-Control"] = "no-store"  # the page holds the links' keys
    return response


@routes.post("/forum/boards/{id}/votes", name="forum_vote_open", access=BOARD_FACILITATOR)
async def votes_open(request: web.Request) -> web.Response:
    board_id = path_id(request)
    now = time.time()
    fields = round_input(await request.post(), now)
    await request.app[DB].write(lambda tx: votes.open_round_tx(tx, board_id, now=now, **fields))
    return redirect(_votes_url(request, board_id))


@routes.post("/forum/boards/{id}/votes/close", name="forum_vote_close", access=BOARD_FACILITATOR)
async def votes_close(request: web.Request) -> web.Response:
    board_id = path_id(request)
    round_id = Fields(await request.post()).id("round", required=True) or 0
    await _round_of_board(request, board_id, round_id)
    await request.app[DB].write(lambda tx: votes.close_round_tx(tx, round_id))
    return redirect(_votes_url(request, board_id))


# -- ballots: the phone, the shared tablet


async def _ballot(request: web.Request, board: dict[str, Any], voter_of: Any) -> dict[str, Any]:
    """What a ballot page shows: the open round, the notes with their counts, the voter's dots."""

    def read(d: Any) -> dict[str, Any]:
        r = votes.current_round(d, board["id"])
        if r is None:
            return {"round": None, "notes": [], "mine": {}, "used": 0}
        voter = voter_of(r)
        ranking = votes.ranking(d, r)
        mine = votes.mine(d, r["id"], voter) if voter else {}
        # The ballot keeps the wall's order (by theme), not the ranking: no bandwagon.
        order = {n["id"]: i for i, n in enumerate(queries.public_notes(d, board["id"]))}
        ranking.sort(key=lambda row: order.get(row["note"], 0))
        used = votes.spent(d, r, voter) if voter else 0  # a city-wide round: one budget across the sites
        return {"round": r, "notes": ranking, "mine": mine, "used": used}

    return await request.app[DB].read(read)


def _ballot_page(
    request: web.Request, board: dict, ballot: dict, template: str, extra: dict, status: int = 200
) -> web.Response:
    ctx = {
        "board": board,
        **ballot,
        "theme_labels": {t["slug"]: t["label"] for t in board["themes"]},
        "done": request.query.get("done"),
        "server_now": time.time(),  # the countdown's clock
        **extra,
    }
    response = render(request, template, ctx, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


@routes.get("/j/{code}/vote", name="forum_vote_phone", access=PUBLIC)
async def vote_phone(request: web.Request) -> web.Response:
    board = await board_by_code(request)
    voter = votes.device_voter(request[DEVICE])
    ballot = await _ballot(request, board, lambda r: voter)
    return _ballot_page(
        request,
        board,
        ballot,
        "forum/vote_phone.html",
        {"action": str(request.app.router["forum_vote_phone_post"].url_for(code=board["code"]))},
    )


async def _form_vote(request: web.Request, form: Any, turn: str | None) -> str | None:
    """Cast a dot from a form; returns the error message to show, or None."""
    f = Fields(form)
    note_id = f.id("note", required=True) or 0
    round_id = f.id("round")
    remove = f.boolean("remove")
    try:
        await _cast(request, note_id, turn=turn, round_id=round_id, remove=remove)
    except Problem as p:
        if p.status == 404:
            raise
        return message_of(p)
    return None


@routes.post("/j/{code}/vote", name="forum_vote_phone_post", access=PUBLIC)
async def vote_phone_post(request: web.Request) -> web.Response:
    board = await board_by_code(request)
    form = await request.post()
    error = await _form_vote(request, form, None)
    back = str(request.app.router["forum_vote_phone"].url_for(code=board["code"]))
    if error is None:
        return redirect(f"{back}#note-{str(form.get('note', ''))}")
    voter = votes.device_voter(request[DEVICE])
    ballot = await _ballot(request, board, lambda r: voter)
    return _ballot_page(request, board, ballot, "forum/vote_phone.html", {"action": back, "error": error}, status=409)


def _tablet_url(request: web.Request, board_id: int, **query: str) -> str:
    url = request.app.router["forum_vote_tablet"].url_for(id=str(board_id))
    return str(url.with_query({"kiosk": request.query.get("kiosk", ""), **query}))


async def _tablet_page(
    request: web.Request, board: dict, turn: str | None, error: str | None = None, status: int = 200
) -> web.Response:
    device = votes.device_voter(request[DEVICE])

    def voter_of(r: dict) -> str | None:
        return votes.turn_voter(turn) if turn else None

    ballot = await _ballot(request, board, voter_of)
    if turn and ballot["round"]:
        asked = turn
        t = await request.app[DB].read(lambda d: votes.turn(d, asked))
        if t is None or t["device"] != device or t["round_id"] != ballot["round"]["id"]:
            turn, ballot["mine"], ballot["used"] = None, {}, 0
    done = (
        await _ended_turn(request, ballot["round"]["id"], device)
        if request.query.get("done") and ballot["round"]
        else None
    )
    kiosk = request.query.get("kiosk", "")
    router = request.app.router
    return _ballot_page(
        request,
        board,
        ballot,
        "forum/vote_tablet.html",
        {
            "turn": turn,
            "done": done,
            "error": error,
            "kiosk": kiosk,
            "action": str(router["forum_vote_tablet_post"].url_for(id=str(board["id"])).with_query(kiosk=kiosk)),
            "turn_action": str(router["forum_vote_turn"].url_for(id=str(board["id"])).with_query(kiosk=kiosk)),
            "finish": _tablet_url(request, board["id"], done="1", ended=turn or ""),
        },
        status=status,
    )


async def _ended_turn(request: web.Request, round_id: int, device: str) -> str:
    """How the turn that just ended went: "voted" earns the thanks, "empty" never does (issue 26)."""
    ended = query(request).text("ended", max_length=MAX_TURN) or ""

    def read(d: Any) -> str:
        t = votes.turn(d, ended) if ended else None
        if t is None or t["device"] != device or t["round_id"] != round_id:
            return "empty"
        return "voted" if votes.mine(d, round_id, votes.turn_voter(ended)) else "empty"

    return await request.app[DB].read(read)


@routes.get("/forum/boards/{id}/vote/tablet", name="forum_vote_tablet", access=KIOSK)
async def vote_tablet(request: web.Request) -> web.Response:
    board = await board_or_404(request, path_id(request))
    return await _tablet_page(request, board, query(request).text("turn", max_length=MAX_TURN) or None)


@routes.post("/forum/boards/{id}/vote/tablet/turn", name="forum_vote_turn", access=KIOSK)
async def vote_turn(request: web.Request) -> web.Response:
    board = await board_or_404(request, path_id(request))
    if request[NEW_DEVICE]:
        raise Problem(
            409, "no_device", N_("Votre appareil n'est pas reconnu : rechargez la page, puis votez à nouveau.")
        )
    await request.app[LIMITER].enforce(
        [(f"vote-turn:{request[DEVICE]}", *TURN_LIMIT)],
        N_("Un nouveau votant toutes les quelques secondes seulement : attendez {seconds} secondes."),
    )
    device = votes.device_voter(request[DEVICE])
    turn = await request.app[DB].write(lambda tx: votes.new_turn_tx(tx, board["id"], device))
    return redirect(_tablet_url(request, board["id"], turn=turn["turn"]))


@routes.post("/forum/boards/{id}/vote/tablet", name="forum_vote_tablet_post", access=KIOSK)
async def vote_tablet_post(request: web.Request) -> web.Response:
    board = await board_or_404(request, path_id(request))
    form = await request.post()
    turn = Fields(form).text("turn", max_length=MAX_TURN) or None
    error = await _form_vote(request, form, turn)
    if error is None:
        return redirect(_tablet_url(request, board["id"], turn=turn or ""))
    return await _tablet_page(request, board, turn, error, status=409)
