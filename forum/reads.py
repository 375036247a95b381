"""Reads of boards, themes and notes: the base every forum module stands on.

Packages above the forum read through `forum.queries`, which adds vote rounds, word
frequencies and hackathon pitches to these.

Each function takes a sqlite_utils.Database, so a caller runs several of them inside
one `await db.read(fn)` and gets one consistent snapshot:

    boards = await db.read(lambda d: queries.boards_running_at(d, "maurepas"))

Every dict returned is safe to show in public (published notes only) unless its
name says otherwise (`moderation_view`, `all_notes`).
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

NOTE_SELECT = """
SELECT n.*,
       (SELECT count(*) FROM forum_notes c WHERE c.merged_into = n.id) + 1 AS weight,
       (SELECT group_concat(c.id) FROM forum_notes c WHERE c.merged_into = n.id) AS merged_ids
FROM forum_notes n
"""

# Order of notes on the wall and in lists: pinned first, then decisions and actions, then oldest first.
NOTE_ORDER = "ORDER BY n.pinned DESC, CASE n.kind WHEN 'note' THEN 1 ELSE 0 END, coalesce(n.published, n.created), n.id"


def _row(row: Any) -> dict[str, Any] | None:
    return dict(row) if row is not None else None


def board(db: sqlite_utils.Database, board_id: int) -> dict[str, Any] | None:
    """One board with its themes (internal row: includes the facilitator salt)."""
    row = _row(db.conn.execute("SELECT * FROM forum_boards WHERE id = ?", (board_id,)).fetchone())
    if row:
        row["themes"] = themes(db, board_id)
    return row


def board_by_code(db: sqlite_utils.Database, code: str) -> dict[str, Any] | None:
    row = db.conn.execute("SELECT id FROM forum_boards WHERE code = ?", (code,)).fetchone()
    return board(db, row[0]) if row else None


def themes(db: sqlite_utils.Database, board_id: int) -> list[dict[str, Any]]:
    rows = db.conn.execute(
        "SELECT slug, label, icon FROM forum_themes WHERE board_id = ? ORDER BY position, id", (board_id,)
    )
    return [dict(r) for r in rows]


def boards(
    db: sqlite_utils.Database, *, site: str | None = None, state: str | None = None, session_id: int | None = None
) -> list[dict[str, Any]]:
    """Boards, newest first, optionally of one site (slug), one state ('open', 'closed') and/or one
    programme session."""
    where: list[str] = []
    params: list[Any] = []
    if session_id is not None:
        where.append("session_id = ?")
        params.append(session_id)
    if site is not None:
        where.append("site = ?")
        params.append(site)
    if state is not None:
        where.append("state = ?")
        params.append(state)
    sql = (
        "SELECT id FROM forum_boards"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY created DESC, id DESC"
    )
    return [b for (bid,) in db.conn.execute(sql, params).fetchall() if (b := board(db, bid))]


def boards_running_at(db: sqlite_utils.Database, site: str) -> list[dict[str, Any]]:
    """Open boards of a site, as public dicts: what a lobby screen shows as a live wall."""
    return [public_board(b) for b in boards(db, site=site, state="open")]


def public_notes(db: sqlite_utils.Database, board_id: int) -> list[dict[str, Any]]:
    """Published notes of a board, as public dicts (what the wall and the API show)."""
    rows = db.conn.execute(f"{NOTE_SELECT} WHERE n.board_id = ? AND n.status = 'published' {NOTE_ORDER}", (board_id,))
    return [public_note(dict(r)) for r in rows]


def decisions(db: sqlite_utils.Database, board_id: int) -> list[dict[str, Any]]:
    """Published decisions and actions (who, by when) of a board: the *relevé de décision*."""
    return [n for n in public_notes(db, board_id) if n["kind"] != "note"]


def all_notes(db: sqlite_utils.Database, board_id: int) -> list[dict[str, Any]]:
    """Every note of a board whatever its status, as moderation dicts (staff only; minutes)."""
    rows = db.conn.execute(f"{NOTE_SELECT} WHERE n.board_id = ? {NOTE_ORDER}", (board_id,))
    return [moderation_view(dict(r)) for r in rows]


def note(db: sqlite_utils.Database, note_id: int) -> dict[str, Any] | None:
    """One note's internal row, with its weight and merged ids."""
    return _row(db.conn.execute(f"{NOTE_SELECT} WHERE n.id = ?", (note_id,)).fetchone())


def counts(db: sqlite_utils.Database, board_id: int) -> dict[str, int]:
    """How many notes of a board per status, and per source."""
    out = {"pending": 0, "published": 0, "hidden": 0, "merged": 0}
    for status, n in db.conn.execute(
        "SELECT status, count(*) FROM forum_notes WHERE board_id = ? GROUP BY status", (board_id,)
    ):
        out[status] = n
    for source, n in db.conn.execute(
        "SELECT source, count(*) FROM forum_notes WHERE board_id = ? GROUP BY source", (board_id,)
    ):
        out[f"source_{source}"] = n
    return out


def public_board(b: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": b["id"],
        "code": b["code"],
        "title": b["title"],
        "prompt": b["prompt"],
        "moderation": b["moderation"],
        "state": b["state"],
        "site": b["site"],
        "session": b["session_id"],
        "forum": b.get("forum_id"),
        "themes": [{"slug": t["slug"], "label": t["label"], "icon": t["icon"]} for t in b.get("themes", [])],
        "created": b["created"],
    }


def public_note(n: dict[str, Any]) -> dict[str, Any]:
    """A note as anyone may see it; `count` is how many notes it stands for after merges."""
    merged = [int(i) for i in str(n.get("merged_ids") or "").split(",") if i]
    return {
        "id": n["id"],
        "board": n["board_id"],
        "theme": n["theme"],
        "text": n["text"],
        "author": n["author"],
        "source": n["source"],
        "pinned": bool(n["pinned"]),
        "kind": n["kind"],
        "who": n["action_who"],
        "due": n["action_due"],
        "count": n.get("weight", 1),
        "merged": merged,
        "created": n["created"],
        "published": n["published"],
    }


def moderation_view(n: dict[str, Any]) -> dict[str, Any]:
    """A note as a facilitator sees it: with its status, why it was held and what it merged into."""
    return {**public_note(n), "status": n["status"], "held": n["held"], "merged_into": n["merged_into"]}
