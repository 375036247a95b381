"""City-wide dot voting: one vote across every site of a forum, one budget per device for all of it.

Opening a city-wide round opens one ordinary round on each open board of the forum, all tied to
it (`forum_rounds.city_round`): each site's phones, tablets and wall keep working as they do, and
`votes.cast_tx` counts a voter's dots across the tied rounds, so a device that spent its budget at
Maurepas has none left at Cleunay. The city-wide ranking merges the sites' rankings.

Writes record `city_round.opened` / `city_round.closed` on `forum:{id}`; each board's own round
changes still go on its `board:{id}`.
"""

from __future__ import annotations

import time
from typing import Any

import sqlite_utils

from forum import changes, citywide, votes
from quartier.db import Tx
from quartier.errors import Problem
from quartier.i18n import N_


def city_round(db: sqlite_utils.Database, city_id: int) -> dict[str, Any] | None:
    row = db.conn.execute("SELECT * FROM forum_city_rounds WHERE id = ?", (city_id,)).fetchone()
    return dict(row) if row else None


def city_rounds(db: sqlite_utils.Database, forum_id: int) -> list[dict[str, Any]]:
    """Every city-wide round of a forum, oldest first, as public dicts with their merged ranking."""
    rows = db.conn.execute("SELECT * FROM forum_city_rounds WHERE forum_id = ? ORDER BY id", (forum_id,))
    return [public_city_round(db, dict(r)) for r in rows.fetchall()]


def current_city_round(db: sqlite_utils.Database, forum_id: int) -> dict[str, Any] | None:
    row = db.conn.execute(
        "SELECT id FROM forum_city_rounds WHERE forum_id = ? AND state = 'open' ORDER BY id DESC LIMIT 1", (forum_id,)
    ).fetchone()
    return city_round(db, row[0]) if row else None


def board_rounds(db: sqlite_utils.Database, city_id: int) -> list[dict[str, Any]]:
    """The sites' rounds tied to a city-wide round."""
    ids = [r[0] for r in db.conn.execute("SELECT id FROM forum_rounds WHERE city_round = ? ORDER BY id", (city_id,))]
    return [r for i in ids if (r := votes.round_(db, i))]


def city_ranking(db: sqlite_utils.Database, city_id: int) -> list[dict[str, Any]]:
    """Every site's notes by dots, each with its round and place: the city-wide ranking."""
    places = {}
    for board_id, site in db.conn.execute(
        "SELECT b.id, b.site FROM forum_boards b JOIN forum_rounds r ON r.board_id = b.id WHERE r.city_round = ?",
        (city_id,),
    ).fetchall():
        places[board_id] = citywide.place_of(db, site)
    rows: list[dict[str, Any]] = []
    for r in board_rounds(db, city_id):
        place = places.get(r["board_id"], "")
        rows += [{**row, "round": r["id"], "board": r["board_id"], "place": place} for row in votes.ranking(db, r)]
    rows.sort(key=lambda row: -row["votes"])  # a stable sort: the sites' order breaks ties
    return rows


def public_city_round(db: sqlite_utils.Database, c: dict[str, Any]) -> dict[str, Any]:
    dots, voters = db.conn.execute(
        "SELECT count(*), count(DISTINCT voter) FROM forum_votes v JOIN forum_rounds r ON r.id = v.round_id "
        "WHERE r.city_round = ?",
        (c["id"],),
    ).fetchone()
    return {
        "id": c["id"],
        "forum": c["forum_id"],
        "title": c["title"],
        "budget": c["budget"],
        "state": c["state"],
        "opened": c["opened"],
        "closed": c["closed"],
        "rounds": [r["id"] for r in board_rounds(db, c["id"])],
        "dots": dots,
        "voters": voters,
        "ranking": city_ranking(db, c["id"]),
    }


def open_city_round_tx(
    tx: Tx, forum_id: int, *, title: str, budget: int = 3, stack: bool = False, now: float | None = None
) -> dict[str, Any]:
    """Open one round on every open board of the forum, all sharing one budget per device."""
    now = time.time() if now is None else now
    f = citywide.forum(tx.db, forum_id)
    if f is None:
        raise Problem(404, "not_found", N_("Ce forum n'existe pas."))
    if f["state"] != "open":
        raise Problem(409, "forum_closed", N_("Ce forum est clos."))
    if current_city_round(tx.db, forum_id):
        raise Problem(409, "round_open", N_("Un vote est déjà en cours sur ce forum : clôturez-le d'abord."))
    city_id = tx.execute(
        "INSERT INTO forum_city_rounds (forum_id, title, budget, state, opened) VALUES (?, ?, ?, 'open', ?) "
        "RETURNING id",
        (forum_id, title, budget, now),
    ).fetchone()[0]
    for b in f["boards"]:
        if b["state"] == "open":
            r = votes.open_round_tx(tx, b["id"], title=title, budget=budget, stack=stack, now=now)
            tx.execute("UPDATE forum_rounds SET city_round = ? WHERE id = ?", (city_id, r["id"]))
    public = public_city_round(tx.db, city_round(tx.db, city_id) or {})
    tx.change(changes.forum_channel(forum_id), changes.CITY_ROUND_OPENED, public)
    return public


def close_city_round_tx(tx: Tx, city_id: int, now: float | None = None) -> dict[str, Any]:
    """Close every site's round of it: each ranking is frozen, and so is the city-wide one."""
    now = time.time() if now is None else now
    c = city_round(tx.db, city_id)
    if c is None:
        raise Problem(404, "not_found", N_("Ce vote n'existe pas."))
    if c["state"] == "closed":
        raise Problem(409, "round_closed", N_("Ce vote est déjà clos."))
    for r in board_rounds(tx.db, city_id):
        if r["state"] == "open":
            votes.close_round_tx(tx, r["id"], now)
    tx.execute("UPDATE forum_city_rounds SET state = 'closed', closed = ? WHERE id = ?", (now, city_id))
    public = public_city_round(tx.db, city_round(tx.db, city_id) or {})
    tx.change(changes.forum_channel(c["forum_id"]), changes.CITY_ROUND_CLOSED, public)
    return public
