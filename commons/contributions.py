"""Contributions: what each partner puts in, year by year.

Salaried hours are computed from the programme: the held occurrences of the sessions a partner
runs (not cancelled, day over) × their duration × their staff count; nobody types them twice.
Everything else (volunteer hours, room half-days, equipment lent, services, money) is typed as a
line with a date inside its year and a note. The same checks serve the staff form, the partner
account's form and the API, so all three refuse exactly the same things (422 with the field).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from typing import Any

import sqlite_utils

from commons import changes
from commons.valuation import ITEMS, TYPED
from events import hours, partners, queries
from events.model import AXES
from quartier.db import Tx
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields

MAX_QUANTITY = 10_000_000


def period(year: int, today: dt.date) -> tuple[dt.date, dt.date]:
    """The year's first day and its last day already over (an empty period for a year not begun)."""
    return dt.date(year, 1, 1), min(dt.date(year, 12, 31), today - dt.timedelta(days=1))


_SAY_QUANTITY = {
    "required": N_("Indiquez une quantité (un nombre)."),
    "number": N_("Indiquez une quantité (un nombre)."),
}


def clean(data: Mapping[str, Any], rows: list[Any], site_slugs: set[str]) -> dict[str, Any]:
    """A typed contribution's fields, checked; `rows` are the registry's partners. Raises Invalid."""
    c = Fields(_decimal_comma(data), collect=True)
    if data.get("kind") == "salaried_hours":
        c.fail("kind", N_("Les heures salariées se calculent à partir du programme : ne les saisissez pas."))
    line: dict[str, Any] = {
        "partner": c.text("partner", required=True, max_length=120),
        "year": c.integer("year", minimum=2000, maximum=2100),
        "date": c.date("date", required=True),
        "quantity": c.number(
            "quantity", minimum=-MAX_QUANTITY, maximum=MAX_QUANTITY, required=True, message=_SAY_QUANTITY
        ),
        "kind": c.choice("kind", TYPED, required=True),
        "item": None,
        "site": c.text("site", max_length=60) or None,
        "axis": c.choice("axis", AXES),
        "note": c.text("note", max_length=500, multiline=True),
    }
    if line["kind"] == "equipment":
        line["item"] = c.choice("item", ITEMS, required=True)
    if line["quantity"] is not None and line["quantity"] < 0:
        c.fail("quantity", N_("Une contribution ne peut pas être négative."))
    elif line["quantity"] == 0:
        c.fail("quantity", N_("Indiquez une quantité positive."))
    found = partners.find(rows, line["partner"]) if line["partner"] else None
    if line["partner"] and found is None:
        c.fail("partner", N_("Partenaire inconnu : « {partner} »."), partner=line["partner"])
    line["partner_id"] = found["id"] if found else None
    if line["year"] is None and not c.has("year") and line["date"]:
        line["year"] = line["date"].year
    if line["date"] and line["year"] and line["date"].year != line["year"]:
        c.fail("date", N_("La date doit être dans l'année {year}."), year=line["year"])
    if line["site"] and line["site"] not in site_slugs:
        c.fail("site", N_("Lieu inconnu : « {slug} »."), slug=line["site"])
    c.done()
    return line


def _decimal_comma(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """The form's "12,5" (a French decimal comma, spaces between thousands) as 12.5."""
    quantity = data.get("quantity")
    if not isinstance(quantity, str):
        return data
    return {**{k: data.get(k) for k in data}, "quantity": quantity.strip().replace(",", ".").replace(" ", "")}


def add(tx: Tx, line: dict[str, Any], user_id: int | None) -> int:
    """Record a typed contribution; announced to the budget's live pages."""
    site_id = None
    if line["site"]:
        site_id = tx.execute("SELECT id FROM sites WHERE slug = ?", (line["site"],)).fetchone()[0]
    id = tx.execute(
        "INSERT INTO commons_contributions (partner_id, year, kind, item, quantity, date, site_id, axis, note, "
        "created, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            line["partner_id"],
            line["year"],
            line["kind"],
            line["item"],
            line["quantity"],
            line["date"].isoformat(),
            site_id,
            line["axis"],
            line["note"],
            time.time(),
            user_id,
        ),
    ).fetchone()[0]
    tx.change(changes.CONTRIBUTIONS, changes.CONTRIBUTION_ADDED, {"id": id, "year": line["year"]})
    return id


def delete(tx: Tx, id: int, partner_id: int | None = None) -> None:
    """Remove a line (a partner account only its own organisation's: others are not found)."""
    row = tx.execute("SELECT partner_id, year FROM commons_contributions WHERE id = ?", (id,)).fetchone()
    if row is None or (partner_id is not None and row["partner_id"] != partner_id):
        raise Problem(404, "not_found", N_("Cette contribution n'existe pas."))
    tx.execute("DELETE FROM commons_contributions WHERE id = ?", (id,))
    tx.change(changes.CONTRIBUTIONS, changes.CONTRIBUTION_REMOVED, {"id": id, "year": row["year"]})


def typed(db: sqlite_utils.Database, year: int, partner_id: int | None = None) -> list[dict[str, Any]]:
    """The typed lines of a year (of one partner), by date: id, partner_id, partner (key), partner_name,
    kind, item, quantity, date, site (slug or None), site_name, axis, note."""
    sql = """SELECT c.*, p.key AS partner, p.name AS partner_name, s.slug AS site, s.name AS site_name
             FROM commons_contributions c JOIN partners p ON p.id = c.partner_id
             LEFT JOIN sites s ON s.id = c.site_id WHERE c.year = ?"""
    params: list[Any] = [year]
    if partner_id is not None:
        sql += " AND c.partner_id = ?"
        params.append(partner_id)
    return [dict(r) for r in db.conn.execute(sql + " ORDER BY c.date, p.name, c.id", params)]


def salaried(db: sqlite_utils.Database, year: int, today: dt.date, partner: str | None = None) -> list[dict[str, Any]]:
    """The salaried hours of a year computed from the programme, one row per session run by a partner:
    partner (key), partner_name, session, title, site, site_name, axis, held, staff_count, hours."""
    start, until = period(year, today)
    if until < start:
        return []
    rows: dict[int, dict[str, Any]] = {}
    for o in queries.occurrences(db, start, until, partner=partner):
        if o["status"] == "cancelled" or not o["partner_key"]:
            continue
        row = rows.setdefault(
            o["session"],
            {
                "partner": o["partner_key"],
                "partner_name": o["partner"],
                "session": o["session"],
                "title": o["title"],
                "site": o["site"],
                "site_name": o["site_name"],
                "axis": o["axis"],
                "held": 0,
                "staff_count": o["staff_count"],
                "hours": 0.0,
            },
        )
        row["held"] += 1
        row["hours"] += hours.hours_of(o) * o["staff_count"]
    for row in rows.values():
        row["hours"] = round(row["hours"], 2)
    return sorted(rows.values(), key=lambda r: (r["partner_name"].casefold(), r["site_name"], r["title"]))
