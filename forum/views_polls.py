"""Poll pages and API: the facilitator's poll page (open, reveal, close), the phone and the shared
tablet answering with pictograms, and the JSON API. Results stay hidden until revealed."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from forum import changes, polls, store
from forum.access import BOARD_FACILITATOR, board_by_code, board_or_404, key_of
from forum.posting import message_of
from forum.views_votes import KIOSK
from quartier.bus import last_seq_in
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields, path_id, read_json
from quartier.routing import PUBLIC, Routes
from quartier.templates import render
from quartier.typedefs import DB, DEVICE, LIMITER, NEW_DEVICE, SETTINGS, USER
from quartier.web import redirect

routes = Routes()

# A phone answers once (and may change its mind); a shared tablet takes one tap every 3 seconds.
ANSWER_DEVICE_LIMIT = (20, 5)  # (per minute, burst): see quartier.ratelimit
TABLET_LIMIT = (20, 1)
ICON_LABELS = {
    "oui": N_("Oui"),
    "non": N_("Non"),
    "peut-etre": N_("Peut-être"),
    "content": N_("Content"),
    "neutre": N_("Bof"),
    "mecontent": N_("Pas content"),
    "acces-libre": N_("Accès libre"),
    "accompagnement": N_("Être accompagné"),
    "droits": N_("Mes droits"),
    "idee": N_("Une idée"),
}


def poll_input(data: Any) -> dict[str, Any]:
    """A new poll: its question and answers (label-N and icon-N from the form, or a JSON list)."""
    f = Fields(data)
    question = f.text(
        "question", max_length=polls.MAX_QUESTION, required=True, message={"required": N_("Posez une question.")}
    )
    raw = f.data.get("options")
    if raw is None:  # the form's rows
        raw = [
            {"label": f.data.get(f"label-{i}", ""), "icon": f.data.get(f"icon-{i}", "")}
            for i in range(polls.MAX_OPTIONS)
        ]
        raw = [o for o in raw if str(o["label"]).strip()]
    if not isinstance(raw, list) or not all(isinstance(o, dict) for o in raw):
        raise Problem(422, "invalid_field", N_("Un sondage a de 2 à 6 réponses."), field="options")
    options = []
    for o in raw:
        g = Fields(o, prefix="options.")
        label = g.text(
            "label", max_length=polls.MAX_LABEL, required=True, message={"required": N_("Chaque réponse a un mot.")}
        )
        icon = g.choice("icon", polls.ICONS, "idee", message=N_("Ce pictogramme n'existe pas."))
        options.append({"label": label, "icon": str(icon)})
    if not polls.MIN_OPTIONS <= len(options) <= polls.MAX_OPTIONS:
        raise Problem(422, "invalid_field", N_("Un sondage a de 2 à 6 réponses."), field="options")
    return {"question": question, "options": options}


async def _poll_of_board(request: web.Request, board_id: int, poll_id: int) -> dict[str, Any]:
    p = await request.app[DB].read(lambda d: polls.poll(d, poll_id))
    if p is None or p["board_id"] != board_id:
        raise Problem(404, "not_found", N_("Ce sondage n'existe pas."))
    return p


async def _limits(request: web.Request, tablet: bool) -> None:
    if request[NEW_DEVICE]:
        raise Problem(
            409, "no_device", N_("Votre appareil n'est pas reconnu : rechargez la page, puis répondez à nouveau.")
        )
    limit = TABLET_LIMIT if tablet else ANSWER_DEVICE_LIMIT
    await request.app[LIMITER].enforce(
        [(f"poll:{request[DEVICE]}", *limit)], N_("Beaucoup de réponses en peu de temps : attendez {seconds} secondes.")
    )


async def _answer(request: web.Request, poll_id: int, choice: int, tablet: bool) -> dict[str, Any]:
    await _limits(request, tablet)
    voter = None if tablet else polls.device_voter(request[DEVICE])
    return await request.app[DB].write(lambda tx: polls.answer_tx(tx, poll_id, voter=voter, choice=choice))


# -- JSON API


@routes.get("/api/v1/boards/{id}/polls", name="api_polls", access=PUBLIC)
async def api_polls(request: web.Request) -> web.Response:
    board = await board_or_404(request, path_id(request))
    staff = request.get(USER) is not None
    rows = await request.app[DB].read(
        lambda d: [polls.public_poll(d, p, with_counts=staff) for p in polls.polls(d, board["id"])]
    )
    return web.json_response({"polls": rows})


@routes.post("/api/v1/boards/{id}/polls", name="api_open_poll", access=BOARD_FACILITATOR)
async def api_open_poll(request: web.Request) -> web.Response:
    board_id = path_id(request)
    fields = poll_input(await read_json(request))
    opened = await request.app[DB].write(lambda tx: polls.open_poll_tx(tx, board_id, **fields))
    return web.json_response(opened, status=201)


async def _act_api(request: web.Request, act: Any) -> web.Response:
    board_id, poll_id = path_id(request), path_id(request, "poll")
    await read_json(request)  # an empty object: the action is in the path (a body too large is a 413)
    await _poll_of_board(request, board_id, poll_id)
    return web.json_response(await request.app[DB].write(lambda tx: act(tx, poll_id)))


@routes.post("/api/v1/boards/{id}/polls/{poll}/reveal", name="api_poll_reveal", access=BOARD_FACILITATOR)
async def api_poll_reveal(request: web.Request) -> web.Response:
    return await _act_api(request, polls.reveal_tx)


@routes.post("/api/v1/boards/{id}/polls/{poll}/close", name="api_poll_close", access=BOARD_FACILITATOR)
async def api_poll_close(request: web.Request) -> web.Response:
    return await _act_api(request, polls.close_tx)


@routes.post("/api/v1/polls/{id}/answers", name="api_poll_answer", access=PUBLIC)
async def api_poll_answer(request: web.Request) -> web.Response:
    poll_id = path_id(request)
    choice = Fields(await read_json(request)).integer("choice", minimum=0, maximum=polls.MAX_OPTIONS - 1, required=True)
    return web.json_response(await _answer(request, poll_id, int(choice or 0), tablet=False), status=201)


# -- the facilitator's page


def _polls_url(request: web.Request, board_id: int) -> str:
    url = request.app.router["forum_polls"].url_for(id=str(board_id))
    key = key_of(request)
    return str(url.with_query(key=key) if key else url)


@routes.get("/forum/boards/{id}/polls", name="forum_polls", access=BOARD_FACILITATOR)
async def polls_page(request: web.Request) -> web.Response:
    board = await board_or_404(request, path_id(request))

    def read(d: Any) -> tuple:
        return [polls.public_poll(d, p, with_counts=True) for p in polls.polls(d, board["id"])], last_seq_in(d)

    rows, seq = await request.app[DB].read(read)
    current = next((p for p in reversed(rows) if p["state"] == "open"), None)
    ctx = {
        "board": board,
        "polls": list(reversed(rows)),
        "current": current,
        "key": key_of(request),
        "kiosk": store.kiosk_key(request.app[SETTINGS].secret_key, board["id"], board["link_salt"]),
        "icons": ICON_LABELS,
        "slots": range(polls.MAX_OPTIONS),
        "seq": seq,
        "channels": changes.board_channel(board["id"]),
    }
    response = render(request, "forum/polls.html", ctx)
    response.headers["Cache-Control"] = "no-store"
    return response


@routes.post("/forum/boards/{id}/polls", name="forum_poll_open", access=BOARD_FACILITATOR)
async def poll_open(request: web.Request) -> web.Response:
    board_id = path_id(request)
    fields = poll_input(dict(await request.post()))
    await request.app[DB].write(lambda tx: polls.open_poll_tx(tx, board_id, **fields))
    return redirect(_polls_url(request, board_id))


async def _act(request: web.Request, act: Any) -> web.Response:
    board_id, poll_id = path_id(request), path_id(request, "poll")
    await _poll_of_board(request, board_id, poll_id)
    await request.app[DB].write(lambda tx: act(tx, poll_id))
    return redirect(_polls_url(request, board_id))


@routes.post("/forum/boards/{id}/polls/{poll}/reveal", name="forum_poll_reveal", access=BOARD_FACILITATOR)
async def poll_reveal(request: web.Request) -> web.Response:
    return await _act(request, polls.reveal_tx)


@routes.post("/forum/boards/{id}/polls/{poll}/close", name="forum_poll_close", access=BOARD_FACILITATOR)
async def poll_close(request: web.Request) -> web.Response:
    return await _act(request, polls.close_tx)


# -- answering: the phone, the shared tablet


async def _answer_page(
    request: web.Request, board: dict[str, Any], action: str, tablet: bool, **extra: Any
) -> web.Response:
    voter = polls.device_voter(request[DEVICE])

    def read(d: Any) -> tuple:
        p = polls.shown_poll(d, board["id"])
        shown = polls.public_poll(d, p) if p else None
        return shown, (polls.mine(d, p["id"], voter) if p and not tablet else None), last_seq_in(d)

    poll, chosen, seq = await request.app[DB].read(read)
    ctx = {
        "board": board,
        "poll": poll,
        "chosen": chosen,
        "action": action,
        "tablet": tablet,
        "seq": seq,
        "channels": changes.board_channel(board["id"]),
        **extra,
    }
    response = render(request, "forum/poll_answer.html", ctx, status=409 if extra.get("error") else 200)
    response.headers["Cache-Control"] = "no-store"
    return response


async def _form_answer(request: web.Request, tablet: bool) -> str | None:
    f = Fields(await request.post())
    poll_id = f.id("poll", required=True) or 0
    choice = f.integer("choice", minimum=0, maximum=polls.MAX_OPTIONS - 1, required=True) or 0
    try:
        await _answer(request, poll_id, int(choice), tablet)
    except Problem as p:
        if p.status == 404:
            raise
        return message_of(p)
    return None


@routes.get("/j/{code}/poll", name="forum_poll_phone", access=PUBLIC)
async def poll_phone(request: web.Request) -> web.Response:
    board = await board_by_code(request)
    action = str(request.app.router["forum_poll_phone"].url_for(code=board["code"]))
    return await _answer_page(request, board, action, False, done=request.query.get("done"))


@routes.post("/j/{code}/poll", name="forum_poll_phone_post", access=PUBLIC)
async def poll_phone_post(request: web.Request) -> web.Response:
    board = await board_by_code(request)
    back = str(request.app.router["forum_poll_phone"].url_for(code=board["code"]))
    error = await _form_answer(request, tablet=False)
    if error is None:
        return redirect(back + "?done=1")
    return await _answer_page(request, board, back, False, error=error)


@routes.get("/forum/boards/{id}/poll/tablet", name="forum_poll_tablet", access=KIOSK)
async def poll_tablet(request: web.Request) -> web.Response:
    board = await board_or_404(request, path_id(request))
    url = (
        request.app.router["forum_poll_tablet"]
        .url_for(id=str(board["id"]))
        .with_query(kiosk=request.query.get("kiosk", ""))
    )
    return await _answer_page(request, board, str(url), True, done=request.query.get("done"))


@routes.post("/forum/boards/{id}/poll/tablet", name="forum_poll_tablet_post", access=KIOSK)
async def poll_tablet_post(request: web.Request) -> web.Response:
    board = await board_or_404(request, path_id(request))
    url = (
        request.app.router["forum_poll_tablet"]
        .url_for(id=str(board["id"]))
        .with_query(kiosk=request.query.get("kiosk", ""))
    )
    error = await _form_answer(request, tablet=True)
    if error is None:  # thanked, then ready for the next person
        return redirect(str(url.update_query(done="1")))
    return await _answer_page(request, board, str(url), True, error=error)
