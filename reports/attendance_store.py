"""Attendance: how many people came to each held occurrence, and anonymous tallies about them.

One row per occurrence (session id and the local date of its original occurrence, as in
events.queries): `count`, then optional tallies: first visits, age bands (those of the Coop de la
médiation numérique's activity reports), the need they came with (the referral catalogue's ids),
how many were referred elsewhere. No names, no personal data: numbers only.

An occurrence that was on the programme but did not happen is recorded as not held (`held` 0) with
a reason: the annual report counts it apart and gives it no hours. A count is refused (422) for an
occurrence that does not exist, is cancelled or is still to come, and when tallies say more than
the count.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import sqlite_utils
from sqlite_utils import Migrations

from events import queries
from quartier.db import Tx
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields
from referral import queries as referral_queries
from reports import changes

migrations = Migrations("attendance")

MAX_COUNT = 1000  # more people than a forum day ever gathers: a typo
# The age bands of the Coop de la médiation numérique's reports ("Tranche d'âge du bénéficiaire").
AGE_BANDS: dict[str, str] = {
    "mineur": N_("Mineur(e)"),
    "18-24": N_("18 - 24 ans"),
    "25-39": N_("25 - 39 ans"),
    "40-59": N_("40 - 59 ans"),
    "60-69": N_("60 - 69 ans"),
    "70-plus": N_("70 ans ou plus"),
}


@migrations(name="0001_attendance")
def _schema(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE attendance (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            date TEXT NOT NULL,                  -- local date of the original occurrence
            held INTEGER NOT NULL DEFAULT 1,     -- 0: on the programme but did not happen
            reason TEXT NOT NULL DEFAULT '',     -- why it was not held
            count INTEGER NOT NULL DEFAULT 0 CHECK (count >= 0),
            first_visit INTEGER CHECK (first_visit >= 0),  -- NULL: not tallied
            referred INTEGER CHECK (referred >= 0),
            ages TEXT NOT NULL DEFAULT '{}',     -- JSON {band: n}
            needs TEXT NOT NULL DEFAULT '{}',    -- JSON {need id: n}
            recorded_by TEXT NOT NULL DEFAULT '',
            updated REAL NOT NULL,
            PRIMARY KEY (session_id, date)
        )"""
    )


def _row(row: Any) -> dict[str, Any]:
    r = dict(row)
    r["held"] = bool(r["held"])
    r["ages"] = json.loads(r["ages"])
    r["needs"] = json.loads(r["needs"])
    return r


def need_ids() -> list[str]:
    return [n.id for n in referral_queries.needs()]


def clean(data: Any) -> dict[str, Any]:
    """A count from JSON or a form: {"date", "count", "held"?, "reason"?, "first_visit"?, "referred"?,
    "ages"? {band: n}, "needs"? {need: n}}; 422 with the field at the first problem."""
    f = Fields(data)
    out: dict[str, Any] = {"date": f.date("date", required=True), "held": f.boolean("held", default=True)}
    out["reason"] = f.text("reason", max_length=300)
    if not out["held"]:
        out.update(count=0, first_visit=None, referred=None, ages={}, needs={})
        return out
    out["count"] = f.integer(
        "count",
        minimum=0,
        maximum=MAX_COUNT,
        required=True,
        message=N_("Le nombre de personnes va de 0 à {max}."),
        code="invalid_count",
    )
    for name in ("first_visit", "referred"):
        out[name] = f.integer(name, minimum=0, maximum=MAX_COUNT)
    out["ages"] = _tallies(f, "ages", AGE_BANDS)
    out["needs"] = _tallies(f, "needs", need_ids())
    _within_count(f, out)
    return out


def _tallies(f: Fields, name: str, keys: Any) -> dict[str, int]:
    """{key: n} with known keys and counts from 0; zeros dropped."""
    sub = f.nested(name)
    if sub is None:
        return {}
    unknown = [k for k in sub.data if k not in keys]
    if unknown:
        f.fail(name, N_("« {key} » n'est pas une valeur connue."), key=unknown[0])
    out = {}
    for key in keys:
        n = sub.integer(key, minimum=0, maximum=MAX_COUNT)
        if n:
            out[key] = n
    return out


