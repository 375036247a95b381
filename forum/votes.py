"""Dot voting (*gommettes*): rounds on a board, a budget of dots per participant, live counts.

A facilitator opens a round on a board (a budget, whether several dots may go on one
note, an optional end time); residents put dots on published notes from their phone
(one budget per device cookie) or from a shared tablet, where each *voter turn* is a
fresh budget for the next person. Closing a round freezes its ranking with its counts;
every round of a board is kept (e.g. "besoins" then "actions").

Votes count per note; a dot on a note that is later merged counts for the note that
absorbed it (merges are flat: `merged_into` always names a note that is not merged).

Writes (`*_tx`, on the writer thread) record on the public channel `board:{id}`:
`round.opened` (the round and its ranking), `vote.cast` (one note's new count and the
round's totals: never who voted), `votes.updated` (every count, after a merge or a
deletion), `round.closed` (the frozen ranking).
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

MAX_BUDGET = 20
MAX_ROUND_TITLE = 80
# How long the wall keeps showing a closed round's result before going back to the notes.
RESULTS_SHOWN = 600

# -- who votes


def device_voter(device: str) -> str:
    """A phone's voter id: a hash of its device cookie, never the cookie itself."""
    return "d:" + hashlib.sha256(f"forum-vote:{device}".encode()).hexdigest()[:32]


def turn_voter(turn: str) -> str:
    return f"turn:{turn}"


# -- reads


def _round(row: Any) -> dict[str, Any] | None:
    if row is None:
        return None
    r = dict(row)
    r["stack"] = bool(r["stack"])
    r["results"] = json.loads(r["results"]) if r["results"] else None
    return r


def is_open(r: dict[str, Any], now: float | None = None) -> bool:
    """A round takes dots while it is open and its end time (if any) has not passed."""
    now = time.time() if now is None else now
    return r["state"] == "open" and (r["ends"] is None or r["ends"] > now)


def round_(db: sqlite_utils.Database, round_id: int) -> dict[str, Any] | None:
    return _round(db.conn.execute("SELECT * FROM forum_rounds WHERE id = ?", (round_id,)).fetchone())


def current_round(db: sqlite_utils.Database, board_id: int, now: float | None = None) -> dict[str, Any] | None:
    """The board's round taking dots now, or None."""
    row = db.conn.execute(
        "SELECT * FROM forum_rounds WHERE board_id = ? AND state = 'open' ORDER BY id DESC LIMIT 1", (board_id,)
    ).fetchone()
    r = _round(row)
    return r if r and is_open(r, now) else None


def shown_round(db: sqlite_utils.Database, board_id: int, now: float | None = None) -> dict[str, Any] | None:
    """The round the wall shows as a ranking: the open one, or one closed in the last minutes."""
    now = time.time() if now is None else now
    r = _round(
        db.conn.execute(
            "SELECT * FROM forum_rounds WHERE board_id = ? ORDER BY id DESC LIMIT 1", (board_id,)
        ).fetchone()
    )
    if r is None:
        return None
    if is_open(r, now):
        return r
    ended = r["closed"] or r["ends"] or 0
    return r if now - ended < RESULTS_SHOWN else None


def counts(db: sqlite_utils.Database, round_id: int) -> dict[int, int]:
    """Dots per note in a round, each note's merged duplicates included."""
    rows = db.conn.execute(
        "SELECT coalesce(n.merged_into, n.id) AS target, count(*) FROM forum_votes v "
        "JOIN forum_notes n ON n.id = v.note_id WHERE v.round_id = ? GROUP BY target",
        (round_id,),
    )
    return {target: n for target, n in rows}


def totals(db: sqlite_utils.Database, round_id: int) -> dict[str, int]:
    """How many dots were put and by how many voters (phones and tablet turns)."""
    dots, voters = db.conn.execute(
        "SELECT count(*), count(DISTINCT voter) FROM forum_votes WHERE round_id = ?", (round_id,)
    ).fetchone()
    return {"dots": dots, "voters": voters}


