"""The forum's JSON API: boards, their published notes, posting and moderating notes."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from aiohttp import web

from events import queries as programme
from forum import queries, store
from forum.access import NOTE_FACILITATOR, board_link, board_links, board_or_404, read_of_board
from forum.posting import note_input, post_note
from quartier.api import clean_text, path_int, read_json
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.routing import PUBLIC, STAFF, Routes
from quartier.typedefs import DB, USER

routes = Routes()

SITE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


@routes.get("/api/v1/boards", name="api_boards", access=PUBLIC)
async def api_boards(request: web.Request) -> web.Response:
    site = request.query.get("site") or None
    state = request.query.get("state") or None
    if state not in (None, "open", "closed"):
        raise Problem(400, "invalid_state", N_("« state » vaut open ou closed."))
    rows = await request.app[DB].read(lambda d: queries.boards(d, site=site, state=state))
    return web.json_response({"boards": [queries.public_board(b) for b in rows]})


@routes.get("/api/v1/boards/{id}", name="api_board", access=PUBLIC)
async def api_board(request: web.Request) -> web.Response:
    board = await board_or_404(request, path_int(request))
    out = queries.public_board(board)
    out["join_url"] = board_links(request, board)["join_public"]
    return web.json_response(out)


@routes.get("/api/v1/boards/{id}/notes", name="api_board_notes", access=PUBLIC)
async def api_board_notes(request: web.Request) -> web.Response:
    board_id = path_int(request)
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
    title = data.get("title")
    if not isinstance(title, str) or not clean_text(title):
        raise Problem(422, "missing_field", N_("Donnez un titre au tableau."))
    title = clean_text(title)
    prompt = data.get("prompt") or ""
    if not isinstance(prompt, str):
        raise Problem(422, "invalid_field", N_("La question doit être du texte."))
    prompt = clean_text(prompt)
    if len(title) > store.MAX_TITLE or len(prompt) > store.MAX_PROMPT:
        raise Problem(
            422,
            "too_long",
            N_("Le titre ({t} au plus) ou la question ({p} au plus) est trop long."),
            t=store.MAX_TITLE,
            p=store.MAX_PROMPT,
        )
    moderation = data.get("moderation") or "pre"
    if moderation not in store.MODERATION:
        raise Problem(422, "invalid_field", N_("La modération vaut « pre » ou « post »."))
    site = data.get("site") or None
    if site is not None and (not isinstance(site, str) or not SITE_RE.match(site)):
        raise Problem(422, "invalid_field", N_("Le lieu est un identifiant comme « maurepas »."))
    session = data.get("session")
    if session in ("", None):
        session = None
    else:
        if isinstance(session, str) and session.isdigit():
            session = int(session)
        if not isinstance(session, int) or isinstance(session, bool) or session < 1:
            raise Problem(422, "invalid_field", N_("La séance est un numéro."))
    return {"title": title, "prompt": prompt, "moderation": moderation, "site": site, "session_id": session}


@routes.post("/api/v1/boards/{id}/notes", name="api_post_note", access=PUBLIC)
async def api_post_note(request: web.Request) -> web.Response:
    board_id = path_int(request)
    data = await read_json(request)
    source = data.get("source") or "phone"
    trusted = False
    if source in ("paper", "spoken"):
        # Paper and spoken notes are typed in by a facilitator.
        trusted = request.get(USER) is not None or await board_link(request)
        if not trusted:
            raise Problem(403, "forbidden", N_("Seule l'équipe saisit les notes papier ou orales."))
    elif source not in store.RESIDENT_SOURCES:
        raise Problem(422, "invalid_field", N_("La source vaut tablet, phone, paper ou spoken."))
    # No read of the board first: the write finds it (404) and checks it is open (409) in its
    # own transaction; a read round trip per note cost a third of the event loop (issue 11).
    created = await post_note(request, board_id, data, source, trusted)
    return web.json_response(created, status=201)


def moderation_input(data: Any) -> tuple[str, dict[str, Any]]:
    action = data.get("action")
    if action not in store.ACTIONS:
        raise Problem(422, "invalid_action", N_("Action inconnue : {actions}."), actions=", ".join(store.ACTIONS))
    args: dict[str, Any] = {}
    if action == "edit":
        args["text"] = note_input(data)["text"]
    elif action == "move":
        theme = data.get("theme")
        if not isinstance(theme, str) or not theme:
            raise Problem(422, "invalid_theme", N_("Ce thème n'existe pas sur ce tableau."))
        args["theme"] = theme
    elif action == "merge":
        into = data.get("into")
        if isinstance(into, str) and into.strip().lstrip("#").isdigit():
            into = int(into.strip().lstrip("#"))
        if not isinstance(into, int) or isinstance(into, bool):
            raise Problem(422, "invalid_merge", N_("Choisissez une autre note du même tableau."))
        args["into"] = into
    elif action == "action":
        who = data.get("who") or ""
        due = data.get("due") or ""
        if not isinstance(who, str) or not isinstance(due, str) or len(clean_text(who)) > store.MAX_WHO:
            raise Problem(422, "invalid_field", N_("Indiquez qui s'en charge (80 caractères au plus)."))
        if due:
            try:
                due = dt.date.fromisoformat(due).isoformat()
            except ValueError:
                raise Problem(422, "invalid_date", N_("La date s'écrit AAAA-MM-JJ.")) from None
        args.update(who=clean_text(who), due=due)
    return action, args


@routes.post("/api/v1/notes/{id}/moderation", name="api_moderate", access=NOTE_FACILITATOR)
async def api_moderate(request: web.Request) -> web.Response:
    note_id = path_int(request)
    action, args = moderation_input(await read_json(request))
    result = await request.app[DB].write(lambda tx: store.moderate_tx(tx, note_id, action, args))
    return web.json_response(result)
