"""The partners' meetings (GT ESC and its special sessions): series of dated meetings, the
organisations present, agenda items and their outcomes, and open actions carried over.

An action left open at a meeting is carried to every later meeting of its series as an agenda
item naming the original (`carried_from`), until someone marks it done, at any of them: done is
kept on the original only, so the decision log lists each action once.

Writes (`*_tx`, on the writer thread) record `meeting.updated` (the meeting's id and state only)
on the public `meetings` channel; pages and clients fetch what they may see.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import sqlite_utils

from events import queries as programme
from forum import queries as forums
from quartier.db import Tx
from quartier.errors import Problem
from quartier.i18n import N_
from reports import changes

OUTCOMES = ("decision", "information", "action")
STATES = ("planned", "held")
MAX_TITLE = 200
MAX_TEXT = 2000
MAX_WHO = 120
MAX_ITEMS = 40
MAX_ATTENDEES = 60


# -- reads


def series_list(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every series by title, with its number of meetings."""
    rows = db.conn.execute(
        "SELECT s.id, s.title, (SELECT count(*) FROM meetings m WHERE m.series_id = s.id) AS meetings "
        "FROM meeting_series s ORDER BY s.title"
    )
    return [dict(r) for r in rows]


def meetings(
    db: sqlite_utils.Database, *, series_id: int | None = None, held_only: bool = False
) -> list[dict[str, Any]]:
    """Meetings, newest first (without their items), optionally of one series; `held_only` for the public."""
    where, params = [], []
    if series_id is not None:
        where.append("m.series_id = ?")
        params.append(series_id)
    if held_only:
        where.append("m.state = 'held'")
    sql = (
        "SELECT m.*, s.title AS series FROM meetings m JOIN meeting_series s ON s.id = m.series_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY m.day DESC, m.id DESC"
    )
    return [dict(r) for r in db.conn.execute(sql, params)]


def meeting(db: sqlite_utils.Database, meeting_id: int) -> dict[str, Any] | None:
    """One meeting with its attendees and agenda items (each carried action with its original's state)."""
    row = db.conn.execute(
        "SELECT m.*, s.title AS series FROM meetings m JOIN meeting_series s ON s.id = m.series_id WHERE m.id = ?",
        (meeting_id,),
    ).fetchone()
    if row is None:
        return None
    m = dict(row)
    m["attendees"] = [
        dict(r)
        for r in db.conn.execute(
            "SELECT name, partner_id FROM meeting_attendees WHERE meeting_id = ? ORDER BY name COLLATE NOCASE",
            (meeting_id,),
        )
    ]
    m["items"] = [
        _item(db, dict(r))
        for r in db.conn.execute(ITEM_SQL + " WHERE i.meeting_id = ? ORDER BY i.position, i.id", (meeting_id,))
    ]
    return m


ITEM_SQL = """SELECT i.*, o.text AS origin_text, o.who AS origin_who, o.due AS origin_due, o.done AS origin_done,
                     om.day AS origin_day
              FROM meeting_items i
              LEFT JOIN meeting_items o ON o.id = i.carried_from
              LEFT JOIN meetings om ON om.id = o.meeting_id"""


def _item(db: sqlite_utils.Database, i: dict[str, Any]) -> dict[str, Any]:
    """An item as pages show it: a carried action says what, who, by when and whether it is done."""
    i["carried"] = i["carried_from"] is not None
    if i["carried"]:
        i["done"] = i["origin_done"]
    i["status"] = ("done" if i["done"] else "open") if i["outcome"] == "action" or i["carried"] else ""
    note = forums.note(db, i["forum_note"]) if i["forum_note"] else None
    i["forum"] = forums.public_note(note) if note and note["status"] == "published" else None
    return i


def item(db: sqlite_utils.Database, item_id: int) -> dict[str, Any] | None:
    row = db.conn.execute(ITEM_SQL + " WHERE i.id = ?", (item_id,)).fetchone()
    return _item(db, dict(row)) if row else None


def open_actions(db: sqlite_utils.Database, series_id: int, before: str) -> list[dict[str, Any]]:
    """Original actions of a series decided at meetings before a day and not done yet."""
    rows = db.conn.execute(
        "SELECT i.* FROM meeting_items i JOIN meetings m ON m.id = i.meeting_id WHERE m.series_id = ? AND m.day < ? "
        "AND i.outcome = 'action' AND i.carried_from IS NULL AND i.done IS NULL ORDER BY m.day, i.position, i.id",
        (series_id, before),
    )
    return [dict(r) for r in rows]