def _within_count(f: Fields, out: dict[str, Any]) -> None:
    """No tally may say more people than came."""
    count = out["count"]
    message = N_("Les détails comptent plus de personnes ({n}) que le nombre venu ({count}).")
    for name in ("first_visit", "referred"):
        if (out[name] or 0) > count:
            f.fail(name, message, code="tallies_exceed_count", n=out[name], count=count)
    for name in ("ages", "needs"):
        if sum(out[name].values()) > count:
            f.fail(name, message, code="tallies_exceed_count", n=sum(out[name].values()), count=count)


def countable(db: sqlite_utils.Database, session_id: int, day: dt.date, today: dt.date) -> dict[str, Any]:
    """The occurrence a count is about, or a 404/422 saying why it cannot be counted."""
    occ = queries.occurrence(db, session_id, day)
    if occ is None:
        raise Problem(404, "not_found", N_("Cette séance n'a pas lieu le {date}."), date=day.isoformat())
    if occ["status"] == "cancelled":
        raise Problem(422, "cancelled", N_("Cette date a été annulée : il n'y a personne à compter."))
    if occ["start"].date() > today:
        raise Problem(422, "future", N_("Cette séance n'a pas encore eu lieu : comptez après."))
    return occ


def record_tx(tx: Tx, session_id: int, count: dict[str, Any], today: dt.date, by: str = "") -> str:
    """Save a count (replacing an earlier one); "created" or "updated". Announced on the staff channel."""
    occ = countable(tx.db, session_id, count["date"], today)
    key = (session_id, count["date"].isoformat())
    before = tx.db.conn.execute("SELECT 1 FROM attendance WHERE session_id = ? AND date = ?", key).fetchone()
    tx.db.conn.execute(
        """INSERT INTO attendance (session_id, date, held, reason, count, first_visit, referred, ages, needs,
               recorded_by, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (session_id, date) DO UPDATE SET held = excluded.held, reason = excluded.reason,
               count = excluded.count, first_visit = excluded.first_visit, referred = excluded.referred,
               ages = excluded.ages, needs = excluded.needs, recorded_by = excluded.recorded_by,
               updated = excluded.updated""",
        (
            *key,
            int(count["held"]),
            count["reason"],
            count["count"],
            count["first_visit"],
            count["referred"],
            json.dumps(count["ages"]),
            json.dumps(count["needs"]),
            by,
            time.time(),
        ),
    )
    data = {"session": session_id, "date": key[1], "site": occ["site"], "held": count["held"], "count": count["count"]}
    tx.change(changes.COUNTS, changes.ATTENDANCE_RECORDED, data)
    return "updated" if before else "created"


def get(db: sqlite_utils.Database, session_id: int, day: dt.date) -> dict[str, Any] | None:
    row = db.conn.execute(
        "SELECT * FROM attendance WHERE session_id = ? AND date = ?", (session_id, day.isoformat())
    ).fetchone()
    return _row(row) if row else None


def between(db: sqlite_utils.Database, start: dt.date, end: dt.date) -> dict[tuple[int, str], dict[str, Any]]:
    """Every count of occurrences originally dated within [start, end] (a month of margin: a moved
    occurrence keeps its original date)."""
    rows = db.conn.execute(
        "SELECT * FROM attendance WHERE date BETWEEN ? AND ?",
        ((start - dt.timedelta(days=31)).isoformat(), (end + dt.timedelta(days=31)).isoformat()),
    )
    return {(r["session_id"], r["date"]): _row(r) for r in rows}


def with_counts(db: sqlite_utils.Database, start: dt.date, end: dt.date, today: dt.date) -> list[dict[str, Any]]:
    """The occurrences of [start, end] with their count (`attendance`, None when none yet) and whether
    they can be counted now (`countable`: not cancelled and begun)."""
    counts = between(db, start, end)
    out = []
    for o in queries.occurrences(db, start, end):
        o["attendance"] = counts.get((o["session"], o["date"].isoformat()))
        o["countable"] = o["status"] != "cancelled" and o["start"].date() <= today
        out.append(o)
    return out


def missing(db: sqlite_utils.Database, start: dt.date, today: dt.date) -> list[dict[str, Any]]:
    """Held occurrences from `start` up to yesterday that still have no count (newest first)."""
    until = today - dt.timedelta(days=1)
    if until < start:
        return []
    rows = [o for o in with_counts(db, start, until, today) if o["countable"] and o["attendance"] is None]
    return sorted(rows, key=lambda o: o["start"], reverse=True)
