"""What the partners share and contribute, as named migration steps (the registry itself is in events)."""

from __future__ import annotations

import time

import sqlite_utils
from sqlite_utils import Migrations

from commons.valuation import DEFAULTS

migrations = Migrations("commons")

TABLES = (
    # One value per kind and year; the budget of a year uses the latest value of a year not after it.
    """CREATE TABLE commons_valuation (
        kind TEXT NOT NULL,                -- salaried_hour, volunteer_hour, room_half_day, equipment:<item>
        year INTEGER NOT NULL,             -- the year the value applies to
        value REAL NOT NULL CHECK (value >= 0),  -- euros per unit
        source TEXT NOT NULL DEFAULT '',   -- empty: an illustrative value
        updated REAL NOT NULL,
        PRIMARY KEY (kind, year)
    )""",
    # Typed contributions; salaried hours are computed from the programme, never typed.
    """CREATE TABLE commons_contributions (
        id INTEGER PRIMARY KEY,
        partner_id INTEGER NOT NULL REFERENCES partners(id),  -- no cascade: a partner with lines stays
        year INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('volunteer_hours', 'room_half_days', 'equipment', 'service', 'money')),
        item TEXT,                         -- equipment: kiosk, computer, caf_terminal, vehicle, other
        quantity REAL NOT NULL CHECK (quantity >= 0),  -- hours, half-days, item-years or euros
        date TEXT NOT NULL,                -- local date, within `year`
        site_id INTEGER REFERENCES sites(id) ON DELETE SET NULL,
        axis TEXT,
        note TEXT NOT NULL DEFAULT '',
        created REAL NOT NULL,
        created_by INTEGER REFERENCES users(id) ON DELETE SET NULL
    )""",
    "CREATE INDEX commons_contributions_year ON commons_contributions (year, partner_id)",
    # What it takes to run a site's common base in a year, valued by the valuation table.
    """CREATE TABLE commons_site_needs (
        id INTEGER PRIMARY KEY,
        site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,                -- a valuation kind, or "euros" for an amount
        quantity REAL NOT NULL CHECK (quantity >= 0),
        note TEXT NOT NULL DEFAULT ''
    )""",
    # The projection's growth assumptions, per budget line (partner:kind, or "base"), in % a year.
    """CREATE TABLE commons_growth (
        base_year INTEGER NOT NULL,
        line TEXT NOT NULL,
        rate REAL NOT NULL CHECK (rate BETWEEN -100 AND 1000),
        PRIMARY KEY (base_year, line)
    )""",
    # Sessions a partner account proposes; they reach the programme once an organizer accepts them.
    """CREATE TABLE commons_proposals (
        id INTEGER PRIMARY KEY,
        partner_id INTEGER NOT NULL REFERENCES partners(id),
        author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
        title TEXT NOT NULL,
        site TEXT NOT NULL,                -- slug, for the lists
        data TEXT NOT NULL,                -- the session's fields (the API's schema), JSON
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'refused', 'withdrawn')),
        reason TEXT NOT NULL DEFAULT '',   -- an organizer's word on a refusal
        session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
        created REAL NOT NULL,
        decided REAL,
        decided_by INTEGER REFERENCES users(id) ON DELETE SET NULL
    )""",
    "CREATE INDEX commons_proposals_state ON commons_proposals (state, partner_id)",
)


@migrations(name="0001_contributions")
def _contributions(db: sqlite_utils.Database) -> None:
    for sql in TABLES:
        db.execute(sql)
    now = time.time()
    for kind, year, value, source in DEFAULTS:
        db.execute(
            "INSERT INTO commons_valuation (kind, year, value, source, updated) VALUES (?, ?, ?, ?, ?)",
            (kind, year, value, source, now),
        )


@migrations(name="0002_room_requests")
def _room_requests(db: sqlite_utils.Database) -> None:
    # A free half-day of a room asked for by a partner account or staff (issue 19): one date, or the
    # same half-day every week until `until`. Accepted, it becomes a session of the programme.
    db.execute(
        """CREATE TABLE commons_room_requests (
            id INTEGER PRIMARY KEY,
            room_id INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
            partner_id INTEGER REFERENCES partners(id),
            author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            title TEXT NOT NULL,
            kind TEXT NOT NULL,
            axis TEXT NOT NULL,
            first_date TEXT NOT NULL,          -- local date
            until TEXT,                        -- local date of the last week of a series, NULL: one date
            start_time TEXT NOT NULL,          -- HH:MM local, within one half-day
            end_time TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'refused', 'withdrawn')),
            reason TEXT NOT NULL DEFAULT '',
            session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
            created REAL NOT NULL,
            decided REAL,
            decided_by INTEGER REFERENCES users(id) ON DELETE SET NULL
        )"""
    )
    db.execute("CREATE INDEX commons_room_requests_room ON commons_room_requests (room_id, state)")