def public_meeting(m: dict[str, Any]) -> dict[str, Any]:
    items = [
        {
            "id": i["id"],
            "title": i["title"],
            "outcome": i["outcome"] or None,
            "text": i["text"],
            "who": i["who"] or (i["origin_who"] if i["carried"] else ""),
            "due": i["due"] or (i["origin_due"] if i["carried"] else None),
            "status": i["status"] or None,
            "carried_from": i["carried_from"],
            "forum_note": i["forum_note"],
        }
        for i in m.get("items", [])
    ]
    out = {k: m[k] for k in ("id", "series", "day", "place", "site", "state")}
    out["series_id"] = m["series_id"]
    if "attendees" in m:
        out["attendees"] = [a["name"] for a in m["attendees"]]
        out["items"] = items
    return out


# -- writes


def _changed(tx: Tx, meeting_id: int) -> None:
    row = tx.execute("SELECT state FROM meetings WHERE id = ?", (meeting_id,)).fetchone()
    tx.change(changes.MEETINGS, changes.MEETING_UPDATED, {"id": meeting_id, "state": row[0] if row else None})


def series_tx(tx: Tx, title: str, now: float | None = None) -> int:
    """The series of that title, made when it is new."""
    row = tx.execute("SELECT id FROM meeting_series WHERE title = ?", (title,)).fetchone()
    if row:
        return int(row[0])
    now = time.time() if now is None else now
    return int(
        tx.execute("INSERT INTO meeting_series (title, created) VALUES (?, ?) RETURNING id", (title, now)).fetchone()[0]
    )


def create_meeting_tx(
    tx: Tx,
    *,
    series: str,
    day: dt.date,
    place: str = "",
    site: str | None = None,
    attendees: list[str] = (),  # type: ignore[assignment]
    agenda: list[str] = (),  # type: ignore[assignment]
    now: float | None = None,
) -> dict[str, Any]:
    """A meeting of a series (made when new), its agenda, and the series' open actions carried onto it."""
    now = time.time() if now is None else now
    if site and programme.site(tx.db, site) is None:
        raise Problem(422, "unknown_site", N_("Ce lieu n'existe pas dans le programme."), field="site")
    series_id = series_tx(tx, series, now)
    meeting_id = tx.execute(
        "INSERT INTO meetings (series_id, day, place, site, created) VALUES (?, ?, ?, ?, ?) RETURNING id",
        (series_id, day.isoformat(), place, site, now),
    ).fetchone()[0]
    set_attendees_tx(tx, meeting_id, list(attendees), emit=False)
    for title in agenda:
        add_item_tx(tx, meeting_id, title=title, now=now, emit=False)
    carry_tx(tx, meeting_id, now)
    _changed(tx, meeting_id)
    return {"id": meeting_id, "series_id": series_id}


def carry_tx(tx: Tx, meeting_id: int, now: float | None = None) -> None:
    """Put on a meeting's agenda every open action of its series decided before it, once."""
    now = time.time() if now is None else now
    m = tx.execute("SELECT series_id, day FROM meetings WHERE id = ?", (meeting_id,)).fetchone()
    carried = {r[0] for r in tx.execute("SELECT carried_from FROM meeting_items WHERE meeting_id = ?", (meeting_id,))}
    for action in open_actions(tx.db, m["series_id"], m["day"]):
        if action["id"] not in carried:
            title = action["text"] or action["title"]
            add_item_tx(tx, meeting_id, title=title, carried_from=action["id"], now=now, emit=False)


def _meeting_or_404(tx: Tx, meeting_id: int) -> dict[str, Any]:
    row = tx.execute("SELECT * FROM meetings WHERE id = ?", (meeting_id,)).fetchone()
    if row is None:
        raise Problem(404, "not_found", N_("Cette réunion n'existe pas."))
    return dict(row)


def set_attendees_tx(tx: Tx, meeting_id: int, names: list[str], emit: bool = True) -> None:
    """The organisations present: a name of the partners registry (its short name or key too) is linked to it."""
    _meeting_or_404(tx, meeting_id)
    tx.execute("DELETE FROM meeting_attendees WHERE meeting_id = ?", (meeting_id,))
    known = {}
    for p in programme.partners(tx.db):
        for label in (p["name"], p.get("short_name"), p["key"]):
            if label:
                known[str(label).casefold()] = p
    for name in dict.fromkeys(n.strip() for n in names if n.strip()):
        found = known.get(name.casefold())
        tx.execute(
            "INSERT OR IGNORE INTO meeting_attendees (meeting_id, partner_id, name) VALUES (?, ?, ?)",
            (meeting_id, found["id"] if found else None, found["name"] if found else name),
        )
    if emit:
        _changed(tx, meeting_id)


