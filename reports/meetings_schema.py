"""The partners' meetings (GT ESC): series, dated meetings, organisations present, agenda items
with their outcomes (decision, information, action with who and by when)."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Migrations

migrations = Migrations("meetings")


@migrations(name="0001_meetings")
def _meetings(db: Any) -> None:
    db.execute(
        """CREATE TABLE meeting_series (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL UNIQUE,
            created REAL NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE meetings (
            id INTEGER PRIMARY KEY,
            series_id INTEGER NOT NULL REFERENCES meeting_series(id) ON DELETE CASCADE,
            day TEXT NOT NULL,                  -- ISO date
            place TEXT NOT NULL DEFAULT '',
            site TEXT,                          -- a site slug of the programme, when held at one
            state TEXT NOT NULL DEFAULT 'planned' CHECK (state IN ('planned', 'held')),
            created REAL NOT NULL
        )"""
    )
    db.execute("CREATE INDEX meetings_series ON meetings (series_id, day)")
    # Organisations present: one of the partners registry (partner_id) or a name typed in.
    db.execute(
        """CREATE TABLE meeting_attendees (
            meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
            partner_id INTEGER,                 -- events' partners registry; no foreign key across packages
            name TEXT NOT NULL,
            PRIMARY KEY (meeting_id, name)
        ) WITHOUT ROWID"""
    )
    # An agenda item and its outcome. An action left open is carried to the next meetings of its series as
    # an item whose `carried_from` names the original action; marking any of them done marks the original.
    db.execute(
        """CREATE TABLE meeting_items (
            id INTEGER PRIMARY KEY,
            meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            title TEXT NOT NULL,
            outcome TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', 'decision', 'information', 'action')),
            text TEXT NOT NULL DEFAULT '',      -- what was decided, said or is to be done
            who TEXT NOT NULL DEFAULT '',
            who_partner INTEGER,                -- the partner who acts, when it is one of the registry
            due TEXT,                           -- ISO date
            done REAL,
            carried_from INTEGER REFERENCES meeting_items(id) ON DELETE CASCADE,
            forum_note INTEGER,                 -- a forum decision or action discussed (forum_notes.id)
            created REAL NOT NULL
        )"""
    )
    db.execute("CREATE INDEX meeting_items_meeting ON meeting_items (meeting_id, position)")
    db.execute("CREATE INDEX meeting_items_carried ON meeting_items (carried_from)")
