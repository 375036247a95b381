"""Read functions of the referral directory, its face for the packages above (call inside `db.read`).

- `needs()`: the catalogue (referral.needs.Need), in its order;
- `resources(db)`, `resource(db, id)`: third-party places, each with the needs it serves;
- `session_needs(db)`: the needs each session of the programme serves;
- `slip_counts(db, start, end)`: printed slips per need, site and destination, for the annual report.

Who serves a need: what the defaults of referral.needs say (a session's kind and words, a place's
thématiques and kind), with what staff added or removed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from typing import Any

import sqlite_utils

from events import queries as programme
from referral import needs as catalogue
from referral.model import JSON_COLUMNS


def needs() -> list[catalogue.Need]:
    """The needs catalogue, in its order."""
    return list(catalogue.NEEDS)


def resource_row(row: Any) -> dict[str, Any]:
    r = dict(row)
    for name in JSON_COLUMNS:
        r[name] = json.loads(r[name])
    r["remote"] = bool(r["remote"])
    return r


def _overrides(db: sqlite_utils.Database, table: str, column: str) -> dict[int, dict[str, bool]]:
    out: dict[int, dict[str, bool]] = defaultdict(dict)
    for row in db.conn.execute(f"SELECT {column} AS id, need, served FROM {table}"):
        out[row["id"]][row["need"]] = bool(row["served"])
    return out


def served(defaults: set[str], changes: dict[str, bool]) -> list[str]:
    """The needs served: the defaults, with staff's additions and removals, in catalogue order."""
    result = {n for n in defaults if changes.get(n, True)} | {n for n, on in changes.items() if on}
    return [n.id for n in catalogue.NEEDS if n.id in result]


def _with_needs(r: dict[str, Any], changes: dict[str, bool]) -> dict[str, Any]:
    defaults = {n.id for n in catalogue.NEEDS if catalogue.default_place_match(n, r)}
    r["needs"] = served(defaults, changes)
    r["customised"] = sorted(changes)
    return r


def resources(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every resource, by name, with `needs` (the ids it serves) and `customised` (needs staff changed)."""
    changes = _overrides(db, "referral_resource_needs", "resource_id")
    rows = db.conn.execute("SELECT * FROM referral_resources ORDER BY name COLLATE NOCASE, id")
    return [_with_needs(resource_row(row), changes.get(row["id"], {})) for row in rows]


def resource(db: sqlite_utils.Database, id: int) -> dict[str, Any] | None:
    """One resource (same fields as `resources`), or None."""
    row = db.conn.execute("SELECT * FROM referral_resources WHERE id = ?", (id,)).fetchone()
    if row is None:
        return None
    found = db.conn.execute("SELECT need, served FROM referral_resource_needs WHERE resource_id = ?", (id,))
    return _with_needs(resource_row(row), {r["need"]: bool(r["served"]) for r in found})


def session_needs(db: sqlite_utils.Database) -> dict[int, list[str]]:
    """Every session's id with the needs it serves (an empty list for none)."""
    changes = _overrides(db, "referral_session_needs", "session_id")
    out = {}
    for s in programme.sessions(db):
        defaults = {n.id for n in catalogue.NEEDS if catalogue.default_session_match(n, s)}
        out[s["id"]] = served(defaults, changes.get(s["id"], {}))
    return out


def slip_counts(db: sqlite_utils.Database, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Slips printed in the months from `start` to `end`: in total, per need, per site and per destination.

    Rows are ordered by count; the need's label is the catalogue's msgid (translate it to show it).
    """
    rows = db.conn.execute(
        "SELECT * FROM referral_slips WHERE month BETWEEN ? AND ?", (start.strftime("%Y-%m"), end.strftime("%Y-%m"))
    ).fetchall()
    by_need: Counter[str] = Counter()
    by_site: Counter[str] = Counter()
    by_destination: Counter[tuple[str, str]] = Counter()
    need_site: Counter[tuple[str, str]] = Counter()
    for r in rows:
        by_need[r["need"]] += r["count"]
        by_site[r["site"]] += r["count"]
        by_destination[(r["destination"], r["destination_kind"])] += r["count"]
        need_site[(r["need"], r["site"])] += r["count"]
    labels = {n.id: n.label for n in catalogue.NEEDS}
    return {
        "total": sum(by_need.values()),
        "by_need": [{"need": k, "label": labels.get(k, k), "count": v} for k, v in by_need.most_common()],
        "by_site": [{"site": k, "count": v} for k, v in by_site.most_common()],
        "by_destination": [
            {"destination": d, "kind": kind, "count": v} for (d, kind), v in by_destination.most_common()
        ],
        "by_need_and_site": [{"need": n, "site": s, "count": v} for (n, s), v in need_site.most_common()],
    }
