"""Who may act on a board: staff, or whoever holds the board's facilitator link (`?key=`).

Also the reads every forum page starts with (a board or 404, a board by its join code) and the
links a board hands out. Packages above the forum (reports) use these for their board pages.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from forum import changes, queries, store
from quartier.channels import listed
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import to_id
from quartier.routing import STAFF, check
from quartier.templates import public_url
from quartier.typedefs import DB, SETTINGS, USER

# -- access: staff, or the board's facilitator link (?key=...)


async def board_link(request: web.Request) -> bool:
    key = request.query.get("key")
    board_id = to_id(request.match_info.get("id", ""))
    if not key or board_id is None:
        return False
    board = await request.app[DB].read(lambda d: queries.board(d, board_id))
    return store.key_ok(request.app[SETTINGS].secret_key, board, key)


async def _note_link(request: web.Request) -> bool:
    key = request.query.get("key")
    note_id = to_id(request.match_info.get("id", ""))
    if not key or note_id is None:
        return False

    def read(d: Any) -> dict | None:
        note = queries.note(d, note_id)
        return queries.board(d, note["board_id"]) if note else None

    board = await request.app[DB].read(read)
    return store.key_ok(request.app[SETTINGS].secret_key, board, key)


async def _channel_link(request: web.Request) -> bool:
    """On /ws: every moderation:{id} channel asked for must match the key."""
    key = request.query.get("key")
    ids = [to_id(i) for i in changes.moderated_boards(listed(request.query.get("channels", "")))]
    if not key or not ids or None in ids:
        return False
    secret = request.app[SETTINGS].secret_key
    boards = await request.app[DB].read(lambda d: [queries.board(d, i) for i in ids if i is not None])
    return all(store.key_ok(secret, b, key) for b in boards)


BOARD_FACILITATOR = STAFF | check("facilitator_link", board_link)


NOTE_FACILITATOR = STAFF | check("facilitator_link", _note_link)


CHANNEL_FACILITATOR = STAFF | check("facilitator_link", _channel_link)


def key_of(request: web.Request) -> str | None:
    """The facilitator link's key to carry on, only when it is valid (the access check passed)."""
    return None if request.get(USER) else request.query.get("key")


# -- reads and links every board page needs


async def board_or_404(request: web.Request, board_id: int) -> dict[str, Any]:
    return await read_of_board(request, board_id, lambda d: queries.board(d, board_id))


async def read_of_board(request: web.Request, board_id: int, fn: Any) -> Any:
    """fn(db) read in the same snapshot as the board's existence; 404 when there is no such board."""

    def read(d: Any) -> Any:
        return fn(d) if queries.board(d, board_id) else None

    found = await request.app[DB].read(read)
    if found is None:
        raise Problem(404, "not_found", N_("Ce tableau n'existe pas."))
    return found


async def board_by_code(request: web.Request) -> dict:
    raw = request.match_info["code"]
    code = store.normalize_code(raw)
    board = await request.app[DB].read(lambda d: queries.board_by_code(d, code))
    if board is None:
        raise Problem(
            404, "not_found", N_("Ce code ne correspond à aucun tableau. Vérifiez les lettres et les chiffres.")
        )
    if code != raw:
        raise web.HTTPPermanentRedirect(str(request.app.router["forum_phone"].url_for(code=code)))
    return board


def console_url(request: web.Request, board_id: int, anchor: str = "", **query: str) -> str:
    url = request.app.router["forum_console"].url_for(id=str(board_id))
    key = key_of(request)
    q = {**({"key": key} if key else {}), **query}
    return str(url.with_query(q) if q else url) + anchor


def board_links(request: web.Request, board: dict[str, Any]) -> dict[str, str]:
    router = request.app.router
    console = (
        router["forum_console"]
        .url_for(id=str(board["id"]))
        .with_query(key=store.facilitator_key(request.app[SETTINGS].secret_key, board["id"], board["link_salt"]))
    )
    return {
        "join": str(router["forum_phone"].url_for(code=board["code"])),
        "join_public": public_url(request, str(router["forum_phone"].url_for(code=board["code"]))),
        "console_with_key": str(console),
        "console_public": public_url(request, str(console)),
    }
