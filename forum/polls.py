"""Polls with pictogram answers: a facilitator asks a question with 2 to 6 answers, each a
pictogram and a word; residents answer from their phone (one answer per device, which they may
change) or on the shared tablet (each tap one answer, for the next person). The results stay
hidden, to residents and to the wall, until the facilitator reveals them.

Writes record on the public `board:{id}`: `poll.opened` (the question and answers, no counts),
`poll.answered` (how many answered: never what), `poll.revealed` (the counts), `poll.closed`.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from typing import Any

import sqlite_utils

from forum import changes, reads
from quartier.db import Tx
from quartier.errors import Problem
from quartier.i18n import N_

# The pictograms an answer can have (forum/templates/forum/_icons.html draws them).
ICONS = ("oui", "non", "peut-etre", "content", "neutre", "mecontent", "acces-libre", "accompagnement", "droits", "idee")
MAX_QUESTION = 160
MAX_LABEL = 40
MIN_OPTIONS, MAX_OPTIONS = 2, 6


def device_voter(device: str) -> str:
    """A phone's answerer id: a hash of its device cookie (never the cookie)."""
    return "d:" + hashlib.sha256(f"forum-poll:{device}".encode()).hexdigest()[:32]


def _poll(row: Any) -> dict[str, Any] | None:
    if row is None:
        return None
    p = dict(row)
    p["options"] = json.loads(p["options"])
    p["revealed"] = bool(p["revealed"])
    return p


def poll(db: sqlite_utils.Database, poll_id: int) -> dict[str, Any] | None:
    return _poll(db.conn.execute("SELECT * FROM forum_polls WHERE id = ?", (poll_id,)).fetchone())


def shown_poll(db: sqlite_utils.Database, board_id: int) -> dict[str, Any] | None:
    """The board's newest poll while open, or closed but revealed: what the wall and phones show."""
    p = _poll(
        db.conn.execute("SELECT * FROM forum_polls WHERE board_id = ? ORDER BY id DESC LIMIT 1", (board_id,)).fetchone()
    )
    return p if p and (p["state"] == "open" or p["revealed"]) else None


def polls(db: sqlite_utils.Database, board_id: int) -> list[dict[str, Any]]:
    rows = db.conn.execute("SELECT * FROM forum_polls WHERE board_id = ? ORDER BY id", (board_id,)).fetchall()
    return [p for r in rows if (p := _poll(r))]


def counts(db: sqlite_utils.Database, poll_id: int) -> list[int]:
    p = poll(db, poll_id)
    out = [0] * len(p["options"]) if p else []
    for choice, n in db.conn.execute(
        "SELECT choice, count(*) FROM forum_poll_answers WHERE poll_id = ? GROUP BY choice", (poll_id,)
    ):
        if 0 <= choice < len(out):
            out[choice] = n
    return out


def answered(db: sqlite_utils.Database, poll_id: int) -> int:
    return db.conn.execute("SELECT count(*) FROM forum_poll_answers WHERE poll_id = ?", (poll_id,)).fetchone()[0]


def mine(db: sqlite_utils.Database, poll_id: int, voter: str) -> int | None:
    row = db.conn.execute(
        "SELECT choice FROM forum_poll_answers WHERE poll_id = ? AND voter = ?", (poll_id, voter)
    ).fetchone()
    return row[0] if row else None


def public_poll(db: sqlite_utils.Database, p: dict[str, Any], *, with_counts: bool = False) -> dict[str, Any]:
    """A poll as anyone sees it: its counts only once revealed (or `with_counts`, for its facilitators)."""
    shown = p["revealed"] or with_counts
    return {
        "id": p["id"],
        "board": p["board_id"],
        "question": p["question"],
        "options": p["options"],
        "state": p["state"],
        "revealed": p["revealed"],
        "answers": answered(db, p["id"]),
        "counts": counts(db, p["id"]) if shown else None,
    }


