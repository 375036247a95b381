"""The dashboard's baseline week, as an organizer sets it on the page (issue 23).

The goal line used to tell people to edit a configuration key (`service_baseline_week`): the
setting is now only the default, and the week an organizer chooses on the dashboard is kept in
the database, where every worker reads it.
"""

from __future__ import annotations

import datetime as dt

import sqlite_utils
from sqlite_utils import Migrations

from quartier.db import Tx

migrations = Migrations("dashboard")


@migrations(name="0001_dashboard_baseline")
def _schema(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE dashboard_baseline (
            id INTEGER PRIMARY KEY CHECK (id = 1), -- one row: the programme's baseline week
            monday TEXT NOT NULL,                  -- ISO date of its Monday
            set_by TEXT NOT NULL,                  -- the staff account that chose it
            updated REAL NOT NULL
        )"""
    )


def stored_baseline(db: sqlite_utils.Database) -> dt.date | None:
    """The Monday an organizer chose, or None when none did (the setting applies)."""
    row = db.execute("SELECT monday FROM dashboard_baseline WHERE id = 1").fetchone()
    return dt.date.fromisoformat(row[0]) if row else None


def set_baseline(tx: Tx, monday: dt.date, by: str, now: float) -> None:
    """Keep the baseline week's Monday, replacing the one before."""
    tx.execute(
        "INSERT INTO dashboard_baseline (id, monday, set_by, updated) VALUES (1, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET monday = excluded.monday, set_by = excluded.set_by, updated = excluded.updated",
        (monday.isoformat(), by, now),
    )


def clear_baseline(tx: Tx) -> None:
    """Forget the organizer's choice: the configuration's `service_baseline_week` applies again."""
    tx.execute("DELETE FROM dashboard_baseline WHERE id = 1")
