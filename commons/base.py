"""The common base of each site, kept working (issue 19, point 2).

Every site has the checklist of its base (a CAF computer, a free-access computer, free Wi-Fi,
scan and print, drop-ins, a monthly workshop…), each item with a state (working, degraded, broken,
absent) and the date it was last checked. Anyone reports a fault from the QR code stuck on the
device (no account), staff from the console: the item is then broken and a ticket opens (or the
open one gets the report), which keeps its history until staff close it. Each state change is
logged, so the days broken in a year are counted, and announced on the site's channel, so its page
and lobby screens say at once what is out of order.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from commons import changes
from events import changes as events_changes
from quartier.db import Tx
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields

KINDS = {
    "caf_computer": N_("Poste CAF"),
    "free_computer": N_("Ordinateur en accès libre"),
    "wifi": N_("Wi-Fi gratuit"),
    "scan_print": N_("Scanner et imprimante"),
    "dropin": N_("Permanences"),
    "workshop": N_("Atelier mensuel"),
    "other": N_("Autre"),
}
# The base the plan asks of every site, in its order: (kind, the label a new site starts with).
CHECKLIST = (
    ("caf_computer", N_("Poste CAF")),
    ("free_computer", N_("Ordinateur en accès libre")),
    ("wifi", N_("Wi-Fi gratuit")),
    ("scan_print", N_("Imprimante et scanner")),
    ("dropin", N_("Permanences")),
    ("workshop", N_("Atelier mensuel")),
)
STATES = {
    "working": N_("Fonctionne"),
    "degraded": N_("Fonctionne mal"),
    "broken": N_("En panne"),
    "absent": N_("Absent"),
}
OUT_OF_ORDER = ("broken", "degraded")
DAY = 86400.0


def _code() -> str:
    return secrets.token_urlsafe(6).replace("-", "x").replace("_", "y")


def _site(tx: Tx, site_id: int) -> str:
    return str(tx.execute("SELECT slug FROM sites WHERE id = ?", (site_id,)).fetchone()["slug"])


def _announce(tx: Tx, site_id: int, item_id: int) -> None:
    slug = _site(tx, site_id)
    tx.change(events_changes.site_channel(slug), changes.BASE_CHANGED, {"site": slug, "item": item_id})


def add_item(tx: Tx, site_id: int, kind: str, label: str, state: str = "working") -> int:
    now = time.time()
    id = tx.execute(
        "INSERT INTO commons_base_items (site_id, kind, label, code, state, since, updated) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "RETURNING id",
        (site_id, kind, label, _code(), state, now, now),
    ).fetchone()[0]
    tx.execute("INSERT INTO commons_base_states (item_id, state, at) VALUES (?, ?, ?)", (id, state, now))
    _announce(tx, site_id, id)
    return int(id)


def clean_item(data: Mapping[str, Any]) -> dict[str, Any]:
    c = Fields(data, collect=True)
    out = {"kind": c.choice("kind", KINDS, required=True), "label": c.text("label", required=True, max_length=80)}
    c.done()
    return out


def _item_row(tx: Tx, id: int) -> Any:
    row = tx.execute("SELECT * FROM commons_base_items WHERE id = ?", (id,)).fetchone()
    if row is None:
        raise Problem(404, "not_found", N_("Cet élément du socle n'existe pas."))
    return row


def set_state(tx: Tx, id: int, state: str, checked: dt.date | None, at: float | None = None) -> None:
    """A checked state (staff): logged when it changes, the check date kept either way."""
    row = _item_row(tx, id)
    now = time.time() if at is None else at
    if state != row["state"]:
        tx.execute(
            "UPDATE commons_base_items SET state = ?, since = ?, updated = ? WHERE id = ?", (state, now, now, id)
        )
        tx.execute("INSERT INTO commons_base_states (item_id, state, at) VALUES (?, ?, ?)", (id, state, now))
    if checked is not None:
        tx.execute(
            "UPDATE commons_base_items SET checked = ?, updated = ? WHERE id = ?", (checked.isoformat(), now, id)
        )
    _announce(tx, row["site_id"], id)


def report(tx: Tx, id: int, note: str, source: str, author_id: int | None, at: float | None = None) -> int:
    """A fault reported: the item is broken, the open ticket gets the report (or one opens). Its id."""
    row = _item_row(tx, id)
    now = time.time() if at is None else at
    fault = tx.execute("SELECT id FROM commons_faults WHERE item_id = ? AND state = 'open'", (id,)).fetchone()
    if fault is None:
        fault_id = tx.execute(
            "INSERT INTO commons_faults (item_id, opened) VALUES (?, ?) RETURNING id", (id, now)
        ).fetchone()[0]
    else:
        fault_id = fault["id"]
    tx.execute(
        "INSERT INTO commons_fault_events (fault_id, at, kind, source, note, author_id) VALUES (?, ?, 'report', ?, ?, ?)",
        (fault_id, now, source, note, author_id),
    )
    if row["state"] != "broken":
        set_state(tx, id, "broken", None, at=now)
    else:
        _announce(tx, row["site_id"], id)
    tx.change(changes.FAULTS, changes.FAULT_CHANGED, {"id": fault_id, "item": id})
    return int(fault_id)


def _open_fault(tx: Tx, id: int) -> Any:
    fault = tx.execute("SELECT * FROM commons_faults WHERE id = ?", (id,)).fetchone()
    if fault is None:
        raise Problem(404, "not_found", N_("Ce signalement n'existe pas."))
    if fault["state"] != "open":
        raise Problem(409, "closed", N_("Ce signalement est déjà clos."))
    return fault


def note(tx: Tx, id: int, text: str, author_id: int | None) -> None:
    _open_fault(tx, id)
    tx.execute(
        "INSERT INTO commons_fault_events (fault_id, at, kind, source, note, author_id) VALUES (?, ?, 'note', 'staff', ?, ?)",
        (id, time.time(), text, author_id),
    )
    tx.change(changes.FAULTS, changes.FAULT_CHANGED, {"id": id})


def close(tx: Tx, id: int, text: str, author_id: int | None, today: dt.date) -> None:
    """The ticket is closed: the item works again (checked today)."""
    fault = _open_fault(tx, id)
    now = time.time()
    tx.execute("UPDATE commons_faults SET state = 'closed', closed = ? WHERE id = ?", (now, id))
    tx.execute(
        "INSERT INTO commons_fault_events (fault_id, at, kind, source, note, author_id) VALUES (?, ?, 'closed', 'staff', ?, ?)",
        (id, now, text, author_id),
    )
    set_state(tx, fault["item_id"], "working", today, at=now)
    tx.change(changes.FAULTS, changes.FAULT_CHANGED, {"id": id})


def items(db: sqlite_utils.Database, site: str | None = None) -> list[dict[str, Any]]:
    """Base items by site then checklist order: the row plus site (slug), site_name."""
    sql = """SELECT i.*, s.slug AS site, s.name AS site_name FROM commons_base_items i
             JOIN sites s ON s.id = i.site_id"""
    rows = [dict(r) for r in db.conn.execute(sql + (" WHERE s.slug = ?" if site else ""), (site,) if site else ())]
    order = {k: n for n, k in enumerate(KINDS)}
    return sorted(rows, key=lambda r: (r["site_name"], order[r["kind"]], r["label"], r["id"]))


def item_by_code(db: sqlite_utils.Database, code: str) -> dict[str, Any] | None:
    return next((i for i in items(db) if i["code"] == code), None)


def faults(db: sqlite_utils.Database, site: str | None = None, state: str | None = None) -> list[dict[str, Any]]:
    """Tickets, newest first, each with its item (label, site) and `history` (oldest first)."""
    sql = """SELECT f.*, i.label, i.kind, s.slug AS site, s.name AS site_name FROM commons_faults f
             JOIN commons_base_items i ON i.id = f.item_id JOIN sites s ON s.id = i.site_id WHERE 1 = 1"""
    params: list[Any] = []
    for column, value in (("s.slug", site), ("f.state", state)):
        if value is not None:
            sql += f" AND {column} = ?"
            params.append(value)
    out = [dict(r) for r in db.conn.execute(sql + " ORDER BY f.opened DESC, f.id DESC", params)]
    for f in out:
        events = db.conn.execute("SELECT * FROM commons_fault_events WHERE fault_id = ? ORDER BY at, id", (f["id"],))
        f["history"] = [dict(e) for e in events]
    return out


def days_broken(db: sqlite_utils.Database, item_id: int, year: int, now: float, tz: ZoneInfo) -> float:
    """Days the item spent broken in `year` (up to `now`), from its log of states."""
    start = dt.datetime(year, 1, 1, tzinfo=tz).timestamp()
    end = min(now, dt.datetime(year + 1, 1, 1, tzinfo=tz).timestamp())
    log = [
        (r["state"], r["at"])
        for r in db.conn.execute("SELECT state, at FROM commons_base_states WHERE item_id = ? ORDER BY at", (item_id,))
    ]
    total = 0.0
    for n, (state, at) in enumerate(log):
        until = log[n + 1][1] if n + 1 < len(log) else end
        if state == "broken":
            total += max(0.0, min(until, end) - max(at, start))
    return round(total / DAY, 1)