def add_item_tx(
    tx: Tx,
    meeting_id: int,
    *,
    title: str,
    forum_note: int | None = None,
    carried_from: int | None = None,
    now: float | None = None,
    emit: bool = True,
) -> int:
    """An agenda item at the end of a meeting's agenda; `forum_note` links a forum decision discussed."""
    now = time.time() if now is None else now
    _meeting_or_404(tx, meeting_id)
    if forum_note is not None:
        note = forums.note(tx.db, forum_note)
        if note is None or note["kind"] == "note" or note["status"] != "published":
            raise Problem(
                422, "invalid_field", N_("Choisissez une décision ou une action d'un forum."), field="forum_note"
            )
    count = tx.execute("SELECT count(*) FROM meeting_items WHERE meeting_id = ?", (meeting_id,)).fetchone()[0]
    if count >= MAX_ITEMS:
        raise Problem(422, "too_many", N_("Une réunion a {n} points au plus."), n=MAX_ITEMS)
    item_id = tx.execute(
        "INSERT INTO meeting_items (meeting_id, position, title, carried_from, forum_note, created) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (meeting_id, count, title, carried_from, forum_note, now),
    ).fetchone()[0]
    if emit:
        _changed(tx, meeting_id)
    return int(item_id)


def set_outcome_tx(
    tx: Tx, item_id: int, *, outcome: str, text: str, who: str = "", due: str | None = None, now: float | None = None
) -> dict[str, Any]:
    """Record an item's outcome. A new action goes onto the agendas of the series' later meetings."""
    i = item(tx.db, item_id)
    if i is None:
        raise Problem(404, "not_found", N_("Ce point n'existe pas."))
    if i["carried"] and outcome == "action":
        raise Problem(409, "carried", N_("Cette action vient d'une réunion précédente : marquez-la faite ou non."))
    partner = _partner_named(tx.db, who) if outcome == "action" else None
    tx.execute(
        "UPDATE meeting_items SET outcome = ?, text = ?, who = ?, who_partner = ?, due = ? WHERE id = ?",
        (outcome, text, who if outcome == "action" else "", partner, due if outcome == "action" else None, item_id),
    )
    if outcome == "action":
        m = tx.execute("SELECT series_id, day FROM meetings WHERE id = ?", (i["meeting_id"],)).fetchone()
        later = tx.execute(
            "SELECT id FROM meetings WHERE series_id = ? AND day > ? ORDER BY day", (m["series_id"], m["day"])
        ).fetchall()
        for (later_id,) in later:
            carry_tx(tx, later_id, now)
            _changed(tx, later_id)
    else:  # no longer an action: its carried copies go
        tx.execute("DELETE FROM meeting_items WHERE carried_from = ?", (item_id,))
    _changed(tx, i["meeting_id"])
    return item(tx.db, item_id) or {}


def _partner_named(db: sqlite_utils.Database, who: str) -> int | None:
    folded = who.strip().casefold()
    for p in programme.partners(db):
        if folded and folded in {str(x).casefold() for x in (p["name"], p.get("short_name"), p["key"]) if x}:
            return int(p["id"])
    return None


def set_done_tx(tx: Tx, item_id: int, done: bool, now: float | None = None) -> None:
    """Mark an action done or open again, from its own meeting or a later one it was carried to."""
    i = item(tx.db, item_id)
    if i is None or not (i["outcome"] == "action" or i["carried"]):
        raise Problem(404, "not_found", N_("Cette action n'existe pas."))
    origin = i["carried_from"] or item_id
    when = (time.time() if now is None else now) if done else None
    tx.execute("UPDATE meeting_items SET done = ? WHERE id = ?", (when, origin))
    for (meeting_id,) in tx.execute(
        "SELECT DISTINCT meeting_id FROM meeting_items WHERE id = ? OR carried_from = ?", (origin, origin)
    ).fetchall():
        _changed(tx, meeting_id)


def set_state_tx(tx: Tx, meeting_id: int, state: str) -> None:
    """Held: the meeting's record is published (the public API and the decision log's feed show it)."""
    _meeting_or_404(tx, meeting_id)
    tx.execute("UPDATE meetings SET state = ? WHERE id = ?", (state, meeting_id))
    _changed(tx, meeting_id)
