"""The forum's reads, for its own pages and for the packages above it (reports, signage).

Each function takes a sqlite_utils.Database, so a caller runs several of them inside
one `await db.read(fn)` and gets one consistent snapshot:

    boards = await db.read(lambda d: queries.boards_running_at(d, "maurepas"))

Every dict returned is safe to show in public (published notes only) unless its
name says otherwise (`moderation_view`, `all_notes`).
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from forum.city_votes import city_rounds
from forum.citywide import city_notes, forum, forums, forums_running_at, public_forum
from forum.hackathon import current_pitches
from forum.reads import (
    all_notes,
    board,
    board_by_code,
    boards,
    boards_running_at,
    counts,
    decisions,
    moderation_view,
    note,
    public_board,
    public_note,
    public_notes,
    themes,
)
from forum.votes import rounds as vote_rounds
from forum.wordcloud import board_frequencies as word_frequencies

__all__ = [
    "all_notes",
    "board",
    "board_by_code",
    "boards",
    "boards_created",
    "boards_running_at",
    "city_notes",
    "city_rounds",
    "counts",
    "current_pitches",
    "decisions",
    "forum",
    "forums",
    "forums_running_at",
    "hackathons_created",
    "moderation_view",
    "note",
    "public_board",
    "public_forum",
    "public_note",
    "public_notes",
    "themes",
    "vote_rounds",
    "word_frequencies",
]


def boards_created(db: sqlite_utils.Database, start: float, end: float) -> list[dict[str, Any]]:
    """Forum boards created in [start, end) (epoch seconds), without hackathons' pitch and team boards."""
    hack_boards = {
        r[0] for r in db.conn.execute("SELECT board_id FROM forum_hackathons UNION SELECT board_id FROM forum_teams")
    }
    rows = db.conn.execute(
        "SELECT id, title, site, created FROM forum_boards WHERE created >= ? AND created < ? ORDER BY created, id",
        (start, end),
    ).fetchall()
    return [dict(r) for r in rows if r["id"] not in hack_boards]


def hackathons_created(db: sqlite_utils.Database, start: float, end: float) -> list[dict[str, Any]]:
    """Hackathons created in [start, end) (epoch seconds), with their number of teams."""
    rows = db.conn.execute(
        "SELECT h.id, h.title, h.site, h.created, (SELECT count(*) FROM forum_teams t WHERE t.hackathon_id = h.id) "
        "AS teams FROM forum_hackathons h WHERE h.created >= ? AND h.created < ? ORDER BY h.created, h.id",
        (start, end),
    )
    return [dict(r) for r in rows]
