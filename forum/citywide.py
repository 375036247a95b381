"""Forums across sites (*temps forts*): one forum, one board per participating site, a city-wide wall.

A forum holds what every site shares (title, dates, the common question and themes); its boards
hold the notes, each on its own site's board with its own join code, facilitator link and wall.
The city-wide wall and the lobby screens of every participating site read the notes of all its
boards, each labelled with its neighbourhood.

Writes (`*_tx`, on the writer thread) record `forum.updated` on the public `forum:{id}`; the
notes keep travelling on their boards' channels.
"""

from __future__ import annotations

import json
import time
from typing import Any

import sqlite_utils

from events import queries as programme
from forum import changes, reads, store
from quartier.db import Tx
from quartier.errors import Problem
from quartier.i18n import N_

MAX_SITES = 12  # a city-wide wall follows every board's channel, and /ws takes 20 channels at most
MAX_THEMES = 8


def _forum(row: Any) -> dict[str, Any] | None:
    if row is None:
        return None
    f = dict(row)
    f["themes"] = json.loads(f["themes"])
    return f


def forum(db: sqlite_utils.Database, forum_id: int) -> dict[str, Any] | None:
    """One forum with its boards (internal board rows, each with its site's `place` label)."""
    f = _forum(db.conn.execute("SELECT * FROM forum_forums WHERE id = ?", (forum_id,)).fetchone())
    if f:
        f["boards"] = forum_boards(db, forum_id)
    return f


def forums(db: sqlite_utils.Database, *, state: str | None = None) -> list[dict[str, Any]]:
    """Every forum, newest first, optionally of one state."""
    sql = "SELECT id FROM forum_forums" + (" WHERE state = ?" if state else "") + " ORDER BY created DESC, id DESC"
    rows = db.conn.execute(sql, (state,) if state else ()).fetchall()
    return [f for (fid,) in rows if (f := forum(db, fid))]


def place_of(db: sqlite_utils.Database, slug: str | None) -> str:
    """A site's neighbourhood as a note's label (its name when it has none)."""
    site = programme.site(db, slug) if slug else None
    if site is None:
        return slug or ""
    return str(site.get("neighbourhood") or site["name"])


def forum_boards(db: sqlite_utils.Database, forum_id: int) -> list[dict[str, Any]]:
    """The boards of a forum in the order the sites were given, each with its `place`."""
    ids = [r[0] for r in db.conn.execute("SELECT id FROM forum_boards WHERE forum_id = ? ORDER BY id", (forum_id,))]
    out = []
    for board_id in ids:
        b = reads.board(db, board_id)
        if b:
            b["place"] = place_of(db, b["site"])
            out.append(b)
    return out


def forum_of_board(db: sqlite_utils.Database, board_id: int) -> int | None:
    row = db.conn.execute("SELECT forum_id FROM forum_boards WHERE id = ?", (board_id,)).fetchone()
    return row[0] if row else None


def city_notes(db: sqlite_utils.Database, f: dict[str, Any]) -> list[dict[str, Any]]:
    """Published notes of every board of a forum, each with its `place`, in wall order per board."""
    out = []
    for b in f["boards"]:
        out += [{**n, "place": b["place"], "site": b["site"]} for n in reads.public_notes(db, b["id"])]
    return out


def forums_running_at(db: sqlite_utils.Database, site: str) -> list[dict[str, Any]]:
    """Open forums a site takes part in: its lobby screens show their city-wide wall."""
    rows = db.conn.execute(
        "SELECT DISTINCT f.id FROM forum_forums f JOIN forum_boards b ON b.forum_id = f.id "
        "WHERE f.state = 'open' AND b.site = ? ORDER BY f.id",
        (site,),
    ).fetchall()
    return [f for (fid,) in rows if (f := forum(db, fid))]


def public_forum(f: dict[str, Any]) -> dict[str, Any]:
    """A forum as anyone may see it: its boards with their join codes, never their facilitator links."""
    return {
        "id": f["id"],
        "title": f["title"],
        "prompt": f["prompt"],
        "themes": f["themes"],
        "starts": f["starts"],
        "ends": f["ends"],
        "moderation": f["moderation"],
        "state": f["state"],
        "created": f["created"],
        "boards": [
            {"id": b["id"], "code": b["code"], "site": b["site"], "place": b["place"], "state": b["state"]}
            for b in f.get("boards", [])
        ],
    }


def channels_of(f: dict[str, Any]) -> list[str]:
    """What a city-wide wall follows: the forum, and every board of it."""
    return [changes.forum_channel(f["id"]), *(changes.board_channel(b["id"]) for b in f["boards"])]


# -- writes


def themes_from(labels: list[str]) -> list[dict[str, str]]:
    """A forum's themes from their labels; none given, the programme's default themes."""
    if not labels:
        return [{"slug": slug, "label": label, "icon": icon} for slug, label, icon in store.DEFAULT_THEMES]
    out: list[dict[str, str]] = []
    for label in labels:
        slug, n = store.slug_of(label), 2
        base = slug
        while slug in {t["slug"] for t in out}:
            slug, n = f"{base}-{n}", n + 1
        out.append({"slug": slug, "label": label, "icon": "idee"})
    return out


def create_forum_tx(
    tx: Tx,
    *,
    title: str,
    sites: list[str],
    prompt: str = "",
    themes: list[str] | None = None,
    starts: str | None = None,
    ends: str | None = None,
    moderation: str = "pre",
    now: float | None = None,
) -> dict[str, Any]:
    """A forum and, in the same step, one open board per site (each its own code and links)."""
    now = time.time() if now is None else now
    if not sites:
        raise Problem(422, "invalid_field", N_("Choisissez au moins un lieu."), field="sites")
    if len(sites) > MAX_SITES:
        raise Problem(422, "too_many", N_("Un forum réunit {n} lieux au plus."), field="sites", n=MAX_SITES)
    for slug in sites:
        if programme.site(tx.db, slug) is None:
            raise Problem(422, "unknown_site", N_("Ce lieu n'existe pas dans le programme."), field="sites")
    if starts and ends and ends < starts:
        raise Problem(422, "invalid_date", N_("Le dernier jour vient après le premier."), field="ends")
    chosen = themes_from(themes or [])
    forum_id = tx.execute(
        "INSERT INTO forum_forums (title, prompt, themes, starts, ends, moderation, created) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (title, prompt, json.dumps(chosen, ensure_ascii=False), starts, ends, moderation, now),
    ).fetchone()[0]
    boards = []
    for slug in sites:
        created = store.create_board_tx(
            tx, title=title, prompt=prompt, moderation=moderation, site=slug, now=now, themes=chosen, forum_id=forum_id
        )
        boards.append({**created, "site": slug})
    _forum_changed(tx, forum_id)
    return {"id": forum_id, "boards": boards}


def _forum_changed(tx: Tx, forum_id: int) -> None:
    f = forum(tx.db, forum_id)
    assert f is not None, "written in this transaction"
    tx.change(changes.forum_channel(forum_id), changes.FORUM_UPDATED, public_forum(f))


def set_forum_state_tx(tx: Tx, forum_id: int, state: str) -> None:
    """Open or close a forum and every board of it (closing stops the notes and the lobby walls)."""
    f = forum(tx.db, forum_id)
    if f is None:
        raise Problem(404, "not_found", N_("Ce forum n'existe pas."))
    tx.execute("UPDATE forum_forums SET state = ? WHERE id = ?", (state, forum_id))
    for b in f["boards"]:
        if b["state"] != state:
            store.set_state_tx(tx, b["id"], state)
    _forum_changed(tx, forum_id)
