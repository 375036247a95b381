"""Writes of the referral directory, each run on the writer thread (`await db.write(lambda tx: ...)`).

Nothing here is announced on the bus: no live page shows resources, and the orientation answer is
computed on each request (it depends on the hour: what is open now).
"""

from __future__ import annotations

import json
import time
from typing import Any

from events import queries as programme
from quartier.db import Tx
from quartier.errors import Problem
from quartier.i18n import N_
from referral import needs
from referral.model import IMPORTED, JSON_COLUMNS, STAFF_FIELDS, STAFF_ONLY
from referral.queries import resource_row


def _encode(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for name in JSON_COLUMNS:
        if name in out:
            out[name] = json.dumps(out[name], ensure_ascii=False)
    if "remote" in out:
        out["remote"] = int(bool(out["remote"]))
    return out


def save_resource(tx: Tx, r: dict[str, Any], *, id: int | None = None) -> int:
    """Create (id None) or update a resource as staff typed it, with the needs staff ticked (None: the defaults).

    An imported resource keeps what its file says: staff change only its kind, its access
    description, languages, accessibility and needs (the next import would undo the rest).
    """
    row = _encode({k: r[k] for k in STAFF_FIELDS})
    now = time.time()
    if id is not None and _existing(tx, id)["origin"]:
        row = {k: v for k, v in row.items() if k in STAFF_ONLY}
    if id is None:
        cur = tx.execute(
            f"INSERT INTO referral_resources ({', '.join(row)}, created, updated) "
            f"VALUES ({', '.join('?' * len(row))}, ?, ?) RETURNING id",
            [*row.values(), now, now],
        )
        id = int(cur.fetchone()[0])
    else:
        tx.execute(
            f"UPDATE referral_resources SET {', '.join(f'{k} = ?' for k in row)}, updated = ? WHERE id = ?",
            [*row.values(), now, id],
        )
    if r.get("needs") is None:
        return id
    ticked = set(r["needs"])
    found = resource_row(tx.execute("SELECT * FROM referral_resources WHERE id = ?", (id,)).fetchone())
    defaults = {n.id for n in needs.NEEDS if needs.default_place_match(n, found)}
    tx.execute("DELETE FROM referral_resource_needs WHERE resource_id = ?", (id,))
    for n in needs.NEEDS:
        if (n.id in ticked) != (n.id in defaults):
            tx.execute(
                "INSERT INTO referral_resource_needs (resource_id, need, served) VALUES (?, ?, ?)",
                (id, n.id, int(n.id in ticked)),
            )
    return id


def _existing(tx: Tx, id: int) -> Any:
    row = tx.execute("SELECT * FROM referral_resources WHERE id = ?", (id,)).fetchone()
    if row is None:
        raise Problem(404, "not_found", N_("Ce lieu n'est pas dans l'annuaire."))
    return row


def delete_resource(tx: Tx, id: int) -> None:
    _existing(tx, id)
    tx.execute("DELETE FROM referral_resources WHERE id = ?", (id,))


def upsert_imported(tx: Tx, origin: str, r: dict[str, Any], kind: str) -> str:
    """One imported record: created, updated (only the file's columns) or unchanged (nothing written)."""
    row = _encode({k: r[k] for k in IMPORTED})
    existing = tx.execute("SELECT * FROM referral_resources WHERE origin = ?", (origin,)).fetchone()
    now = time.time()
    if existing is None:
        tx.execute(
            f"INSERT INTO referral_resources (origin, kind, {', '.join(row)}, created, updated) "
            f"VALUES (?, ?, {', '.join('?' * len(row))}, ?, ?)",
            [origin, kind, *row.values(), now, now],
        )
        return "created"
    if all(existing[k] == v for k, v in row.items()):
        return "unchanged"
    tx.execute(
        f"UPDATE referral_resources SET {', '.join(f'{k} = ?' for k in row)}, updated = ? WHERE id = ?",
        [*row.values(), now, existing["id"]],
    )
    return "updated"


def set_needs_of(tx: Tx, need: str, *, sessions: set[int], places: set[int]) -> int:
    """Which sessions and places serve one need, as staff ticked them; returns how many changed.

    Only what differs from the defaults is kept, so a later change of a session's title or a
    place's thématiques still moves the ones staff never touched.
    """
    n = needs.BY_ID[need]
    changed = 0
    for s in programme.sessions(tx.db):
        changed += _override(tx, "session", s["id"], need, s["id"] in sessions, needs.default_session_match(n, s))
    for row in tx.execute("SELECT * FROM referral_resources").fetchall():
        p = resource_row(row)
        changed += _override(tx, "resource", p["id"], need, p["id"] in places, needs.default_place_match(n, p))
    return changed


def _override(tx: Tx, item: str, id: int, need: str, wanted: bool, default: bool) -> int:
    table, column = (
        ("referral_session_needs", "session_id") if item == "session" else ("referral_resource_needs", "resource_id")
    )
    before = tx.execute(f"SELECT served FROM {table} WHERE {column} = ? AND need = ?", (id, need)).fetchone()
    now_served = bool(before["served"]) if before else default
    tx.execute(f"DELETE FROM {table} WHERE {column} = ? AND need = ?", (id, need))
    if wanted != default:
        tx.execute(f"INSERT INTO {table} ({column}, need, served) VALUES (?, ?, ?)", (id, need, int(wanted)))
    return int(now_served != wanted)


def count_slip(tx: Tx, *, month: str, need: str, site: str, target: str, destination: str, kind: str) -> None:
    """One more printed slip: counted, with nothing about the person."""
    tx.execute(
        """INSERT INTO referral_slips (month, need, site, target, destination, destination_kind, count)
           VALUES (?, ?, ?, ?, ?, ?, 1)
           ON CONFLICT (month, need, site, target) DO UPDATE SET count = referral_slips.count + 1, destination = excluded.destination""",
        (month, need, site, target, destination, kind),
    )