@migrations(name="0003_means")
def _means(db: sqlite_utils.Database) -> None:
    # The equipment bank (issue 19, point 1): shared means lent between partners over half-days.
    db.execute(
        """CREATE TABLE commons_means (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('vehicle', 'laptop_case', 'tablet_case', 'router_4g', 'projector',
                'teaching_kit', 'kiosk', 'other')),
            partner_id INTEGER NOT NULL REFERENCES partners(id),   -- the owner, who accepts bookings
            site_id INTEGER REFERENCES sites(id) ON DELETE SET NULL, -- where it lives
            description TEXT NOT NULL DEFAULT '',
            condition TEXT NOT NULL DEFAULT 'good' CHECK (condition IN ('good', 'worn', 'damaged', 'unusable')),
            needs TEXT NOT NULL DEFAULT '[]',  -- JSON list: licence (a driver's licence), trained (a trained person)
            photo TEXT REFERENCES partner_logos(name),  -- an image in the content-addressed image table
            created REAL NOT NULL,
            updated REAL NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE commons_bookings (
            id INTEGER PRIMARY KEY,
            means_id INTEGER NOT NULL REFERENCES commons_means(id) ON DELETE CASCADE,
            partner_id INTEGER REFERENCES partners(id),  -- the borrowing organisation (NULL: the programme's staff)
            author_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            start_date TEXT NOT NULL,
            start_half TEXT NOT NULL CHECK (start_half IN ('morning', 'afternoon')),
            end_date TEXT NOT NULL,
            end_half TEXT NOT NULL CHECK (end_half IN ('morning', 'afternoon')),
            purpose TEXT NOT NULL,
            session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'accepted', 'refused', 'withdrawn', 'out', 'returned')),
            reason TEXT NOT NULL DEFAULT '',
            out_at REAL,
            out_note TEXT NOT NULL DEFAULT '',     -- the condition noted at check-out
            returned_at REAL,
            return_note TEXT NOT NULL DEFAULT '',  -- the condition noted at return
            created REAL NOT NULL,
            decided REAL,
            decided_by INTEGER REFERENCES users(id) ON DELETE SET NULL
        )"""
    )
    db.execute("CREATE INDEX commons_bookings_means ON commons_bookings (means_id, state)")


@migrations(name="0004_common_base")
def _common_base(db: sqlite_utils.Database) -> None:
    # The common base of each site (issue 19, point 2): its checklist, each item's state and last check,
    # the log of states (days broken in a year), and fault tickets with their history.
    db.execute(
        """CREATE TABLE commons_base_items (
            id INTEGER PRIMARY KEY,
            site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('caf_computer', 'free_computer', 'wifi', 'scan_print', 'dropin',
                'workshop', 'other')),
            label TEXT NOT NULL,               -- as residents name it: "Imprimante de l'accueil"
            code TEXT NOT NULL UNIQUE,         -- the QR code's key: /panne/{code}
            state TEXT NOT NULL DEFAULT 'working' CHECK (state IN ('working', 'degraded', 'broken', 'absent')),
            since REAL NOT NULL,               -- when it entered its state
            checked TEXT,                      -- local date it was last checked
            updated REAL NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE commons_base_states (
            item_id INTEGER NOT NULL REFERENCES commons_base_items(id) ON DELETE CASCADE,
            state TEXT NOT NULL,
            at REAL NOT NULL
        )"""
    )
    db.execute("CREATE INDEX commons_base_states_item ON commons_base_states (item_id, at)")
    db.execute(
        """CREATE TABLE commons_faults (
            id INTEGER PRIMARY KEY,
            item_id INTEGER NOT NULL REFERENCES commons_base_items(id) ON DELETE CASCADE,
            state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
            opened REAL NOT NULL,
            closed REAL
        )"""
    )
    db.execute(
        """CREATE TABLE commons_fault_events (
            id INTEGER PRIMARY KEY,
            fault_id INTEGER NOT NULL REFERENCES commons_faults(id) ON DELETE CASCADE,
            at REAL NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('report', 'note', 'closed')),
            source TEXT NOT NULL CHECK (source IN ('qr', 'staff')),
            note TEXT NOT NULL DEFAULT '',
            author_id INTEGER REFERENCES users(id) ON DELETE SET NULL
        )"""
    )
