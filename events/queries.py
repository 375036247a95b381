"""Read functions over the programme, the stable interface for other features.

Signage, feedback, posters and reports call these (inside their own `db.read(fn)`),
never the tables directly. Every function takes a sqlite_utils.Database (a reader
connection) and returns plain dicts.

An occurrence is identified by (session id, local date of the *original* occurrence):
a moved occurrence keeps its identity. Pages link to it as `/sessions/{id}?date=YYYY-MM-DD`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from events import partners as partners_model
from events import rooms as rooms_model
from events.model import MAX_MOVE_DAYS, Rule, local

SITE_JSON = ("accessibility",)
SESSION_JSON = ("audience", "languages")


def _site(row: Any) -> dict[str, Any]:
    site = dict(row)
    site["accessibility"] = json.loads(site["accessibility"])
    site["mobile"] = bool(site["mobile"])
    return site


def sites(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every site, by name: id, slug, name, neighbourhood, address, postal_code, commune, insee,
    latitude, longitude, opening_hours (OSM syntax), accessibility (list), phone, email, website, timezone,
    siret, typologie, mobile (an *aller-vers* site: a bus, a stand; bool)."""
    return [_site(r) for r in db.conn.execute("SELECT * FROM sites ORDER BY name")]


def site(db: sqlite_utils.Database, slug: str) -> dict[str, Any] | None:
    """One site by its slug (same fields as `sites`), or None."""
    row = db.conn.execute("SELECT * FROM sites WHERE slug = ?", (slug,)).fetchone()
    return _site(row) if row else None


_SESSION_SQL = """SELECT s.*, sites.slug AS site, sites.name AS site_name, sites.timezone AS timezone,
                  sites.address AS site_address, sites.postal_code AS site_postal_code,
                  sites.commune AS site_commune, sites.latitude AS site_latitude, sites.longitude AS site_longitude,
                  p.name AS partner, p.key AS partner_key, p.short_name AS partner_short,
                  p.website AS partner_website, p.logo AS partner_logo
                  FROM sessions s JOIN sites ON sites.id = s.site_id
                  LEFT JOIN partners p ON p.id = s.partner_id"""


def _session(row: Any) -> dict[str, Any]:
    s = dict(row)
    for name in SESSION_JSON:
        s[name] = json.loads(s[name])
    s["registration"] = bool(s["registration"])
    s["free"] = bool(s["free"])
    s["partner"] = s["partner"] or ""  # the partner's name, from the registry
    s["partner_key"] = s["partner_key"] or ""
    s["partner_short"] = s["partner_short"] or s["partner"]
    s["partner_website"] = s["partner_website"] or ""
    return s


def session(db: sqlite_utils.Database, id: int) -> dict[str, Any] | None:
    """One session with its schedule: id, key, site (slug), site_name, timezone, site_address,
    site_postal_code, site_commune, site_latitude, site_longitude, title, description,
    kind, axis, room, first_date, start_time, end_time, repeat_every (None|weekly|monthly),
    repeat_interval, repeat_until, repeat_count, audience, languages, registration, capacity,
    partner (its name in the registry, "" for none), partner_key, partner_short, partner_id,
    staff_count, free, sequence; plus `exceptions`: {date iso: exception dict}."""
    row = db.conn.execute(_SESSION_SQL + " WHERE s.id = ?", (id,)).fetchone()
    if row is None:
        return None
    s = _session(row)
    s["exceptions"] = {
        e["date"]: dict(e)
        for e in db.conn.execute("SELECT * FROM occurrence_exceptions WHERE session_id = ? ORDER BY date", (id,))
    }
    return s


def sessions(
    db: sqlite_utils.Database, site: str | None = None, axis: str | None = None, with_exceptions: bool = False
) -> list[dict[str, Any]]:
    """Every session (optionally of one site and/or axis), by site then title; same fields as
    `session`, with `exceptions` only when asked."""
    where, params = [], []
    if site:
        where.append("sites.slug = ?")
        params.append(site)
    if axis:
        where.append("s.axis = ?")
        params.append(axis)
    sql = _SESSION_SQL + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY sites.name, s.title, s.id"
    rows = [_session(r) for r in db.conn.execute(sql, params)]
    if with_exceptions:
        by_id = {r["id"]: r for r in rows}
        for r in rows:
            r["exceptions"] = {}
        for e in db.conn.execute("SELECT * FROM occurrence_exceptions ORDER BY date"):
            if e["session_id"] in by_id:
                by_id[e["session_id"]]["exceptions"][e["date"]] = dict(e)
    return rows


