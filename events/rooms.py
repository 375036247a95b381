"""The rooms of each site, as objects (issue 19): what the free half-days are counted over and booked in.

A session names its room by name within its site (`sessions.room`); `ensure` adds a room the first
time a session names it, so the list of rooms is never behind the programme.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

import sqlite_utils

from quartier.db import Tx
from quartier.inputs import Fields

_SQL = """SELECT r.*, sites.slug AS site, sites.name AS site_name FROM rooms r
          JOIN sites ON sites.id = r.site_id"""


def _room(row: Any) -> dict[str, Any]:
    r = dict(row)
    r["equipment"] = json.loads(r["equipment"])
    r["accessibility"] = json.loads(r["accessibility"])
    return r


def rooms(db: sqlite_utils.Database, site: str | None = None) -> list[dict[str, Any]]:
    """Rooms by site then name: id, site (slug), site_name, name, capacity, equipment, accessibility."""
    sql, params = _SQL, []
    if site:
        sql += " WHERE sites.slug = ?"
        params.append(site)
    return [_room(r) for r in db.conn.execute(sql + " ORDER BY sites.name, r.name", params)]


def room(db: sqlite_utils.Database, id: int) -> dict[str, Any] | None:
    row = db.conn.execute(_SQL + " WHERE r.id = ?", (id,)).fetchone()
    return _room(row) if row else None


def names_by_site(db: sqlite_utils.Database) -> dict[str, list[str]]:
    """{site slug: [room names]}, every site present (the dashboard's half-days are counted over these)."""
    out: dict[str, list[str]] = {r[0]: [] for r in db.conn.execute("SELECT slug FROM sites")}
    for r in rooms(db):
        out[r["site"]].append(r["name"])
    return out


def ensure(tx: Tx, site_id: int, name: str) -> None:
    """The room a session names exists (added with no details when new)."""
    if name.strip():
        tx.execute(
            "INSERT OR IGNORE INTO rooms (site_id, name, updated) VALUES (?, ?, ?)",
            (site_id, name.strip(), time.time()),
        )


def clean_room(data: Mapping[str, Any]) -> dict[str, Any]:
    """A room's fields, checked (Invalid names the field)."""
    c = Fields(data, collect=True, numbers_as_text=True)
    out = {
        "name": c.text("name", required=True, max_length=120),
        "capacity": c.integer("capacity", minimum=1, maximum=10000),
        "equipment": c.strings("equipment"),
        "accessibility": c.strings("accessibility"),
    }
    c.done()
    return out


def save_room(tx: Tx, site_id: int, r: dict[str, Any]) -> int:
    """Create or update (by name within the site) a room; returns its id."""
    row = tx.execute(
        """INSERT INTO rooms (site_id, name, capacity, equipment, accessibility, updated) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (site_id, name) DO UPDATE SET capacity = excluded.capacity, equipment = excluded.equipment,
               accessibility = excluded.accessibility, updated = excluded.updated RETURNING id""",
        (
            site_id,
            r["name"],
            r["capacity"],
            json.dumps(r["equipment"], ensure_ascii=False),
            json.dumps(r["accessibility"], ensure_ascii=False),
            time.time(),
        ),
    ).fetchone()
    return int(row[0])
