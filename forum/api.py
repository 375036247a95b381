"""The forum's JSON API: boards, their published notes, posting and moderating notes."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from events import queries as programme
from events.model import SLUG_RE
from forum import queries, store
from forum.access import NOTE_FACILITATOR, board_link, board_links, board_or_404, read_of_board
from forum.posting import TYPED_SOURCES, idempotency_key, note_input, post_note
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields, path_id, query, read_json
from quartier.routing import PUBLIC, STAFF, Routes
from quartier.typedefs import DB, USER

routes = Routes()


@routes.get("/api/v1/boards", name="api_boards", access=PUBLIC)
async def api_boards(request: web.Request) -> web.Response:
    q = query(request)
    site = q.text("site", max_length=60) or None
    state = q.choice("state", ("open", "closed"), code="invalid_state")
    rows = await request.app[DB].read(lambda d: queries.boards(d, site=site, state=state))
    return web.json_response({"boards": [queries.public_board(b) for b in rows]})


@routes.get("/api/v1/boards/{id}", name="api_board", access=PUBLIC)
async def api_board(request: web.Request) -> web.Response:
    board = await board_or_404(request, path_id(request))
    out = queries.public_board(board)
    out["join_url"] = board_links(request, board)["join_public"]
    return web.json_response(out)


@routes.get("/api/v1/boards/{id}/notes", name="api_board_notes", access=PUBLIC)
async def api_board_notes(request: web.Request) -> web.Response:
    board_id = path_id(request)
    notes = await read_of_board(request, board_id, lambda d: queries.public_notes(d, board_id))
    return web.json_response({"notes": notes})


@routes.post("/api/v1/boards", name="api_create_board", access=STAFF)
async def api_create_board(request: web.Request) -> web.Response:
    data = await read_json(request)
    fields = await with_programme(request, board_input(data))
    created = await request.app[DB].write(lambda tx: store.create_board_tx(tx, **fields))
    return web.json_response(created, status=201)


async def with_programme(request: web.Request, fields: dict[str, Any]) -> dict[str, Any]:
    """Check the board's site and session against the programme; a session gives its site."""

    def read(d: Any) -> tuple:
        site = programme.site(d, fields["site"]) if fields["site"] else None
        session = programme.session(d, fields["session_id"]) if fields["session_id"] else None
        return site, session

    site, session = await request.app[DB].read(read)
    if fields["site"] and site is None:
        raise Problem(422, "unknown_site", N_("Ce lieu n'existe pas dans le programme."))
    if fields["session_id"] and session is None:
        raise Problem(422, "unknown_session", N_("Cette séance n'existe pas dans le programme."))
    if session and fields["site"] and session["site"] != fields["site"]:
        raise Problem(422, "invalid_field", N_("Cette séance a lieu dans un autre lieu."))
    if session and not fields["site"]:
        fields = {**fields, "site": session["site"]}
    return fields


def board_input(data: Any) -> dict[str, Any]:
    """A new board's fields, from JSON or the staff form."""
    f = Fields(data)
    return {
        "title": f.text(
            "title", max_length=store.MAX_TITLE, required=True, message={"required": N_("Donnez un titre au tableau.")}
        ),
        "prompt": f.text("prompt", max_length=store.MAX_PROMPT, multiline=True),
        "moderation": f.choice("moderation", store.MODERATION, "pre"),
        "site": f.text(
            "site", max_length=60, pattern=SLUG_RE, message=N_("Le lieu est un identifiant comme « maurepas ».")
        )
        or None,
        "session_id": f.id("session", message=N_("La séance est un numéro.")),
    }


@routes.post("/api/v1/boards/{id}/notes", name="api_post_note", access=PUBLIC)
async def api_post_note(request: web.Request) -> web.Response:
    board_id = path_id(request)
    data = await read_json(request)
    sources = (*store.RESIDENT_SOURCES, *TYPED_SOURCES)
    source = Fields(data).choice(
        "source", sources, "phone", message=N_("La source vaut tablet, phone, paper ou spoken.")
    )
    trusted = False
    if source in TYPED_SOURCES:
        # Paper and spoken notes are typed in by a facilitator.
        trusted = request.get(USER) is not None or await board_link(request)
        if not trusted:
            raise Problem(403, "forbidden", N_("Seule l'équipe saisit les notes papier ou orales."))
    # No read of the board first: the write finds it (404) and checks it is open (409) in its
    # own transaction; a read round trip per note cost a third of the event loop (issue 11).
    created = await post_note(request, board_id, data, str(source), trusted, idempotency_key(request))
    # A retry of a note already recorded (same Idempotency-Key): the first answer, said to be a replay.
    headers = {"Idempotent-Replayed": "true"} if created.pop("replayed", False) else None
    return web.json_response(created, status=201, headers=headers)


def moderation_input(data: Any) -> tuple[str, dict[str, Any]]:
    """A moderation action and its arguments, from JSON or the console's forms."""
    f = Fields(data)
    action = str(
        f.choice(
            "action", store.ACTIONS, required=True, code="invalid_action", message=N_("Action inconnue : {values}.")
        )
    )
    args: dict[str, Any] = {}
    if action == "edit":
        args["text"] = note_input(data)["text"]
    elif action == "move":
        unknown = N_("Ce thème n'existe pas sur ce tableau.")
        args["theme"] = f.text("theme", max_length=80, required=True, code="invalid_theme", message=unknown)
    elif action == "merge":
        args["into"] = f.id(
            "into", required=True, code="invalid_merge", message=N_("Choisissez une autre note du même tableau.")
        )
    elif action == "action":
        who = f.text("who", max_length=store.MAX_WHO, message=N_("Indiquez qui s'en charge (80 caractères au plus)."))
        due = f.date("due", code="invalid_date", message=N_("La date s'écrit AAAA-MM-JJ."))
        args.update(who=who, due=due.isoformat() if due else "")
    return action, args


@routes.post("/api/v1/notes/{id}/moderation", name="api_moderate", access=NOTE_FACILITATOR)
async def api_moderate(request: web.Request) -> web.Response:
    note_id = path_id(request)
    action, args = moderation_input(await read_json(request))
    result = await request.app[DB].write(lambda tx: store.moderate_tx(tx, note_id, action, args))
    return web.json_response(result)
