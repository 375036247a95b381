"""Deleting a note, with a few seconds to take it back.

A facilitator's "Supprimer" removes the note at once from every public place (the wall, the
bus history, the vote counts), as before; its row, its dots and the notes that had been merged
into it are kept aside in `forum_deleted_notes` for `UNDO_SECONDS` (plus a grace for a slow
network), so the console can offer "Annuler". Undoing puts the note back as it was and tells the
wall and the console on the bus. After the window the copy is purged: nothing of it stays.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from forum import changes, history, reads, votes
from quartier.db import Tx
from quartier.errors import Problem
from quartier.i18n import N_

log = logging.getLogger(__name__)

UNDO_SECONDS = 15  # what the console shows and counts down
GRACE_SECONDS = 5  # what the server adds, for a click sent in the last second over a slow network

_COLUMNS = (
    "board_id, theme, text, author, source, status, held, pinned, kind, action_who, action_due, "
    "merged_into, created, published, updated"
)


def purge_tx(tx: Tx, now: float) -> None:
    """Forget the deleted notes whose undo window is over."""
    tx.execute("DELETE FROM forum_deleted_notes WHERE deleted < ?", (now - UNDO_SECONDS - GRACE_SECONDS,))


def delete_tx(tx: Tx, note: dict[str, Any], was_public: bool, now: float) -> dict[str, Any]:
    """Delete a note everywhere, keeping a copy for the undo window; returns {"id", "deleted"}."""
    note_id, board_id = note["id"], note["board_id"]
    purge_tx(tx, now)
    row = dict(tx.execute("SELECT * FROM forum_notes WHERE id = ?", (note_id,)).fetchone())
    dots = [
        dict(r) for r in tx.execute("SELECT round_id, voter, created FROM forum_votes WHERE note_id = ?", (note_id,))
    ]
    regrouped = [r[0] for r in tx.execute("SELECT id FROM forum_notes WHERE merged_into = ?", (note_id,))]
    tx.execute(
        "INSERT INTO forum_deleted_notes (note_id, board_id, note, dots, regrouped, deleted) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (note_id) DO UPDATE SET board_id = excluded.board_id, "
        "note = excluded.note, dots = excluded.dots, regrouped = excluded.regrouped, deleted = excluded.deleted",
        (note_id, board_id, json.dumps(row, ensure_ascii=False), json.dumps(dots), json.dumps(regrouped), now),
    )
    # The notes it had absorbed come back as hidden notes, to be published or deleted one by one.
    tx.execute(
        "UPDATE forum_notes SET status = 'hidden', merged_into = NULL, updated = ? WHERE merged_into = ?",
        (now, note_id),
    )
    tx.execute("DELETE FROM forum_notes WHERE id = ?", (note_id,))
    tx.change(changes.moderation_channel(board_id), changes.NOTE_DELETED, {"id": note_id})
    if was_public:
        tx.change(changes.board_channel(board_id), changes.NOTE_REMOVED, {"id": note_id})
    history.rewrite_note(tx, board_id, note_id)
    return {"id": note_id, "deleted": True}


def deleted_note(db: Any, board_id: int, note_id: int, now: float) -> dict[str, Any] | None:
    """A note of this board deleted less than UNDO_SECONDS ago: {"id", "text", "left"} (whole seconds
    left to undo it, so the page's countdown needs no clock of its own); else None."""
    row = db.conn.execute(
        "SELECT note, deleted FROM forum_deleted_notes WHERE note_id = ? AND board_id = ? AND deleted >= ?",
        (note_id, board_id, now - UNDO_SECONDS),
    ).fetchone()
    if row is None:
        return None
    left = max(1, round(row["deleted"] + UNDO_SECONDS - now))
    return {"id": note_id, "text": json.loads(row["note"])["text"], "left": left}


def restore_tx(tx: Tx, board_id: int, note_id: int, now: float | None = None) -> dict[str, Any]:
    """Undo a deletion within the window: the note comes back with its dots and merged notes."""
    now = time.time() if now is None else now
    purge_tx(tx, now)
    kept = tx.execute(
        "SELECT note, dots, regrouped FROM forum_deleted_notes WHERE note_id = ? AND board_id = ?", (note_id, board_id)
    ).fetchone()
    if kept is None:
        raise Problem(409, "undo_expired", N_("Trop tard pour annuler : la note est supprimée pour de bon."))
    board = reads.board(tx.db, board_id)
    if board is None or board["state"] != "open":
        raise Problem(409, "board_closed", N_("Ce tableau est fermé : on ne peut plus le modifier."))
    row = json.loads(kept["note"])
    row["merged_into"] = _still_there(tx, row["merged_into"])
    if row["status"] == "merged" and row["merged_into"] is None:
        row["status"] = "hidden"
    # Its id comes back unless a note posted meanwhile took it (SQLite reuses the highest id).
    taken = tx.execute("SELECT 1 FROM forum_notes WHERE id = ?", (note_id,)).fetchone()
    names = ("id, " if not taken else "") + _COLUMNS
    values = ([note_id] if not taken else []) + [row[c.strip()] for c in _COLUMNS.split(",")]
    new_id = tx.execute(
        f"INSERT INTO forum_notes ({names}) VALUES ({', '.join('?' * len(values))}) RETURNING id", values
    ).fetchone()[0]
    for dot in json.loads(kept["dots"]):
        tx.execute(
            "INSERT INTO forum_votes (round_id, note_id, voter, created) "
            "SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM forum_rounds WHERE id = ?)",
            (dot["round_id"], new_id, dot["voter"], dot["created"], dot["round_id"]),
        )
    for child in json.loads(kept["regrouped"]):
        tx.execute(
            "UPDATE forum_notes SET status = 'merged', merged_into = ?, updated = ? "
            "WHERE id = ? AND board_id = ? AND status = 'hidden' AND merged_into IS NULL",
            (new_id, now, child, board_id),
        )
        if (note := reads.note(tx.db, child)) is not None:
            tx.change(changes.moderation_channel(board_id), changes.NOTE, reads.moderation_view(note))
    tx.execute("DELETE FROM forum_deleted_notes WHERE note_id = ?", (note_id,))
    restored = reads.note(tx.db, new_id)
    assert restored is not None, "inserted in this transaction"
    tx.change(changes.moderation_channel(board_id), changes.NOTE, reads.moderation_view(restored))
    if restored["status"] == "published":
        tx.change(changes.board_channel(board_id), changes.NOTE_PUBLISHED, reads.public_note(restored))
    votes.after_moderation_tx(tx, board_id)
    return reads.moderation_view(restored)


def _still_there(tx: Tx, note_id: int | None) -> int | None:
    if note_id is None:
        return None
    return note_id if tx.execute("SELECT 1 FROM forum_notes WHERE id = ?", (note_id,)).fetchone() else None


async def purge_forever(db: Any, every: float = 30.0) -> None:
    """Forget expired copies even when nothing else happens on the server (a background task):
    a deleted note's first name must not wait for the next post to go."""
    while True:
        await asyncio.sleep(every)
        try:
            waiting = await db.fetchone("SELECT 1 AS n FROM forum_deleted_notes LIMIT 1")
            if waiting:
                await db.write(lambda tx: purge_tx(tx, time.time()))
        except Exception:  # logged, retried at the next turn
            log.exception("purging deleted notes failed")
