"""The equipment bank (issue 19, point 1): shared means lent between partners, booked over half-days.

An item has an owner partner and a home site. Staff and partner accounts ask for it over a span of
half-days (from a date's morning or afternoon to another's), with a purpose and the session it
serves. A span that meets another booking still standing (waiting, accepted, or out) is refused
with that booking named; an item out past its end is out until it comes back. The owner (its
partner account) or an organizer accepts or refuses; check-out and return note the condition.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Mapping
from typing import Any

import sqlite_utils

from commons import changes
from quartier.db import Tx
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields

KINDS = {
    "vehicle": N_("Véhicule"),
    "laptop_case": N_("Valise d'ordinateurs portables"),
    "tablet_case": N_("Valise de tablettes"),
    "router_4g": N_("Routeur 4G"),
    "projector": N_("Vidéoprojecteur"),
    "teaching_kit": N_("Kit pédagogique"),
    "kiosk": N_("Borne"),
    "other": N_("Autre"),
}
CONDITIONS = {"good": N_("Bon état"), "worn": N_("Usé"), "damaged": N_("Abîmé"), "unusable": N_("Inutilisable")}
NEEDS = {"licence": N_("Permis de conduire"), "trained": N_("Une personne formée")}
HALVES = {"morning": N_("matin"), "afternoon": N_("après-midi")}
STATES = {
    "pending": N_("En attente de réponse"),
    "accepted": N_("Acceptée"),
    "refused": N_("Refusée"),
    "withdrawn": N_("Retirée"),
    "out": N_("Sorti"),
    "returned": N_("Rendu"),
}
STANDING = ("pending", "accepted", "out")  # bookings that hold the item
MAX_HALF_DAYS = 2 * 92  # a booking spans three months at most


def slot(day: dt.date, half: str) -> int:
    """A half-day as a number: consecutive half-days are consecutive numbers."""
    return day.toordinal() * 2 + (half == "afternoon")


def clean_means(data: Mapping[str, Any], partner_ids: set[int], site_ids: set[int]) -> dict[str, Any]:
    c = Fields(data, collect=True, numbers_as_text=True)
    m = {
        "name": c.text("name", required=True, max_length=120),
        "kind": c.choice("kind", KINDS, required=True),
        "partner_id": c.id("partner_id", required=True),
        "site_id": c.id("site_id"),
        "description": c.text("description", max_length=2000, multiline=True),
        "condition": c.choice("condition", CONDITIONS, "good"),
        "needs": [n for n in c.strings("needs", max_items=len(NEEDS)) if n in NEEDS],
    }
    if m["partner_id"] is not None and m["partner_id"] not in partner_ids:
        c.fail("partner_id", N_("Partenaire inconnu."))
    if m["site_id"] is not None and m["site_id"] not in site_ids:
        c.fail("site_id", N_("Ce lieu n'existe pas."))
    c.done()
    return m


def save_means(tx: Tx, m: dict[str, Any], id: int | None = None) -> int:
    values = (m["name"], m["kind"], m["partner_id"], m["site_id"], m["description"], m["condition"])
    needs = json.dumps(m["needs"])
    now = time.time()
    if id is None:
        id = tx.execute(
            """INSERT INTO commons_means (name, kind, partner_id, site_id, description, condition, needs, created,
                   updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            (*values, needs, now, now),
        ).fetchone()[0]
    elif not tx.execute(
        """UPDATE commons_means SET name = ?, kind = ?, partner_id = ?, site_id = ?, description = ?, condition = ?,
               needs = ?, updated = ? WHERE id = ?""",
        (*values, needs, now, id),
    ).rowcount:
        raise Problem(404, "not_found", N_("Ce matériel n'existe pas."))
    tx.change(changes.MEANS, changes.MEANS_CHANGED, {"id": id})
    return int(id or 0)


