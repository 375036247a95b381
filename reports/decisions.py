"""The decision records (*relevé de décisions*): every decision and action across all forums.

Decisions and actions are notes a facilitator marked as such on the console (forum.store);
staff mark actions done here. Filters: site, axis (the note's theme), status of actions
(open / done), owner (who), and words of the text.
"""

from __future__ import annotations

import io
import time
from typing import Any

import sqlite_utils

from forum import changes as forum_changes
from forum import queries
from quartier import csvout
from quartier.db import Tx
from quartier.errors import Problem
from quartier.i18n import N_
from reports import changes

STATUSES = ("open", "done")


def records(
    db: sqlite_utils.Database,
    *,
    site: str | None = None,
    axis: str | None = None,
    status: str | None = None,
    owner: str | None = None,
    q: str | None = None,
    kind: str | None = None,
    start: float | None = None,
    end: float | None = None,
) -> list[dict[str, Any]]:
    """Published decisions and actions, newest board first. Each: {id, kind, text, theme, theme_label,
    who, due, done (epoch or None), status ("open"/"done" for actions, "" for decisions), board,
    board_title, site, created}. `status` keeps actions only; start/end bound the board's creation."""
    where = ["n.kind IN ('decision', 'action')", "n.status = 'published'"]
    params: list[Any] = []
    if site:
        where.append("b.site = ?")
        params.append(site)
    if axis:
        where.append("n.theme = ?")
        params.append(axis)
    if kind in ("decision", "action"):
        where.append("n.kind = ?")
        params.append(kind)
    if status == "open":
        where.append("n.kind = 'action' AND n.action_done IS NULL")
    elif status == "done":
        where.append("n.kind = 'action' AND n.action_done IS NOT NULL")
    if owner:
        where.append("n.action_who LIKE ? ESCAPE '\\'")
        params.append("%" + owner.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    if q:
        where.append("n.text LIKE ? ESCAPE '\\'")
        params.append("%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    if start is not None:
        where.append("b.created >= ?")
        params.append(start)
    if end is not None:
        where.append("b.created < ?")
        params.append(end)
    rows = db.conn.execute(
        f"""SELECT n.id, n.kind, n.text, n.theme, coalesce(t.label, n.theme) AS theme_label, n.action_who AS who,
                   n.action_due AS due, n.action_done AS done, n.board_id AS board, b.title AS board_title,
                   b.site, b.created
            FROM forum_notes n JOIN forum_boards b ON b.id = n.board_id
            LEFT JOIN forum_themes t ON t.board_id = n.board_id AND t.slug = n.theme
            WHERE {" AND ".join(where)} ORDER BY b.created DESC, n.kind DESC, n.id""",
        params,
    )
    out = []
    for r in rows:
        d = dict(r)
        d["who"] = d["who"] or ""
        d["due"] = d["due"] or ""
        d["status"] = ("done" if d["done"] else "open") if d["kind"] == "action" else ""
        out.append(d)
    return out


def done_actions(db: sqlite_utils.Database, board_id: int) -> set[int]:
    """The ids of a board's actions marked done (`action_done` is reports' column of forum_notes)."""
    rows = db.conn.execute(
        "SELECT id FROM forum_notes WHERE board_id = ? AND kind = 'action' AND action_done IS NOT NULL", (board_id,)
    )
    return {r[0] for r in rows}


def owners(db: sqlite_utils.Database) -> list[str]:
    rows = db.conn.execute(
        "SELECT DISTINCT action_who FROM forum_notes WHERE kind = 'action' AND action_who IS NOT NULL "
        "AND action_who != '' ORDER BY action_who"
    )
    return [r[0] for r in rows]


def set_done_tx(tx: Tx, note_id: int, done: bool, now: float | None = None) -> dict[str, Any]:
    """Mark an action done (or open again); announced on the board's channel."""
    note = queries.note(tx.db, note_id)
    if note is None or note["kind"] != "action":
        raise Problem(404, "not_found", N_("Cette action n'existe pas."))
    when = (time.time() if now is None else now) if done else None
    tx.execute("UPDATE forum_notes SET action_done = ? WHERE id = ?", (when, note_id))
    data = {"id": note_id, "board": note["board_id"], "done": when}
    tx.change(forum_changes.board_channel(note["board_id"]), changes.ACTION_UPDATED, data)
    return data


def to_csv(rows: list[dict[str, Any]], fmt_time: Any) -> str:
    out = io.StringIO()
    w = csvout.Writer(out)
    w.writerow(["id", "type", "texte", "axe", "qui", "pour_le", "etat", "faite_le", "forum", "lieu", "date_forum"])
    for r in rows:
        w.writerow(
            [
                r["id"],
                r["kind"],
                r["text"],
                r["theme"],
                r["who"],
                r["due"],
                r["status"],
                fmt_time(r["done"]) if r["done"] else "",
                r["board_title"],
                r["site"] or "",
                fmt_time(r["created"]),
            ]
        )
    return out.getvalue()