def ranking(db: sqlite_utils.Database, r: dict[str, Any]) -> list[dict[str, Any]]:
    """The round's ranking: the frozen one once closed, else the board's published notes by dots."""
    if r["state"] == "closed" and r["results"] is not None:
        return r["results"]
    by_note = counts(db, r["id"])
    notes = reads.public_notes(db, r["board_id"])
    order = {n["id"]: i for i, n in enumerate(notes)}
    rows = [
        {
            "note": n["id"],
            "text": n["text"],
            "theme": n["theme"],
            "author": n["author"],
            "votes": by_note.get(n["id"], 0),
        }
        for n in notes
    ]
    rows.sort(key=lambda row: (-row["votes"], order[row["note"]]))
    return rows


def public_round(db: sqlite_utils.Database, r: dict[str, Any], now: float | None = None) -> dict[str, Any]:
    """A round as anyone may see it: settings, state, totals and ranking (no voter ids)."""
    return {
        "id": r["id"],
        "board": r["board_id"],
        "title": r["title"],
        "budget": r["budget"],
        "stack": r["stack"],
        "ends": r["ends"],
        "state": "open" if is_open(r, now) else "closed",
        "opened": r["opened"],
        "closed": r["closed"],
        "frozen": r["results"] is not None,
        **totals(db, r["id"]),
        "ranking": ranking(db, r),
    }


def rounds(db: sqlite_utils.Database, board_id: int, now: float | None = None) -> list[dict[str, Any]]:
    """Every round of a board, oldest first, as public dicts (for the minutes and the API)."""
    rows = db.conn.execute("SELECT * FROM forum_rounds WHERE board_id = ? ORDER BY id", (board_id,)).fetchall()
    return [public_round(db, _round(row), now) for row in rows]  # type: ignore[arg-type]  # _round of a fetched row is never None


def used(db: sqlite_utils.Database, round_id: int, voter: str) -> int:
    return db.conn.execute(
        "SELECT count(*) FROM forum_votes WHERE round_id = ? AND voter = ?", (round_id, voter)
    ).fetchone()[0]


def spent(db: sqlite_utils.Database, r: dict[str, Any], voter: str) -> int:
    """Dots a voter has put in a round; in a city-wide round, across every site's board of it."""
    if not r.get("city_round"):
        return used(db, r["id"], voter)
    return db.conn.execute(
        "SELECT count(*) FROM forum_votes v JOIN forum_rounds r ON r.id = v.round_id "
        "WHERE r.city_round = ? AND v.voter = ?",
        (r["city_round"], voter),
    ).fetchone()[0]


def mine(db: sqlite_utils.Database, round_id: int, voter: str) -> dict[int, int]:
    """A voter's dots per note (merged duplicates counted on the note that absorbed them)."""
    rows = db.conn.execute(
        "SELECT coalesce(n.merged_into, n.id) AS target, count(*) FROM forum_votes v "
        "JOIN forum_notes n ON n.id = v.note_id WHERE v.round_id = ? AND v.voter = ? GROUP BY target",
        (round_id, voter),
    )
    return {target: n for target, n in rows}


def turn(db: sqlite_utils.Database, turn_id: str) -> dict[str, Any] | None:
    row = db.conn.execute("SELECT * FROM forum_turns WHERE id = ?", (turn_id,)).fetchone()
    return dict(row) if row else None


# -- writes


def _freeze(tx: Tx, r: dict[str, Any], now: float) -> list[dict[str, Any]]:
    results = ranking(tx.db, {**r, "state": "open"})
    tx.execute(
        "UPDATE forum_rounds SET state = 'closed', closed = ?, results = ? WHERE id = ?",
        (now, json.dumps(results, ensure_ascii=False), r["id"]),
    )
    return results