def occurrences(
    db: sqlite_utils.Database,
    start: dt.date,
    end: dt.date,
    site: str | None = None,
    axis: str | None = None,
    kind: str | None = None,
    audience: str | None = None,
    session_id: int | None = None,
    partner: str | None = None,
) -> list[dict[str, Any]]:
    """Occurrences whose (possibly moved) local date lies in [start, end], in time order.

    Each is a dict: session (id), date (datetime.date of the original occurrence: with the
    session id, the occurrence's identity), start and end (aware datetimes in the site's
    timezone), status ("scheduled", "cancelled", "moved" or "full"), reason, room, title,
    kind, axis, audience, languages, registration, capacity, free, partner (name), partner_key,
    partner_short, staff_count, site (slug), site_name, original_start (aware datetime, set when
    moved, else None), sequence.
    Cancelled occurrences are included (with their reason): the public must see them.
    `partner` (a partner's key) keeps the sessions that partner runs.
    """
    where, params = [], []
    filters = (("sites.slug", site), ("s.axis", axis), ("s.kind", kind), ("s.id", session_id), ("p.key", partner))
    for column, value in filters:
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    sql = _SESSION_SQL + (" WHERE " + " AND ".join(where) if where else "")
    rows = [_session(r) for r in db.conn.execute(sql, params)]
    if audience:
        rows = [r for r in rows if audience in r["audience"]]
    if not rows:
        return []
    exceptions: dict[tuple[int, str], dict[str, Any]] = {}
    ids = [r["id"] for r in rows]
    for chunk in _chunks(ids, 500):
        marks = ",".join("?" * len(chunk))
        for e in db.conn.execute(f"SELECT * FROM occurrence_exceptions WHERE session_id IN ({marks})", chunk):
            exceptions[(e["session_id"], e["date"])] = dict(e)
    margin = dt.timedelta(days=MAX_MOVE_DAYS)
    result = []
    for s in rows:
        rule = Rule.of(s)
        tz = ZoneInfo(s["timezone"])
        for day in rule.dates(start - margin, end + margin):
            occ = expand(s, day, exceptions.get((s["id"], day.isoformat())), tz)
            if start <= occ["start"].date() <= end:
                result.append(occ)
    result.sort(key=lambda o: (o["start"], o["site_name"], o["title"]))
    return result


def expand(s: dict[str, Any], day: dt.date, exception: dict[str, Any] | None, tz: ZoneInfo) -> dict[str, Any]:
    """One occurrence of session `s` on its original local date `day`, with its exception applied."""
    occ = {
        "session": s["id"],
        "date": day,
        "start": local(day, s["start_time"], tz),
        "end": local(day, s["end_time"], tz),
        "status": "scheduled",
        "reason": "",
        "room": s["room"],
        "original_start": None,
        "sequence": s["sequence"],
        **{
            k: s[k]
            for k in (
                "title",
                "kind",
                "axis",
                "audience",
                "languages",
                "registration",
                "capacity",
                "free",
                "partner",
                "partner_key",
                "partner_short",
                "partner_logo",
                "staff_count",
                "site",
                "site_name",
            )
        },
    }
    if exception:
        occ["status"] = exception["status"]
        occ["reason"] = exception["reason"]
        occ["sequence"] = s["sequence"] + exception["sequence"]
        if exception["status"] == "moved":
            new_day = dt.date.fromisoformat(exception["new_date"]) if exception["new_date"] else day
            occ["original_start"] = occ["start"]
            occ["start"] = local(new_day, exception["new_start"] or s["start_time"], tz)
            occ["end"] = local(new_day, exception["new_end"] or s["end_time"], tz)
            if occ["end"] <= occ["start"]:
                occ["end"] = occ["start"] + (local(day, s["end_time"], tz) - local(day, s["start_time"], tz))
            occ["room"] = exception["new_room"] or s["room"]
    return occ


def occurrence(db: sqlite_utils.Database, session_id: int, day: dt.date) -> dict[str, Any] | None:
    """The occurrence of a session on the local date of its original occurrence, or None."""
    s = session(db, session_id)
    if s is None or not Rule.of(s).occurs_on(day):
        return None
    return expand(s, day, s["exceptions"].get(day.isoformat()), ZoneInfo(s["timezone"]))


