"""What staff remove leaves the bus history too.

A note's text travels on `board:{id}` (public) and `moderation:{id}` (staff and the facilitator
link), and the `changes` table keeps it for clients that reconnect (14 days by default). When a
note is hidden, deleted, merged away, edited or anonymised by retention, the history rows that
carried it are rewritten in the same transaction: a public row says what is true now (the note's
current public state, or `note.removed`), vote rankings keep its dots but lose its text (or get
the new one), and a
deleted note's private rows become `note.deleted`. A client that replays the history then sees
what the wall shows, never what staff took away.
"""

from __future__ import annotations

import json
from typing import Any

from forum import changes, reads
from quartier.db import Tx, encode

_RANKED = (changes.ROUND_OPENED, changes.ROUND_CLOSED)


def rewrite_note(tx: Tx, board_id: int, note_id: int) -> None:
    """Make every history row about this note say its current state (or that it is gone)."""
    note = reads.note(tx.db, note_id)
    public = reads.public_note(note) if note and note["status"] == "published" else None
    _rewrite_public(tx, board_id, note_id, public)
    _rewrite_private(tx, board_id, note_id, reads.moderation_view(note) if note else None)


def rewrite_board(tx: Tx, board_id: int) -> None:
    """Every note of a board's history rewritten to its current state (after retention's purge)."""
    ids = {
        int(r[0])
        for r in tx.execute(
            "SELECT DISTINCT json_extract(data, '$.id') FROM changes WHERE channel IN (?, ?) AND type IN (?, ?)",
            (
                changes.board_channel(board_id),
                changes.moderation_channel(board_id),
                changes.NOTE_PUBLISHED,
                changes.NOTE,
            ),
        )
        if str(r[0]).isdigit()  # an id (SQLite gives it as a number, PostgreSQL's ->> as text)
    }
    for note_id in sorted(ids):
        rewrite_note(tx, board_id, note_id)
    _rewrite_rankings(tx, board_id, None)


def _rewrite_public(tx: Tx, board_id: int, note_id: int, public: dict[str, Any] | None) -> None:
    _rewrite_rows(tx, changes.board_channel(board_id), changes.NOTE_PUBLISHED, changes.NOTE_REMOVED, note_id, public)
    _rewrite_rankings(tx, board_id, {note_id: public})
    _rewrite_results(tx, board_id, note_id, public)


def _rewrite_results(tx: Tx, board_id: int, note_id: int, public: dict[str, Any] | None) -> None:
    """Closed rounds keep their ranking frozen, with texts: a removed note leaves it, an edit shows."""
    rows = tx.execute("SELECT id, results FROM forum_rounds WHERE board_id = ? AND results IS NOT NULL", (board_id,))
    for round_id, results in rows.fetchall():
        ranking = json.loads(results)
        kept = [_ranked(x, public) if x.get("note") == note_id else x for x in ranking]
        if kept != ranking:
            tx.execute("UPDATE forum_rounds SET results = ? WHERE id = ?", (encode(kept), round_id))


def _rewrite_rankings(tx: Tx, board_id: int, notes: dict[int, dict[str, Any] | None] | None) -> None:
    """Vote rounds carry a ranking with each note's text and author: keep them true too.
    `notes` maps note ids to their public state (None: gone); None means every note, read now."""
    rows = tx.execute(
        "SELECT seq, data FROM changes WHERE channel = ? AND type IN (?, ?)",
        (changes.board_channel(board_id), *_RANKED),
    ).fetchall()
    for seq, data in rows:
        round_ = json.loads(data)
        ranking = round_.get("ranking") or []
        kept = []
        for entry in ranking:
            note_id = entry.get("note")
            if notes is not None and note_id not in notes:
                kept.append(entry)
            else:
                kept.append(_ranked(entry, notes[note_id] if notes is not None else _public(tx, note_id)))
        if kept != ranking:
            tx.execute("UPDATE changes SET data = ? WHERE seq = ?", (encode({**round_, "ranking": kept}), seq))


def _ranked(entry: dict[str, Any], public: dict[str, Any] | None) -> dict[str, Any]:
    """A ranking's line for a note: its current text, or none at all once removed (the dots it got
    stay counted, so a closed round's result does not move)."""
    if public is None:
        return {**entry, "text": "", "author": "", "removed": True}
    return {**entry, "text": public["text"], "author": public["author"]}


def _public(tx: Tx, note_id: int) -> dict[str, Any] | None:
    note = reads.note(tx.db, note_id)
    return reads.public_note(note) if note and note["status"] == "published" else None


def _rewrite_private(tx: Tx, board_id: int, note_id: int, view: dict[str, Any] | None) -> None:
    """A deleted note's rows on the moderation channel become `note.deleted`; others keep its state."""
    _rewrite_rows(tx, changes.moderation_channel(board_id), changes.NOTE, changes.NOTE_DELETED, note_id, view)


def _rewrite_rows(tx: Tx, channel: str, kind: str, gone: str, note_id: int, now: dict[str, Any] | None) -> None:
    """The `kind` rows about a note on a channel: its state `now`, or `gone` with its id only."""
    rows = tx.execute(
        "SELECT seq FROM changes WHERE channel = ? AND type = ? AND CAST(json_extract(data, '$.id') AS INTEGER) = ?",
        (channel, kind, note_id),
    ).fetchall()
    for (seq,) in rows:
        if now is None:
            tx.execute("UPDATE changes SET type = ?, data = ? WHERE seq = ?", (gone, encode({"id": note_id}), seq))
        else:
            tx.execute("UPDATE changes SET data = ? WHERE seq = ?", (encode(now), seq))
