"""The screens' tables, as named migration steps."""

from __future__ import annotations

import sqlite_utils
from sqlite_utils import Migrations

migrations = Migrations("signage")


@migrations(name="0001_signage")
def _signage(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE signage_displays (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            site TEXT NOT NULL,                 -- site slug (events)
            orientation TEXT NOT NULL DEFAULT 'landscape' CHECK (orientation IN ('landscape', 'portrait')),
            token_hash TEXT UNIQUE,             -- sha256 of the display token; NULL: revoked or not yet delivered
            version INTEGER NOT NULL DEFAULT 0, -- seq of the last display:{id} change: the snapshot version
            margin_minutes INTEGER NOT NULL DEFAULT 30, -- on this long before opening and after closing
            hours_override TEXT NOT NULL DEFAULT '',     -- OSM opening_hours replacing the site's hours
            always_on INTEGER NOT NULL DEFAULT 0,
            last_seen REAL,                     -- last request made with its token
            shown_version INTEGER,              -- snapshot version its agent reports showing
            health TEXT NOT NULL DEFAULT '{}',  -- last heartbeat (JSON)
            created REAL NOT NULL,
            updated REAL NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE signage_pairings (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL,                 -- typed by staff; unique among live pairings
            claim_hash TEXT NOT NULL UNIQUE,    -- sha256 of the secret the screen polls with
            display_id INTEGER REFERENCES signage_displays(id) ON DELETE CASCADE,
            state TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'claimed', 'delivered')),
            created REAL NOT NULL,
            expires REAL NOT NULL
        )"""
    )
    db.execute("CREATE INDEX signage_pairings_code ON signage_pairings (code, state)")
    db.execute(
        """CREATE TABLE signage_announcements (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            body TEXT NOT NULL DEFAULT '',
            image TEXT,                         -- asset name (sha256.ext) or NULL
            starts TEXT,                        -- aware ISO datetime, NULL: now
            ends TEXT,                          -- aware ISO datetime, NULL: no end
            target TEXT NOT NULL DEFAULT 'all' CHECK (target IN ('all', 'sites', 'displays')),
            sites TEXT NOT NULL DEFAULT '[]',   -- JSON list of slugs when target = sites
            displays TEXT NOT NULL DEFAULT '[]',-- JSON list of display ids when target = displays
            priority INTEGER NOT NULL DEFAULT 0,
            urgent INTEGER NOT NULL DEFAULT 0,
            created REAL NOT NULL,
            updated REAL NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE signage_assets (
            name TEXT PRIMARY KEY,              -- sha256 of the bytes + extension
            content_type TEXT NOT NULL,
            data BLOB NOT NULL,
            created REAL NOT NULL
        )"""
    )


@migrations(name="0002_a11y_announcement_image_alt")
def _announcement_image_alt(db: sqlite_utils.Database) -> None:
    # An announcement's image says in words what it shows (RGAA 1.1, issue 26); empty: decorative.
    db.execute("ALTER TABLE signage_announcements ADD COLUMN image_alt TEXT NOT NULL DEFAULT ''")


@migrations(name="0003_screen_languages")
def _screen_languages(db: sqlite_utils.Database) -> None:
    """The languages a screen's fixed labels alternate in (issue 24): "fr,ar"; empty for the server's first."""
    db.execute("ALTER TABLE signage_displays ADD COLUMN languages TEXT NOT NULL DEFAULT ''")