def changes(db: sqlite_utils.Database, since: dt.date, limit: int = 200) -> list[dict[str, Any]]:
    """Cancellations, moves and full occurrences whose occurrence is on or after `since`,
    most recently changed first: the "what changed" page and its Atom feed."""
    rows = db.conn.execute(
        """SELECT e.session_id FROM occurrence_exceptions e
           WHERE e.date >= ? OR e.new_date >= ? ORDER BY e.updated DESC LIMIT ?""",
        (since.isoformat(), since.isoformat(), limit),
    ).fetchall()
    out = []
    seen: set[int] = set()
    for (session_id,) in rows:
        if session_id in seen:
            continue
        seen.add(session_id)
        s = session(db, session_id)
        if s is None:
            continue
        tz = ZoneInfo(s["timezone"])
        for day_iso, e in s["exceptions"].items():
            day = dt.date.fromisoformat(day_iso)
            if day < since and not (e["new_date"] and e["new_date"] >= since.isoformat()):
                continue
            occ = expand(s, day, e, tz)
            occ["updated"] = dt.datetime.fromtimestamp(e["updated"], tz)
            out.append(occ)
    out.sort(key=lambda o: o["updated"], reverse=True)
    return out[:limit]


def _chunks(items: list[int], size: int) -> Iterable[list[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def last_changed(db: sqlite_utils.Database) -> float | None:
    """When the programme last changed (epoch seconds), for the Last-Modified of feeds; None if never."""
    row = db.conn.execute("SELECT value FROM programme_meta WHERE name = 'changed'").fetchone()
    return float(row[0]) if row else None


def is_demo(db: sqlite_utils.Database) -> bool:
    """Whether this programme is the demo's illustrative one."""
    row = db.conn.execute("SELECT value FROM programme_meta WHERE name = 'demo'").fetchone()
    return bool(row and row[0] == "1")


# -- the partners registry


def _partner(db: sqlite_utils.Database, row: Any) -> dict[str, Any]:
    p = dict(row)
    p["charters"] = [
        {"charter": c["charter"], "signed": c["signed"]}
        for c in db.conn.execute(
            "SELECT charter, signed FROM partner_charters WHERE partner_id = ? ORDER BY signed, charter", (p["id"],)
        )
    ]
    p["sites"] = [
        r[0]
        for r in db.conn.execute(
            "SELECT s.slug FROM partner_sites ps JOIN sites s ON s.id = ps.site_id WHERE ps.partner_id = ? "
            "ORDER BY s.name",
            (p["id"],),
        )
    ]
    return p


def partners(db: sqlite_utils.Database, circle: int | None = None) -> list[dict[str, Any]]:
    """Every partner by circle then name: id, key, name, short_name, kind, circle, logo (asset name or
    None), website, description, charters [{charter, signed}], sites [slug], created, updated."""
    sql = "SELECT * FROM partners" + (" WHERE circle = ?" if circle else "") + " ORDER BY circle, name COLLATE NOCASE"
    return [_partner(db, r) for r in db.conn.execute(sql, (circle,) if circle else ())]


def partner(db: sqlite_utils.Database, key: str) -> dict[str, Any] | None:
    """One partner by its key (same fields as `partners`), or None."""
    row = db.conn.execute("SELECT * FROM partners WHERE key = ?", (key,)).fetchone()
    return _partner(db, row) if row else None


def partner_by_id(db: sqlite_utils.Database, id: int) -> dict[str, Any] | None:
    """One partner by its id (a partner account's organisation), or None."""
    row = db.conn.execute("SELECT * FROM partners WHERE id = ?", (id,)).fetchone()
    return _partner(db, row) if row else None


def partner_sessions(db: sqlite_utils.Database, key: str) -> list[dict[str, Any]]:
    """The sessions a partner runs (fields of `session`, without exceptions), by site then title."""
    sql = _SESSION_SQL + " WHERE p.key = ? ORDER BY sites.name, s.title, s.id"
    return [_session(r) for r in db.conn.execute(sql, (key,))]


def partner_logo(db: sqlite_utils.Database, name: str) -> dict[str, Any] | None:
    """A logo's bytes and content type, by its content-hash name."""
    row = db.conn.execute("SELECT content_type, width, height, data FROM partner_logos WHERE name = ?", (name,))
    found = row.fetchone()
    return dict(found) if found else None


def partner_id(db: sqlite_utils.Database, value: str) -> int | None:
    """The id of the partner a key, name or short name designates (accents and case ignored), or None."""
    row = partners_model.find(db.conn.execute("SELECT id, key, name, short_name FROM partners").fetchall(), value)
    return row["id"] if row else None


# The sites' rooms (issue 19): see events/rooms.py.
rooms = rooms_model.rooms
room = rooms_model.room
room_names = rooms_model.names_by_site