def wall_poll(db: sqlite_utils.Database, board_id: int) -> dict[str, Any] | None:
    """The poll a wall or phone shows now: its counts only once revealed."""
    p = shown_poll(db, board_id)
    return public_poll(db, p) if p else None


# -- writes


def open_poll_tx(
    tx: Tx, board_id: int, *, question: str, options: list[dict[str, str]], now: float | None = None
) -> dict:
    now = time.time() if now is None else now
    board = reads.board(tx.db, board_id)
    if board is None:
        raise Problem(404, "not_found", N_("Ce tableau n'existe pas."))
    if board["state"] != "open":
        raise Problem(409, "board_closed", N_("Ce tableau est fermé : on ne peut plus le modifier."))
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise Problem(422, "invalid_field", N_("Un sondage a de 2 à 6 réponses."), field="options")
    if tx.execute("SELECT 1 FROM forum_polls WHERE board_id = ? AND state = 'open'", (board_id,)).fetchone():
        raise Problem(409, "poll_open", N_("Un sondage est déjà ouvert sur ce tableau : clôturez-le d'abord."))
    poll_id = tx.execute(
        "INSERT INTO forum_polls (board_id, question, options, state, created) VALUES (?, ?, ?, 'open', ?) RETURNING id",
        (board_id, question, json.dumps(options, ensure_ascii=False), now),
    ).fetchone()[0]
    public = public_poll(tx.db, poll(tx.db, poll_id) or {})
    tx.change(changes.board_channel(board_id), changes.POLL_OPENED, public)
    return public


def answer_tx(tx: Tx, poll_id: int, *, voter: str | None, choice: int, now: float | None = None) -> dict[str, Any]:
    """One answer: a device's (replacing its earlier one), or a tablet tap's (`voter` None: a new one)."""
    now = time.time() if now is None else now
    p = poll(tx.db, poll_id)
    if p is None:
        raise Problem(404, "not_found", N_("Ce sondage n'existe pas."))
    if p["state"] != "open":
        raise Problem(409, "poll_closed", N_("Ce sondage est clos."))
    if not 0 <= choice < len(p["options"]):
        raise Problem(422, "invalid_field", N_("Cette réponse n'existe pas."), field="choice")
    who = voter or f"tablet:{secrets.token_hex(8)}"
    tx.execute(
        "INSERT INTO forum_poll_answers (poll_id, voter, choice, created) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (poll_id, voter) DO UPDATE SET choice = excluded.choice, created = excluded.created",
        (poll_id, who, choice, now),
    )
    data: dict[str, Any] = {"poll": poll_id, "answers": answered(tx.db, poll_id)}
    if p["revealed"]:
        data["counts"] = counts(tx.db, poll_id)
    tx.change(changes.board_channel(p["board_id"]), changes.POLL_ANSWERED, data)
    return {"poll": poll_id, "choice": choice, "answers": data["answers"]}


def reveal_tx(tx: Tx, poll_id: int) -> dict[str, Any]:
    p = poll(tx.db, poll_id)
    if p is None:
        raise Problem(404, "not_found", N_("Ce sondage n'existe pas."))
    tx.execute("UPDATE forum_polls SET revealed = 1 WHERE id = ?", (poll_id,))
    public = public_poll(tx.db, poll(tx.db, poll_id) or {})
    tx.change(changes.board_channel(p["board_id"]), changes.POLL_REVEALED, public)
    return public


def close_tx(tx: Tx, poll_id: int, now: float | None = None) -> dict[str, Any]:
    p = poll(tx.db, poll_id)
    if p is None:
        raise Problem(404, "not_found", N_("Ce sondage n'existe pas."))
    tx.execute(
        "UPDATE forum_polls SET state = 'closed', closed = ? WHERE id = ?",
        (time.time() if now is None else now, poll_id),
    )
    public = public_poll(tx.db, poll(tx.db, poll_id) or {})
    tx.change(changes.board_channel(p["board_id"]), changes.POLL_CLOSED, public)
    return public
