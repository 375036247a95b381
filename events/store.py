"""Writes to the programme. Each function runs on the writer thread (`await db.write(lambda tx: ...)`)
and announces what it changed on the bus, in the same transaction, on `programme` and `site:{slug}`.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import time
from typing import Any

from events import changes, partners, registrations, rooms
from events.model import Rule, slugify
from quartier.db import Tx
from quartier.errors import Problem
from quartier.i18n import N_

SITE_COLUMNS = (
    "slug",
    "name",
    "neighbourhood",
    "address",
    "postal_code",
    "commune",
    "insee",
    "latitude",
    "longitude",
    "opening_hours",
    "accessibility",
    "phone",
    "contact",
    "email",
    "website",
    "timezone",
    "siret",
    "typologie",
    "mobile",
)


def announce(tx: Tx, sites: list[str] | set[str], type: str, data: dict[str, Any]) -> None:
    """Record a programme change on `programme` and on the channel of every site it touches."""
    tx.change(changes.PROGRAMME, type, data)
    # When the programme last changed: the Last-Modified of its feeds and exports.
    tx.execute(
        "INSERT INTO programme_meta (name, value) VALUES ('changed', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        (repr(time.time()),),
    )
    for slug in sorted(set(sites)):
        tx.change(changes.site_channel(slug), type, data)


def site_row(site: dict[str, Any]) -> dict[str, Any]:
    row = {k: site[k] for k in SITE_COLUMNS}
    row["accessibility"] = json.dumps(site["accessibility"], ensure_ascii=False)
    return row


def save_site(tx: Tx, site: dict[str, Any], *, old_slug: str | None = None) -> tuple[int, str]:
    """Create or update a site (by old_slug, else by its slug). Returns (id, "created"|"updated"|"unchanged")."""
    row = site_row(site)
    existing = tx.execute("SELECT * FROM sites WHERE slug = ?", (old_slug or site["slug"],)).fetchone()
    if old_slug and existing is None:
        raise Problem(404, "not_found", N_("Ce lieu n'existe pas."))
    if existing is not None and site["slug"] != existing["slug"]:
        if tx.execute("SELECT 1 FROM sites WHERE slug = ?", (site["slug"],)).fetchone():
            raise Problem(409, "slug_taken", N_("L'identifiant « {slug} » est déjà pris."), slug=site["slug"])
    if existing is None:
        cur = tx.execute(
            f"INSERT INTO sites ({', '.join(row)}, updated) VALUES ({', '.join('?' * len(row))}, ?) RETURNING id",
            [*row.values(), time.time()],
        )
        announce(tx, [site["slug"]], changes.SITE_CREATED, {"site": site["slug"]})
        return int(cur.fetchone()[0]), "created"
    if all(existing[k] == v for k, v in row.items()):
        return existing["id"], "unchanged"
    tx.execute(
        f"UPDATE sites SET {', '.join(f'{k} = ?' for k in row)}, updated = ? WHERE id = ?",
        [*row.values(), time.time(), existing["id"]],
    )
    announce(tx, {existing["slug"], site["slug"]}, changes.SITE_UPDATED, {"site": site["slug"]})
    return existing["id"], "updated"


def delete_site(tx: Tx, slug: str) -> None:
    row = tx.execute("SELECT id FROM sites WHERE slug = ?", (slug,)).fetchone()
    if row is None:
        raise Problem(404, "not_found", N_("Ce lieu n'existe pas."))
    tx.execute("DELETE FROM sites WHERE id = ?", (row["id"],))
    announce(tx, [slug], changes.SITE_DELETED, {"site": slug})


def session_row(s: dict[str, Any], site_id: int, partner_id: int | None = None) -> dict[str, Any]:
    repeat = s.get("repeat") or {}
    return {
        "site_id": site_id,
        "title": s["title"],
        "description": s["description"],
        "kind": s["kind"],
        "axis": s["axis"],
        "room": s["room"],
        "first_date": s["date"].isoformat(),
        "start_time": s["start"],
        "end_time": s["end"],
        "repeat_every": repeat.get("every"),
        "repeat_interval": repeat.get("interval") or 1,
        "repeat_until": repeat["until"].isoformat() if repeat.get("until") else None,
        "repeat_count": repeat.get("count"),
        "audience": json.dumps(s["audience"], ensure_ascii=False),
        "languages": json.dumps(s["languages"], ensure_ascii=False),
        "registration": int(s["registration"]),
        "capacity": s["capacity"],
        "partner_id": partner_id,
        "staff_count": s.get("staff_count") or 1,
        "free": int(s["free"]),
    }


def _site_id(tx: Tx, slug: str) -> int:
    row = tx.execute("SELECT id FROM sites WHERE slug = ?", (slug,)).fetchone()
    if row is None:
        raise Problem(422, "unknown_site", N_("Lieu inconnu : « {slug} »."), slug=slug)
    return row["id"]


def save_session(tx: Tx, s: dict[str, Any], *, id: int | None = None) -> tuple[int, str]:
    """Create or update a session: by id when given, else by its key. Returns (id, outcome)."""
    row = session_row(s, _site_id(tx, s["site"]), partners.resolve(tx, s.get("partner") or ""))
    rooms.ensure(tx, row["site_id"], s["room"])
    if id is not None:
        existing = tx.execute("SELECT * FROM sessions WHERE id = ?", (id,)).fetchone()
        if existing is None:
            raise Problem(404, "not_found", N_("Cette séance n'existe pas."))
    elif s.get("key"):
        existing = tx.execute("SELECT * FROM sessions WHERE key = ?", (s["key"],)).fetchone()
    else:
        existing = None
    key = s.get("key") or (existing["key"] if existing else f"{slugify(s['title'])[:40]}-{secrets.token_hex(3)}")
    if existing is None:
        now = time.time()
        cur = tx.execute(
            f"INSERT INTO sessions (key, {', '.join(row)}, created, updated) "
            f"VALUES (?, {', '.join('?' * len(row))}, ?, ?) RETURNING id",
            [key, *row.values(), now, now],
        )
        session_id = int(cur.fetchone()[0])
        announce(tx, [s["site"]], changes.SESSION_CREATED, {"session": session_id, "site": s["site"]})
        return session_id, "created"
    if key != existing["key"] and tx.execute("SELECT 1 FROM sessions WHERE key = ?", (key,)).fetchone():
        raise Problem(409, "key_taken", N_("La clé « {key} » est déjà prise."), key=key)
    if key == existing["key"] and all(existing[k] == v for k, v in row.items()):
        return existing["id"], "unchanged"
    old_site = tx.execute("SELECT slug FROM sites WHERE id = ?", (existing["site_id"],)).fetchone()["slug"]
    tx.execute(
        f"UPDATE sessions SET key = ?, {', '.join(f'{k} = ?' for k in row)}, sequence = sequence + 1, updated = ? "
        "WHERE id = ?",
        [key, *row.values(), time.time(), existing["id"]],
    )
    announce(tx, {old_site, s["site"]}, changes.SESSION_UPDATED, {"session": existing["id"], "site": s["site"]})
    if s["capacity"] != existing["capacity"]:  # more places: the waiting list moves up
        registrations.fill_session(tx, existing["id"], dt.datetime.now(dt.UTC))
    return existing["id"], "updated"


def delete_session(tx: Tx, id: int) -> None:
    row = tx.execute(
        "SELECT sites.slug FROM sessions JOIN sites ON sites.id = sessions.site_id WHERE sessions.id = ?", (id,)
    ).fetchone()
    if row is None:
        raise Problem(404, "not_found", N_("Cette séance n'existe pas."))
    tx.execute("DELETE FROM sessions WHERE id = ?", (id,))
    announce(tx, [row["slug"]], changes.SESSION_DELETED, {"session": id, "site": row["slug"]})


EXCEPTION_COLUMNS = ("status", "reason", "new_date", "new_start", "new_end", "new_room")


def set_exception(tx: Tx, session_id: int, e: dict[str, Any]) -> str:
    """Cancel, move or mark full one occurrence (status "scheduled" restores it). Returns the outcome."""
    s = tx.execute(
        "SELECT sessions.*, sites.slug AS site FROM sessions JOIN sites ON sites.id = sessions.site_id "
        "WHERE sessions.id = ?",
        (session_id,),
    ).fetchone()
    if s is None:
        raise Problem(404, "not_found", N_("Cette séance n'existe pas."))
    day = e["date"]
    if not Rule.of(s).occurs_on(day):
        raise Problem(422, "no_occurrence", N_("Cette séance n'a pas lieu le {date}."), date=day.isoformat())
    existing = tx.execute(
        "SELECT * FROM occurrence_exceptions WHERE session_id = ? AND date = ?", (session_id, day.isoformat())
    ).fetchone()
    data = {"session": session_id, "date": day.isoformat(), "site": s["site"], "status": e["status"]}
    if e["status"] == "scheduled":
        if existing is None:
            return "unchanged"
        tx.execute("DELETE FROM occurrence_exceptions WHERE session_id = ? AND date = ?", (session_id, day.isoformat()))
        # Restoring still raises the occurrence's iCal SEQUENCE: the master's sequence goes up.
        tx.execute("UPDATE sessions SET sequence = sequence + 1 WHERE id = ?", (session_id,))
        announce(tx, [s["site"]], changes.OCCURRENCE_RESTORED, data)
        registrations.fill(tx, session_id, day, dt.datetime.now(dt.UTC))  # no longer full: places for the waiting list
        return "updated"
    values = {
        "status": e["status"],
        "reason": e.get("reason") or "",
        "new_date": e["new_date"].isoformat() if e["status"] == "moved" and e.get("new_date") else None,
        "new_start": e.get("new_start") if e["status"] == "moved" else None,
        "new_end": e.get("new_end") if e["status"] == "moved" else None,
        "new_room": (e.get("new_room") or None) if e["status"] == "moved" else None,
    }
    if existing is not None and all(existing[k] == v for k, v in values.items()):
        return "unchanged"
    if existing is None:
        tx.execute(
            f"INSERT INTO occurrence_exceptions (session_id, date, {', '.join(values)}, sequence, updated) "
            f"VALUES (?, ?, {', '.join('?' * len(values))}, 1, ?)",
            [session_id, day.isoformat(), *values.values(), time.time()],
        )
    else:
        tx.execute(
            f"UPDATE occurrence_exceptions SET {', '.join(f'{k} = ?' for k in values)}, sequence = sequence + 1, "
            "updated = ? WHERE session_id = ? AND date = ?",
            [*values.values(), time.time(), session_id, day.isoformat()],
        )
    if (existing is not None and existing["status"] == "cancelled") != (e["status"] == "cancelled"):
        # The series' EXDATE list changes: calendars take the new master only if its SEQUENCE rises.
        tx.execute("UPDATE sessions SET sequence = sequence + 1 WHERE id = ?", (session_id,))
    data.update(
        reason=values["reason"], new_date=values["new_date"], start=values["new_start"], room=values["new_room"]
    )
    announce(tx, [s["site"]], changes.occurrence_changed(e["status"]), data)
    return "created" if existing is None else "updated"
