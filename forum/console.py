"""The facilitator's console: the moderation queue, fast entry of paper and spoken notes, the board's state."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from aiohttp import web

from forum import changes, queries, store, trash
from forum.access import BOARD_FACILITATOR, NOTE_FACILITATOR, board_or_404, console_url, key_of
from forum.api import moderation_input
from forum.posting import TYPED_SOURCES, post_note
from quartier import flash, slots
from quartier.bus import last_seq_in
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields, path_id, to_id
from quartier.routing import Routes
from quartier.templates import render
from quartier.typedefs import DB, SETTINGS, USER
from quartier.web import redirect

routes = Routes()

# The console's place for what higher packages add (quartier.slots): reports' attendance counter.
CONSOLE_SLOT = "forum.console"


def hhmm(ts: float | None, request: web.Request) -> str:
    if not ts:
        return ""
    return dt.datetime.fromtimestamp(ts, request.app[SETTINGS].tz).strftime("%H:%M")


@routes.get("/forum/boards/{id}/console", name="forum_console", access=BOARD_FACILITATOR)
async def console(request: web.Request) -> web.Response:
    board_id = path_id(request)

    deleted_id = to_id(request.query.get("deleted", ""))

    def read(d: Any) -> tuple:
        board = queries.board(d, board_id)
        sections = slots.read(request.app, CONSOLE_SLOT, d, {"board": board}) if board else []
        undo = trash.deleted_note(d, board_id, deleted_id, time.time()) if deleted_id else None
        return board, queries.all_notes(d, board_id), last_seq_in(d), sections, undo

    board, notes, seq, sections, undo = await request.app[DB].read(read)
    if board is None:
        raise Problem(404, "not_found", N_("Ce tableau n'existe pas."))
    groups: dict[str, list] = {"pending": [], "published": [], "hidden": [], "merged": []}
    merged_of: dict[int, list] = {}
    for n in notes:
        groups[n["status"]].append(n)
        if n["status"] == "merged" and n["merged_into"]:
            merged_of.setdefault(n["merged_into"], []).append(n)
    response = render(
        request,
        "forum/console.html",
        {
            "board": board,
            "groups": groups,
            "merged_of": merged_of,
            "seq": seq,
            "channels": changes.moderation_channel(board_id),
            "key": key_of(request),
            "theme_labels": {t["slug"]: t["label"] for t in board["themes"]},
            "hhmm": lambda ts: hhmm(ts, request),
            "max_text": store.MAX_TEXT,
            "sent": request.query.get("sent"),
            "sections": sections,
            "undo": undo,
            "undo_seconds": trash.UNDO_SECONDS,
        },
    )
    response.headers["Cache-Control"] = "no-store"  # the page holds the link's key
    return response


@routes.post("/forum/boards/{id}/console/notes", name="forum_console_note", access=BOARD_FACILITATOR)
async def console_note(request: web.Request) -> web.Response:
    board_id = path_id(request)
    form = await request.post()
    source = str(
        Fields(form).choice(
            "source", TYPED_SOURCES, required=True, message=N_("Choisissez la source : papier ou oral.")
        )
    )
    await board_or_404(request, board_id)
    await post_note(request, board_id, form, source, trusted=True)
    return redirect(console_url(request, board_id, "#saisie", sent=str(source)))


@routes.post("/forum/notes/{id}/moderate", name="forum_moderate", access=NOTE_FACILITATOR)
async def moderate(request: web.Request) -> web.Response:
    note_id = path_id(request)
    form = await request.post()
    note = await request.app[DB].read(lambda d: queries.note(d, note_id))
    if note is None:
        raise Problem(404, "not_found", N_("Cette note n'existe pas."))
    action, args = moderation_input(form)
    if action == "delete" and form.get("confirm") != "yes":
        # Without scripts the button leads to a page that asks; console.js asks in place.
        confirm = request.app.router["forum_delete_note"].url_for(id=str(note_id))
        flash.nothing_saved(request)
        return redirect(str(confirm.with_query(request.query)))
    await request.app[DB].write(lambda tx: store.moderate_tx(tx, note_id, action, args))
    if action == "delete":
        return redirect(console_url(request, note["board_id"], "#console-undo", deleted=str(note_id)))
    return redirect(console_url(request, note["board_id"], f"#note-{note_id}"))


@routes.get("/forum/notes/{id}/delete", name="forum_delete_note", access=NOTE_FACILITATOR)
async def delete_note_page(request: web.Request) -> web.Response:
    """Asks before deleting (the console's no-script path); the form posts the confirmed delete."""
    note_id = path_id(request)

    def read(d: Any) -> tuple:
        note = queries.note(d, note_id)
        return note, queries.board(d, note["board_id"]) if note else None

    note, board = await request.app[DB].read(read)
    if note is None or board is None:
        raise Problem(404, "not_found", N_("Cette note n'existe pas."))
    context = {"note": note, "board": board, "key": key_of(request), "undo_seconds": trash.UNDO_SECONDS}
    return render(request, "forum/console_delete.html", context)


@routes.post("/forum/boards/{id}/console/restore", name="forum_restore_note", access=BOARD_FACILITATOR)
async def restore_note(request: web.Request) -> web.Response:
    """Undo a deletion within its few seconds: the note is back on the console and, if it was, on the wall."""
    board_id = path_id(request)
    f = Fields(await request.post())
    note_id = f.id("note", required=True, code="invalid_note", message=N_("Cette note n'existe pas."))
    assert note_id is not None  # required
    restored = await request.app[DB].write(lambda tx: trash.restore_tx(tx, board_id, note_id))
    return redirect(console_url(request, board_id, f"#note-{restored['id']}", restored=str(restored["id"])))


@routes.post("/forum/boards/{id}/state", name="forum_state", access=BOARD_FACILITATOR)
async def board_state(request: web.Request) -> web.Response:
    board_id = path_id(request)
    form = await request.post()
    state = str(
        Fields(form).choice(
            "state", ("open", "closed"), required=True, code="invalid_state", message=N_("L'état vaut ouvert ou fermé.")
        )
    )
    await request.app[DB].write(lambda tx: store.set_state_tx(tx, board_id, state))
    if request.get(USER) and form.get("back") == "board":
        return redirect(str(request.app.router["forum_board"].url_for(id=str(board_id))))
    return redirect(console_url(request, board_id))


@routes.get("/forum/notes/{id}/merge", name="forum_merge_note", access=NOTE_FACILITATOR)
async def merge_note_page(request: web.Request) -> web.Response:
    """Regrouping picks the other note from the board's list (same theme first), never a typed number."""
    note_id = path_id(request)

    def read(d: Any) -> tuple:
        note = queries.note(d, note_id)
        if note is None:
            return None, None, []
        return note, queries.board(d, note["board_id"]), queries.all_notes(d, note["board_id"])

    note, board, notes = await request.app[DB].read(read)
    if note is None or board is None:
        raise Problem(404, "not_found", N_("Cette note n'existe pas."))
    targets = [n for n in notes if n["id"] != note_id and n["status"] != "merged"]
    targets.sort(key=lambda n: (n["theme"] != note["theme"], n["status"] != "published"))
    context = {
        "note": note,
        "board": board,
        "targets": targets,
        "key": key_of(request),
        "theme_labels": {t["slug"]: t["label"] for t in board["themes"]},
    }
    return render(request, "forum/console_merge.html", context)