def delete_means(tx: Tx, id: int, today: dt.date) -> None:
    """Refused (409, listing them) while bookings still to come hold the item."""
    future = [b for b in bookings(tx.db, means_id=id) if b["state"] in STANDING and b["end_date"] >= today.isoformat()]
    if future:
        listed = "; ".join(f"{b['start_date']} → {b['end_date']} ({b['borrower']})" for b in future)
        raise Problem(409, "booked", N_("Ce matériel a des réservations à venir : {bookings}."), bookings=listed)
    if not tx.execute("DELETE FROM commons_means WHERE id = ?", (id,)).rowcount:
        raise Problem(404, "not_found", N_("Ce matériel n'existe pas."))
    tx.change(changes.MEANS, changes.MEANS_CHANGED, {"id": id})


_MEANS_SQL = """SELECT m.*, p.key AS owner_key, p.name AS owner, s.slug AS site, s.name AS site_name,
                s.phone AS site_phone, s.contact AS site_contact
                FROM commons_means m JOIN partners p ON p.id = m.partner_id LEFT JOIN sites s ON s.id = m.site_id"""


def _means(row: Any) -> dict[str, Any]:
    m = dict(row)
    m["needs"] = json.loads(m["needs"])
    return m


def catalogue(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every item by kind then name, with its owner (owner, owner_key) and home site (site, site_name)."""
    return [_means(r) for r in db.conn.execute(_MEANS_SQL + " ORDER BY m.kind, m.name, m.id")]


def item(db: sqlite_utils.Database, id: int) -> dict[str, Any] | None:
    row = db.conn.execute(_MEANS_SQL + " WHERE m.id = ?", (id,)).fetchone()
    return _means(row) if row else None


def bookings(
    db: sqlite_utils.Database, *, means_id: int | None = None, partner_id: int | None = None, state: str | None = None
) -> list[dict[str, Any]]:
    """Bookings by start: the row, plus means (the item's name), borrower (the partner's name, or "")."""
    sql = """SELECT b.*, m.name AS means, m.partner_id AS owner_id, coalesce(p.name, '') AS borrower,
                    se.title AS session_title
             FROM commons_bookings b JOIN commons_means m ON m.id = b.means_id
             LEFT JOIN partners p ON p.id = b.partner_id LEFT JOIN sessions se ON se.id = b.session_id WHERE 1 = 1"""
    params: list[Any] = []
    for column, value in (("b.means_id", means_id), ("b.partner_id", partner_id), ("b.state", state)):
        if value is not None:
            sql += f" AND {column} = ?"
            params.append(value)
    return [dict(r) for r in db.conn.execute(sql + " ORDER BY b.start_date, b.start_half DESC, b.id", params)]


def late(db: sqlite_utils.Database, today: dt.date) -> list[dict[str, Any]]:
    """Items out whose booking ended before today: the late list."""
    return [b for b in bookings(db, state="out") if b["end_date"] < today.isoformat()]


def clean_booking(data: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    c = Fields(data, collect=True, numbers_as_text=True)
    b: dict[str, Any] = {
        "start_date": c.date("start_date", required=True),
        "start_half": c.choice("start_half", HALVES, "morning"),
        "end_date": c.date("end_date", required=True),
        "end_half": c.choice("end_half", HALVES, "afternoon"),
        "purpose": c.text("purpose", required=True, max_length=300),
        "session_id": c.id("session_id"),
        "partner": c.text("partner", max_length=120),
    }
    if b["start_date"] and b["start_date"] < today:
        c.fail("start_date", N_("Cette date est passée : choisissez une date à venir."), code="past")
    if b["start_date"] and b["end_date"]:
        first, last = slot(b["start_date"], b["start_half"]), slot(b["end_date"], b["end_half"])
        if last < first:
            c.fail("end_date", N_("La fin doit suivre le début."), code="end_before_start")
        elif last - first >= MAX_HALF_DAYS:
            c.fail("end_date", N_("Une réservation dure au plus trois mois."))
    c.done()
    return b


def conflict(db: sqlite_utils.Database, means_id: int, b: dict[str, Any], today: dt.date) -> Problem | None:
    """The standing booking the span meets, named (an item out past its end is out until it is back)."""
    first, last = slot(b["start_date"], b["start_half"]), slot(b["end_date"], b["end_half"])
    for other in bookings(db, means_id=means_id):
        if other["state"] not in STANDING:
            continue
        o_first = slot(dt.date.fromisoformat(other["start_date"]), other["start_half"])
        o_last = slot(dt.date.fromisoformat(other["end_date"]), other["end_half"])
        if other["state"] == "out" and o_last < slot(today, "morning"):
            o_last = slot(dt.date.max, "afternoon")  # late: out until it is back, however long that takes
        if first <= o_last and o_first <= last:
            code = "out" if other["state"] == "out" else "booked"
            message = (
                N_("Ce matériel est sorti ({who}, depuis le {start}) et pas encore rendu.")
                if code == "out"
                else N_("Déjà réservé du {start} au {end} par {who} : « {purpose} ».")
            )
            who = other["borrower"] or N_("l'équipe du programme")
            return Problem(
                409, code, message, start=other["start_date"], end=other["end_date"], who=who, purpose=other["purpose"]
            )
    return None


def book(
    tx: Tx, means_id: int, b: dict[str, Any], partner_id: int | None, author_id: int | None, today: dt.date
) -> int:
    """A waiting booking, or a 409 naming the booking it meets."""
    if item(tx.db, means_id) is None:
        raise Problem(404, "not_found", N_("Ce matériel n'existe pas."))
    problem = conflict(tx.db, means_id, b, today)
    if problem is not None:
        raise problem
    id = tx.execute(
        """INSERT INTO commons_bookings (means_id, partner_id, author_id, start_date, start_half, end_date, end_half,
               purpose, session_id, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
        (
            means_id,
            partner_id,
            author_id,
            b["start_date"].isoformat(),
            b["start_half"],
            b["end_date"].isoformat(),
            b["end_half"],
            b["purpose"],
            b["session_id"],
            time.time(),
        ),
    ).fetchone()[0]
    tx.change(changes.MEANS, changes.BOOKING_CREATED, {"id": id, "means": means_id})
    return int(id)


# What each answer does: (states it applies to, the state it leads to).
MOVES = {
    "accept": (("pending",), "accepted"),
    "refuse": (("pending",), "refused"),
    "withdraw": (("pending", "accepted"), "withdrawn"),
    "checkout": (("accepted",), "out"),
    "return": (("out",), "returned"),
}


def booking(db: sqlite_utils.Database, id: int) -> dict[str, Any] | None:
    return next((b for b in bookings(db) if b["id"] == id), None)


def move(tx: Tx, id: int, action: str, note: str, user_id: int | None) -> dict[str, Any]:
    """Answer a booking (accept, refuse), or note its check-out and return with the item's condition."""
    b = booking(tx.db, id)
    if b is None:
        raise Problem(404, "not_found", N_("Cette réservation n'existe pas."))
    allowed, new = MOVES[action]
    if b["state"] not in allowed:
        raise Problem(409, "wrong_state", N_("Cette réservation est déjà : {state}."), state=STATES[b["state"]])
    now = time.time()
    columns = {"state": new, "decided": now, "decided_by": user_id}
    if action == "refuse":
        columns["reason"] = note
    elif action == "checkout":
        columns |= {"out_at": now, "out_note": note}
    elif action == "return":
        columns |= {"returned_at": now, "return_note": note}
    tx.execute(
        f"UPDATE commons_bookings SET {', '.join(f'{k} = ?' for k in columns)} WHERE id = ?", (*columns.values(), id)
    )
    tx.change(changes.MEANS, changes.BOOKING_CHANGED, {"id": id, "means": b["means_id"], "state": new})
    return {**b, **columns}
