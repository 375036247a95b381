"""The minutes (*compte rendu*) of a forum board: compiled from what happened, edited, published.

Lifecycle: a board has at most one *draft* and any number of *published* versions (1, 2, ...).
A published version is never changed: a correction starts a new draft (the next version number)
from the latest published text, and publishing it adds a version; the history stays.

The draft is Markdown that staff edit. What the data says is written in *compiled blocks*,
delimited by HTML comments that the rendered page never shows::

    <!-- quartier:notes -->
    ...regenerated from the data at each compile...
    <!-- /quartier:notes -->

Re-compiling merges new data in without losing edits (see `merge`): a block whose text is still
what the last compile wrote is regenerated; a block that staff changed by hand is kept as they
left it (and reported); a block whose markers staff removed is not brought back; staff text outside
the blocks (such as the "Notes de l'équipe" section) is never touched.

Each version stores the compiled data (`data`: counts by source, attendance, word frequencies,
the notes as compiled...) next to its text, so the minutes, their exports and the annual report
keep their figures after the retention setting has purged the raw notes (`purge_due_tx`).

The minutes are a French document (the programme's working language); the pages around them
are translated.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import sqlite_utils
from sqlite_utils import Migrations

from events import changes as events_changes
from forum import changes as forum_changes
from forum import queries
from forum import store as forum_store
from quartier.db import Database, Tx
from quartier.errors import Problem
from quartier.i18n import N_
from reports import changes

log = logging.getLogger(__name__)

migrations = Migrations("forum_minutes")


MAX_MARKDOWN = 100_000


MAX_FACILITATORS = 200


SOURCE_LABELS = {"tablet": "tablette", "phone": "téléphone", "paper": "papier", "spoken": "oral"}


SOURCES = tuple(SOURCE_LABELS)


SECTIONS = ("header", "attendance", "notes", "decisions", "votes", "wordcloud", "feedback")


STAFF_SECTION = "## Notes de l'équipe\n\n<!-- Écrivez ici : ce texte est gardé à chaque mise à jour. -->\n"


@migrations(name="0001_minutes")
def _schema(db: Any) -> None:
    # Attendance tapped on the console, facilitators, and when the raw notes were purged.
    db.execute(
        """CREATE TABLE forum_board_meta (
            board_id INTEGER PRIMARY KEY REFERENCES forum_boards(id) ON DELETE CASCADE,
            attendance INTEGER NOT NULL DEFAULT 0 CHECK (attendance >= 0),
            facilitators TEXT NOT NULL DEFAULT '',
            purged REAL,            -- raw notes purged by the retention setting
            updated REAL NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE forum_minutes (
            id INTEGER PRIMARY KEY,
            board_id INTEGER NOT NULL REFERENCES forum_boards(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('draft', 'published')),
            markdown TEXT NOT NULL,
            data TEXT NOT NULL,         -- JSON: the compiled figures this text was made from
            generated TEXT NOT NULL,    -- JSON {block: text the last compile wrote}: tells hand edits apart
            created REAL NOT NULL,
            updated REAL NOT NULL,
            published REAL,
            published_by TEXT,
            UNIQUE (board_id, version)
        )"""
    )
    db.execute("CREATE UNIQUE INDEX forum_minutes_one_draft ON forum_minutes (board_id) WHERE state = 'draft'")
    # Actions of the decision records can be marked done by staff.
    db.execute("ALTER TABLE forum_notes ADD COLUMN action_done REAL")


@migrations(name="0002_forum_city_minutes")
def _city_minutes(db: Any) -> None:
    # The combined minutes of a forum across sites (reports.city_minutes): a draft, then published versions.
    db.execute(
        """CREATE TABLE forum_city_minutes (
            id INTEGER PRIMARY KEY,
            forum_id INTEGER NOT NULL REFERENCES forum_forums(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('draft', 'published')),
            markdown TEXT NOT NULL,
            data TEXT NOT NULL,         -- JSON: the compiled figures of every site
            created REAL NOT NULL,
            updated REAL NOT NULL,
            published REAL,
            published_by TEXT,
            UNIQUE (forum_id, version)
        )"""
    )


# -- reads


def meta(db: sqlite_utils.Database, board_id: int) -> dict[str, Any]:
    row = db.conn.execute("SELECT * FROM forum_board_meta WHERE board_id = ?", (board_id,)).fetchone()
    return dict(row) if row else {"board_id": board_id, "attendance": 0, "facilitators": "", "purged": None}


def _minutes_row(row: Any) -> dict[str, Any]:
    m = dict(row)
    m["data"] = json.loads(m["data"])
    m["generated"] = json.loads(m["generated"])
    return m


def versions(db: sqlite_utils.Database, board_id: int) -> list[dict[str, Any]]:
    """Every version of a board's minutes, the draft included, oldest first."""
    rows = db.conn.execute("SELECT * FROM forum_minutes WHERE board_id = ? ORDER BY version", (board_id,))
    return [_minutes_row(r) for r in rows]


def draft(db: sqlite_utils.Database, board_id: int) -> dict[str, Any] | None:
    row = db.conn.execute("SELECT * FROM forum_minutes WHERE board_id = ? AND state = 'draft'", (board_id,)).fetchone()
    return _minutes_row(row) if row else None


def published(db: sqlite_utils.Database, board_id: int, version: int | None = None) -> dict[str, Any] | None:
    """A published version (the latest when version is None)."""
    sql = "SELECT * FROM forum_minutes WHERE board_id = ? AND state = 'published'"
    params: tuple = (board_id,)
    if version is not None:
        sql += " AND version = ?"
        params += (version,)
    row = db.conn.execute(sql + " ORDER BY version DESC LIMIT 1", params).fetchone()
    return _minutes_row(row) if row else None


def published_list(
    db: sqlite_utils.Database,
    *,
    site: str | None = None,
    session_id: int | None = None,
    start: float | None = None,
    end: float | None = None,
) -> list[dict[str, Any]]:
    """Boards with published minutes (latest version each), newest first: {board, title, site, session,
    version, published, date}. start/end bound the board's creation time (epoch seconds)."""
    where = ["m.state = 'published'"]
    params: list[Any] = []
    for sql, value in (
        ("b.site = ?", site),
        ("b.session_id = ?", session_id),
        ("b.created >= ?", start),
        ("b.created < ?", end),
    ):
        if value is not None:
            where.append(sql)
            params.append(value)
    rows = db.conn.execute(
        f"""SELECT b.id AS board, b.title, b.site, b.session_id AS session, max(m.version) AS version,
                   max(m.published) AS published, b.created
            FROM forum_minutes m JOIN forum_boards b ON b.id = m.board_id
            WHERE {" AND ".join(where)} GROUP BY b.id ORDER BY b.created DESC, b.id DESC""",
        params,
    )
    return [dict(r) for r in rows]


def notes_received(db: sqlite_utils.Database, board_id: int) -> dict[str, int]:
    """How many notes a board received, per source: live counts, or the counts stored with its latest
    published minutes once the raw notes were purged."""
    if meta(db, board_id)["purged"]:
        m = published(db, board_id)
        if m:
            return {s: int(m["data"]["counts"]["by_source"].get(s, 0)) for s in SOURCES}
    counts = queries.counts(db, board_id)
    return {s: counts.get(f"source_{s}", 0) for s in SOURCES}


def activity(db: sqlite_utils.Database, start: float, end: float) -> dict[str, Any]:
    """Boards and hackathons created in [start, end) (epoch seconds), for the annual report.

    {"forums": [{id, title, site, created, attendance, notes: {source: n}}] (boards that are not a
    hackathon's pitch or team board), "hackathons": [{id, title, site, created, teams}]}.
    """
    forums = [
        {**b, "attendance": meta(db, b["id"])["attendance"], "notes": notes_received(db, b["id"])}
        for b in queries.boards_created(db, start, end)
    ]
    return {"forums": forums, "hackathons": queries.hackathons_created(db, start, end)}


# -- writes


def _ensure_meta(tx: Tx, board_id: int) -> None:
    tx.execute("INSERT OR IGNORE INTO forum_board_meta (board_id, updated) VALUES (?, ?)", (board_id, time.time()))


def attendance_tx(tx: Tx, board_id: int, *, delta: int = 0, value: int | None = None) -> int:
    """Count people in (delta +1/-1) or set the count; never below zero. Returns the new count."""
    if queries.board(tx.db, board_id) is None:
        raise Problem(404, "not_found", N_("Ce tableau n'existe pas."))
    _ensure_meta(tx, board_id)
    if value is not None:
        tx.execute(
            "UPDATE forum_board_meta SET attendance = max(0, ?), updated = ? WHERE board_id = ?",
            (value, time.time(), board_id),
        )
    else:
        tx.execute(
            "UPDATE forum_board_meta SET attendance = max(0, attendance + ?), updated = ? WHERE board_id = ?",
            (delta, time.time(), board_id),
        )
    count = meta(tx.db, board_id)["attendance"]
    tx.change(forum_changes.moderation_channel(board_id), changes.ATTENDANCE, {"board": board_id, "count": count})
    return count


def set_facilitators_tx(tx: Tx, board_id: int, facilitators: str) -> None:
    _ensure_meta(tx, board_id)
    tx.execute(
        "UPDATE forum_board_meta SET facilitators = ?, updated = ? WHERE board_id = ?",
        (facilitators[:MAX_FACILITATORS], time.time(), board_id),
    )


def _next_version(tx: Tx, board_id: int) -> int:
    return tx.execute(
        "SELECT coalesce(max(version), 0) + 1 FROM forum_minutes WHERE board_id = ?", (board_id,)
    ).fetchone()[0]


def save_tx(tx: Tx, board_id: int, markdown: str, now: float | None = None) -> None:
    """Save staff's text of the draft."""
    row = draft(tx.db, board_id)
    if row is None:
        raise Problem(409, "no_draft", N_("Il n'y a pas de brouillon : préparez d'abord le compte rendu."))
    tx.execute(
        "UPDATE forum_minutes SET markdown = ?, updated = ? WHERE id = ?",
        (markdown, time.time() if now is None else now, row["id"]),
    )


def correct_tx(tx: Tx, board_id: int, now: float | None = None) -> int:
    """A new draft from the latest published version (a correction); returns its version number."""
    now = time.time() if now is None else now
    if draft(tx.db, board_id):
        return draft(tx.db, board_id)["version"]  # type: ignore[index]  # just checked to exist
    last = published(tx.db, board_id)
    if last is None:
        raise Problem(409, "not_published", N_("Ce compte rendu n'est pas encore publié."))
    version = _next_version(tx, board_id)
    tx.execute(
        "INSERT INTO forum_minutes (board_id, version, state, markdown, data, generated, created, updated) "
        "VALUES (?, ?, 'draft', ?, ?, ?, ?, ?)",
        (
            board_id,
            version,
            last["markdown"],
            json.dumps(last["data"], ensure_ascii=False),
            json.dumps(last["generated"], ensure_ascii=False),
            now,
            now,
        ),
    )
    return version


def publish_tx(tx: Tx, board_id: int, by: str = "", now: float | None = None) -> int:
    """Publish the draft: it becomes read-only and public. Returns its version number."""
    now = time.time() if now is None else now
    row = draft(tx.db, board_id)
    if row is None:
        raise Problem(409, "no_draft", N_("Il n'y a pas de brouillon : préparez d'abord le compte rendu."))
    tx.execute(
        "UPDATE forum_minutes SET state = 'published', published = ?, published_by = ?, updated = ? WHERE id = ?",
        (now, by, now, row["id"]),
    )
    data = {"board": board_id, "version": row["version"]}
    tx.change(forum_changes.board_channel(board_id), changes.MINUTES_PUBLISHED, data)
    board = tx.execute("SELECT site FROM forum_boards WHERE id = ?", (board_id,)).fetchone()
    if board and board["site"]:  # the site's page links its published minutes
        tx.change(events_changes.site_channel(board["site"]), changes.MINUTES_PUBLISHED, data)
    return row["version"]


# -- retention


def purge_due_tx(tx: Tx, days: int, now: float | None = None) -> list[int]:
    """Purge the raw notes of boards whose minutes were first published more than `days` days ago.

    Plain notes are deleted (their votes with them); decisions and actions, the record of what the
    group decided, stay without their authors' first names; frozen vote results lose the names too.
    The minutes keep their text and the counts stored with them. Returns the boards purged.
    """
    if days <= 0:
        return []
    now = time.time() if now is None else now
    rows = tx.execute(
        """SELECT m.board_id FROM forum_minutes m LEFT JOIN forum_board_meta x ON x.board_id = m.board_id
           WHERE m.state = 'published' AND x.purged IS NULL
           GROUP BY m.board_id HAVING min(m.published) <= ?""",
        (now - days * 86400,),
    ).fetchall()
    purged = []
    for (board_id,) in rows:
        forum_store.purge_notes_tx(tx, board_id)
        _ensure_meta(tx, board_id)
        tx.execute("UPDATE forum_board_meta SET purged = ?, updated = ? WHERE board_id = ?", (now, now, board_id))
        purged.append(board_id)
    return purged


async def run_retention_forever(db: Database, days: int, every: float = 6 * 3600) -> None:
    """Purge what is due at start-up, then every `every` seconds (a background task)."""
    while True:
        try:
            done = await db.write(lambda tx: purge_due_tx(tx, days))
            if done:
                log.info("retention: raw notes purged on boards %s", done)
        except Exception:  # logged, retried later
            log.exception("retention failed")
        await asyncio.sleep(every)