def open_round_tx(
    tx: Tx,
    board_id: int,
    *,
    title: str,
    budget: int = 3,
    stack: bool = False,
    ends: float | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """Open a voting round on an open board; refused while another round is taking dots."""
    now = time.time() if now is None else now
    board = reads.board(tx.db, board_id)
    if board is None:
        raise Problem(404, "not_found", N_("Ce tableau n'existe pas."))
    if board["state"] != "open":
        raise Problem(409, "board_closed", N_("Ce tableau est fermé : on ne peut plus le modifier."))
    if not 1 <= budget <= MAX_BUDGET:
        raise Problem(422, "invalid_budget", N_("Le nombre de gommettes va de 1 à {max}."), max=MAX_BUDGET)
    if ends is not None and ends <= now:
        raise Problem(422, "invalid_end", N_("L'heure de fin doit être dans le futur."))
    if current_round(tx.db, board_id, now):
        raise Problem(409, "round_open", N_("Un vote est déjà en cours sur ce tableau : clôturez-le d'abord."))
    # A round whose end time passed is still 'open' in the table: freeze it now.
    for row in tx.execute("SELECT * FROM forum_rounds WHERE board_id = ? AND state = 'open'", (board_id,)).fetchall():
        _freeze(tx, _round(row), now)  # type: ignore[arg-type]  # _round of a fetched row is never None
    round_id = tx.execute(
        "INSERT INTO forum_rounds (board_id, title, budget, stack, ends, state, opened) "
        "VALUES (?, ?, ?, ?, ?, 'open', ?) RETURNING id",
        (board_id, title, budget, 1 if stack else 0, ends, now),
    ).fetchone()[0]
    public = public_round(tx.db, round_(tx.db, round_id), now)  # type: ignore[arg-type]  # the round this transaction wrote
    tx.change(changes.board_channel(board_id), changes.ROUND_OPENED, public)
    return public


def close_round_tx(tx: Tx, round_id: int, now: float | None = None) -> dict[str, Any]:
    """Close a round: its ranking is frozen with its counts, whatever happens to the notes later."""
    now = time.time() if now is None else now
    r = round_(tx.db, round_id)
    if r is None:
        raise Problem(404, "not_found", N_("Ce vote n'existe pas."))
    if r["state"] == "closed":
        raise Problem(409, "round_closed", N_("Ce vote est déjà clos."))
    _freeze(tx, r, now)
    public = public_round(tx.db, round_(tx.db, round_id), now)  # type: ignore[arg-type]  # the round this transaction wrote
    tx.change(changes.board_channel(r["board_id"]), changes.ROUND_CLOSED, public)
    return public


# Abuse on a shared tablet: a new turn is a new budget. A turn is only handed out by the
# tablet's own page (it needs the board's kiosk key), is bound to that tablet's device, and a
# new one is refused while the current turn has not put a single dot (pressing "next voter"
# again and again gives nothing). The views also rate-limit turns per tablet.


def new_turn_tx(tx: Tx, board_id: int, device: str, now: float | None = None) -> dict[str, Any]:
    """A voter turn on a tablet: {"turn", "round", "budget", "fresh"} (fresh False: the unused one again)."""
    now = time.time() if now is None else now
    r = current_round(tx.db, board_id, now)
    if r is None:
        raise Problem(409, "no_round", N_("Aucun vote n'est ouvert sur ce tableau en ce moment."))
    last = tx.execute(
        "SELECT id, created FROM forum_turns WHERE round_id = ? AND device = ? ORDER BY created DESC LIMIT 1",
        (r["id"], device),
    ).fetchone()
    if last and used(tx.db, r["id"], turn_voter(last[0])) == 0:
        return {"turn": last[0], "round": r["id"], "budget": r["budget"], "fresh": False}
    turn_id = secrets.token_urlsafe(12)
    # A tablet's turns never share a time (a fixed clock would make them), so the latest is the last made.
    created = now if last is None else max(now, last[1] + 1e-6)
    tx.execute(
        "INSERT INTO forum_turns (id, round_id, device, created) VALUES (?, ?, ?, ?)",
        (turn_id, r["id"], device, created),
    )
    return {"turn": turn_id, "round": r["id"], "budget": r["budget"], "fresh": True}


def voter_of(db: sqlite_utils.Database, *, device: str, turn_id: str | None, round_id: int) -> str:
    """Who is voting: the tablet turn when one is given (it must belong to this tablet and round)."""
    if not turn_id:
        return device_voter(device)
    t = turn(db, turn_id) if isinstance(turn_id, str) and len(turn_id) <= 64 else None
    if t is None or t["device"] != device_voter(device) or t["round_id"] != round_id:
        raise Problem(409, "invalid_turn", N_("Ce tour de vote n'est plus valable : appuyez sur « Nouveau votant »."))
    return turn_voter(turn_id)


def over_budget(budget: int) -> Problem:
    """ "Vos 3 gommettes" but "votre gommette": a Problem's message has no plural forms of its own."""
    if budget == 1:
        return Problem(409, "over_budget", N_("Vous avez déjà posé votre gommette."))
    return Problem(409, "over_budget", N_("Vous avez déjà posé vos {budget} gommettes."), budget=budget)


def cast_tx(
    tx: Tx,
    note_id: int,
    *,
    device: str,
    turn_id: str | None = None,
    round_id: int | None = None,
    remove: bool = False,
    now: float | None = None,
) -> dict[str, Any]:
    """Put (or take back) one dot on a note; returns the note's count and the voter's budget left."""
    now = time.time() if now is None else now
    note = reads.note(tx.db, note_id)
    if note is None:
        raise Problem(404, "not_found", N_("Cette note n'existe pas."))
    if note["status"] == "merged" and note["merged_into"]:
        note = reads.note(tx.db, note["merged_into"]) or note
    board_id = note["board_id"]
    r = current_round(tx.db, board_id, now)
    if r is None or (round_id is not None and r["id"] != round_id):
        raise Problem(409, "no_round", N_("Aucun vote n'est ouvert sur ce tableau en ce moment."))
    if note["status"] != "published":
        raise Problem(409, "not_on_wall", N_("Cette note n'est pas au mur : on ne peut pas voter pour elle."))
    voter = voter_of(tx.db, device=device, turn_id=turn_id, round_id=r["id"])
    spent_before = spent(tx.db, r, voter)
    on_note = mine(tx.db, r["id"], voter).get(note["id"], 0)
    if remove:
        if not on_note:
            raise Problem(409, "no_dot", N_("Vous n'avez pas de gommette sur cette note."))
        tx.execute(
            "DELETE FROM forum_votes WHERE id = (SELECT v.id FROM forum_votes v JOIN forum_notes n ON n.id = v.note_id "
            "WHERE v.round_id = ? AND v.voter = ? AND coalesce(n.merged_into, n.id) = ? ORDER BY v.id DESC LIMIT 1)",
            (r["id"], voter, note["id"]),
        )
        spent_now, on_note = spent_before - 1, on_note - 1
    else:
        if spent_before >= r["budget"]:
            raise over_budget(r["budget"])
        if on_note and not r["stack"]:
            raise Problem(409, "one_per_note", N_("Une seule gommette par note dans ce vote."))
        tx.execute(
            "INSERT INTO forum_votes (round_id, note_id, voter, created) VALUES (?, ?, ?, ?)",
            (r["id"], note["id"], voter, now),
        )
        spent_now, on_note = spent_before + 1, on_note + 1
    votes = counts(tx.db, r["id"]).get(note["id"], 0)
    tx.change(
        changes.board_channel(board_id),
        changes.VOTE_CAST,
        {"round": r["id"], "note": note["id"], "votes": votes, **totals(tx.db, r["id"])},
    )
    return {
        "round": r["id"],
        "note": note["id"],
        "votes": votes,
        "used": spent_now,
        "left": r["budget"] - spent_now,
        "mine": on_note,
        "budget": r["budget"],
    }


def after_moderation_tx(tx: Tx, board_id: int) -> None:
    """After a merge, deletion or hide during a round, the wall gets every count again."""
    r = current_round(tx.db, board_id)
    if r is not None:
        tx.change(
            changes.board_channel(board_id),
            changes.VOTES_UPDATED,
            {
                "round": r["id"],
                "counts": {str(k): v for k, v in counts(tx.db, r["id"]).items()},
                **totals(tx.db, r["id"]),
            },
        )
