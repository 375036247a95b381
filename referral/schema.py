"""The referral directory's tables, as named migration steps."""

from __future__ import annotations

import sqlite_utils
from sqlite_utils import Migrations

migrations = Migrations("referral")

TABLES = (
    # Places and services that are not the programme's: typed by staff, or imported from a
    # data·inclusion file (then `origin` is "service:{id}" or "structure:{id}", its identity).
    """CREATE TABLE referral_resources (
        id INTEGER PRIMARY KEY,
        origin TEXT UNIQUE,
        source TEXT NOT NULL DEFAULT '',          -- data·inclusion producer ("dora", ...); '' typed by staff
        name TEXT NOT NULL,
        organisation TEXT NOT NULL DEFAULT '',    -- the structure that runs a service
        structure TEXT NOT NULL DEFAULT '',       -- its data·inclusion structure id, when imported
        kind TEXT NOT NULL DEFAULT 'other',
        description TEXT NOT NULL DEFAULT '',
        address TEXT NOT NULL DEFAULT '',
        address_extra TEXT NOT NULL DEFAULT '',
        postal_code TEXT NOT NULL DEFAULT '',
        commune TEXT NOT NULL DEFAULT '',
        insee TEXT NOT NULL DEFAULT '',
        latitude REAL,
        longitude REAL,
        opening_hours TEXT NOT NULL DEFAULT '',   -- OSM opening_hours syntax, as sites
        phone TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '',
        website TEXT NOT NULL DEFAULT '',
        link TEXT NOT NULL DEFAULT '',            -- its page at the producer, or how to ask for the service
        thematiques TEXT NOT NULL DEFAULT '[]',   -- data·inclusion v1 thématiques (JSON list)
        publics TEXT NOT NULL DEFAULT '[]',
        fee TEXT NOT NULL DEFAULT '',             -- gratuit, payant or ''
        fee_details TEXT NOT NULL DEFAULT '',
        conditions TEXT NOT NULL DEFAULT '',      -- conditions of access, papers to show
        remote INTEGER NOT NULL DEFAULT 0,        -- only at a distance (phone, online)
        accessibility_url TEXT NOT NULL DEFAULT '',  -- its Acceslibre page
        source_updated TEXT NOT NULL DEFAULT '',  -- date_maj at the producer
        -- Kept by staff, never overwritten by an import:
        access TEXT NOT NULL DEFAULT '',          -- how to get there, in words (bus, entrance)
        languages TEXT NOT NULL DEFAULT '[]',
        accessibility TEXT NOT NULL DEFAULT '[]', -- the sites' vocabulary (step-free, hearing-loop...)
        created REAL NOT NULL,
        updated REAL NOT NULL
    )""",
    "CREATE INDEX referral_resources_kind ON referral_resources (kind)",
    # Every imported data·inclusion structure as its file gave it (validated), so that a later
    # services.json alone can name structures imported before.
    """CREATE TABLE referral_structures (
        id TEXT PRIMARY KEY,
        record TEXT NOT NULL,
        updated REAL NOT NULL
    )""",
    # What staff changed in the needs a place or a session serves by default (referral.needs):
    # served 1 adds the need, 0 removes it. No row: the default holds.
    """CREATE TABLE referral_resource_needs (
        resource_id INTEGER NOT NULL REFERENCES referral_resources(id) ON DELETE CASCADE,
        need TEXT NOT NULL,
        served INTEGER NOT NULL CHECK (served IN (0, 1)),
        PRIMARY KEY (resource_id, need)
    )""",
    """CREATE TABLE referral_session_needs (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        need TEXT NOT NULL,
        served INTEGER NOT NULL CHECK (served IN (0, 1)),
        PRIMARY KEY (session_id, need)
    )""",
    # Printed slips, counted and nothing else: the month, the need, the site the answer was asked
    # for ('' when none) and where the slip sent the person. No time, no device, no person.
    """CREATE TABLE referral_slips (
        month TEXT NOT NULL,                      -- YYYY-MM, local
        need TEXT NOT NULL,
        site TEXT NOT NULL DEFAULT '',
        target TEXT NOT NULL,                     -- session:{key}, resource:{id} or library:{id}
        destination TEXT NOT NULL,                -- the place's name when printed (kept if it goes)
        destination_kind TEXT NOT NULL,           -- programme, or the place's kind
        count INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (month, need, site, target)
    )""",
)


@migrations(name="0001_referral")
def _referral(db: sqlite_utils.Database) -> None:
    for sql in TABLES:
        db.execute(sql)
