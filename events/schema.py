"""The programme's tables, as named migration steps."""

from __future__ import annotations

import sqlite_utils
from sqlite_utils import Migrations

from events.partners import create_from_names, fold

migrations = Migrations("events")


PROGRAMME = (
    """CREATE TABLE sites (
        id INTEGER PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        neighbourhood TEXT NOT NULL DEFAULT '',
        address TEXT NOT NULL DEFAULT '',
        postal_code TEXT NOT NULL DEFAULT '',
        commune TEXT NOT NULL DEFAULT '',
        insee TEXT NOT NULL DEFAULT '',
        latitude REAL,
        longitude REAL,
        opening_hours TEXT NOT NULL DEFAULT '',   -- OSM opening_hours syntax
        accessibility TEXT NOT NULL DEFAULT '[]', -- JSON list
        phone TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '',
        website TEXT NOT NULL DEFAULT '',
        timezone TEXT NOT NULL DEFAULT 'Europe/Paris',
        updated REAL NOT NULL
    )""",
    """CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,          -- stable identity for YAML import/export
        site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL,
        axis TEXT NOT NULL,
        room TEXT NOT NULL DEFAULT '',
        first_date TEXT NOT NULL,          -- local date of the first occurrence
        start_time TEXT NOT NULL,          -- HH:MM local
        end_time TEXT NOT NULL,
        repeat_every TEXT CHECK (repeat_every IN ('weekly', 'monthly')),
        repeat_interval INTEGER NOT NULL DEFAULT 1,
        repeat_until TEXT,
        repeat_count INTEGER,
        audience TEXT NOT NULL DEFAULT '[]',
        languages TEXT NOT NULL DEFAULT '[]',
        registration INTEGER NOT NULL DEFAULT 0,
        capacity INTEGER,
        partner TEXT NOT NULL DEFAULT '',
        free INTEGER NOT NULL DEFAULT 1,
        sequence INTEGER NOT NULL DEFAULT 0, -- iCalendar SEQUENCE, raised at each change
        created REAL NOT NULL,
        updated REAL NOT NULL
    )""",
    "CREATE INDEX sessions_site ON sessions (site_id)",
    """CREATE TABLE occurrence_exceptions (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        date TEXT NOT NULL,                -- local date of the original occurrence
        status TEXT NOT NULL CHECK (status IN ('cancelled', 'moved', 'full')),
        reason TEXT NOT NULL DEFAULT '',
        new_date TEXT,
        new_start TEXT,
        new_end TEXT,
        new_room TEXT,
        sequence INTEGER NOT NULL DEFAULT 1,
        updated REAL NOT NULL,
        PRIMARY KEY (session_id, date)
    )""",
    "CREATE INDEX occurrence_exceptions_updated ON occurrence_exceptions (updated)",
)


@migrations(name="0001_programme")
def _programme(db: sqlite_utils.Database) -> None:
    for sql in PROGRAMME:
        db.execute(sql)


@migrations(name="0002_meta")
def _meta(db: sqlite_utils.Database) -> None:
    # Small flags of the programme, such as "demo": the home page then says the sessions are illustrative.
    db.execute("CREATE TABLE programme_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")


@migrations(name="0003_site_open_data")
def _site_open_data(db: sqlite_utils.Database) -> None:
    # For the open-data exports: the site's SIRET (or RNA), the standard's required `pivot`, and its
    # structure typology in data·inclusion's codes, "|" between several (e.g. "CS|CCAS").
    db.execute("ALTER TABLE sites ADD COLUMN siret TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE sites ADD COLUMN typologie TEXT NOT NULL DEFAULT ''")


@migrations(name="0004_site_itinerance")
def _site_itinerance(db: sqlite_utils.Database) -> None:
    # A site may be mobile (*aller-vers*: a bus, a van, a stand at the market): the national standard's
    # `itinerance` is then "Itinérant". Coordinates already exist (latitude, longitude).
    db.execute("ALTER TABLE sites ADD COLUMN mobile INTEGER NOT NULL DEFAULT 0")
    # The programme's feeds answer Last-Modified from this mark, moved by every change from now on.
    db.execute(
        """INSERT OR IGNORE INTO programme_meta (name, value)
           SELECT 'changed', max(t) FROM (SELECT max(updated) AS t FROM sites UNION ALL
               SELECT max(updated) FROM sessions UNION ALL SELECT max(updated) FROM occurrence_exceptions)
           HAVING max(t) IS NOT NULL"""
    )


PARTNERS = (
    """CREATE TABLE partner_logos (
        name TEXT PRIMARY KEY,             -- sha256 of the bytes, dot, extension
        content_type TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        data BLOB NOT NULL,
        created REAL NOT NULL
    )""",
    """CREATE TABLE partners (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,          -- stable identity for YAML import/export and the API
        name TEXT NOT NULL,
        short_name TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL DEFAULT 'other' CHECK (kind IN ('city', 'ccas', 'departement', 'caf',
            'social-centre', 'association', 'epn', 'library', 'school', 'company', 'other')),
        circle INTEGER NOT NULL DEFAULT 2 CHECK (circle IN (1, 2)),  -- 1: the GT ESC, 2: other actors
        logo TEXT REFERENCES partner_logos(name),
        website TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        created REAL NOT NULL,
        updated REAL NOT NULL
    )""",
    """CREATE TABLE partner_charters (
        partner_id INTEGER NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
        charter TEXT NOT NULL,
        signed TEXT NOT NULL,              -- local date
        PRIMARY KEY (partner_id, charter)
    )""",
    """CREATE TABLE partner_sites (
        partner_id INTEGER NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
        site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        PRIMARY KEY (partner_id, site_id)
    )""",
    # No ON DELETE: a partner that still runs sessions cannot be deleted (the database refuses too).
    "ALTER TABLE sessions ADD COLUMN partner_id INTEGER REFERENCES partners(id)",
    # How many staff run each occurrence: the partner's salaried hours are held × duration × this.
    "ALTER TABLE sessions ADD COLUMN staff_count INTEGER NOT NULL DEFAULT 1",
    "CREATE INDEX sessions_partner ON sessions (partner_id)",
)


@migrations(name="0005_partners")
def _partners(db: sqlite_utils.Database) -> None:
    """The partners registry (issue 18); today's free-text `sessions.partner` values become partners,
    one per name (case, accents and apostrophes ignored), and the free-text column goes."""
    for sql in PARTNERS:
        db.execute(sql)
    # The spelling most sessions use names the partner (capitals first on a tie: "CAF" before "caf").
    names = [
        r[0]
        for r in db.execute(
            "SELECT partner FROM sessions WHERE trim(partner) != '' GROUP BY partner ORDER BY count(*) DESC, trim(partner)"
        )
    ]
    ids = create_from_names(db.conn, names)
    for name in names:
        db.execute("UPDATE sessions SET partner_id = ? WHERE partner = ?", (ids[fold(name)], name))
    db.execute("ALTER TABLE sessions DROP COLUMN partner")


@migrations(name="0006_site_contact")
def _site_contact(db: sqlite_utils.Database) -> None:
    # Who answers at the site's phone number ("Accueil de l'ESC, du lundi au vendredi"), shown with it
    # on session pages, next to "register by phone".
    db.execute("ALTER TABLE sites ADD COLUMN contact TEXT NOT NULL DEFAULT ''")


@migrations(name="0007_registrations")
def _registrations(db: sqlite_utils.Database) -> None:
    # A place at one occurrence of a session "sur inscription", without an account. The first name,
    # phone, e-mail and device are blanked the day after the occurrence (`erased`); the row stays so
    # that the counts do.
    db.execute(
        """CREATE TABLE registrations (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            date TEXT NOT NULL,                 -- local date of the original occurrence
            status TEXT NOT NULL CHECK (status IN ('confirmed', 'waiting', 'cancelled')),
            source TEXT NOT NULL CHECK (source IN ('online', 'desk')),
            first_name TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            email TEXT NOT NULL DEFAULT '',
            device TEXT NOT NULL DEFAULT '',    -- sha256 of the device cookie (a few places per device)
            promoted REAL,                      -- moved up from the waiting list: the desk tells them
            erased REAL,                        -- personal data deleted
            created REAL NOT NULL,
            updated REAL NOT NULL
        )"""
    )
    db.execute("CREATE INDEX registrations_occurrence ON registrations (session_id, date, status, created)")
    db.execute("CREATE INDEX registrations_to_erase ON registrations (erased, date)")


@migrations(name="0008_rooms")
def _rooms(db: sqlite_utils.Database) -> None:
    """Rooms become objects of a site (issue 19): name, capacity, equipment, accessibility. Today's
    room names (sessions and moved occurrences) become rooms; sessions keep naming their room by name
    within their site, and saving a session with a new name adds the room."""
    db.execute(
        """CREATE TABLE rooms (
            id INTEGER PRIMARY KEY,
            site_id INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            capacity INTEGER CHECK (capacity IS NULL OR capacity > 0),
            equipment TEXT NOT NULL DEFAULT '[]',      -- JSON list of words ("vidéoprojecteur", "6 postes")
            accessibility TEXT NOT NULL DEFAULT '[]',  -- JSON list, the sites' vocabulary (step-free, ...)
            updated REAL NOT NULL,
            UNIQUE (site_id, name)
        )"""
    )
    db.execute(
        """INSERT OR IGNORE INTO rooms (site_id, name, updated)
           SELECT site_id, trim(room), unixepoch() FROM sessions WHERE trim(room) != ''
           UNION SELECT s.site_id, trim(e.new_room), unixepoch() FROM occurrence_exceptions e
               JOIN sessions s ON s.id = e.session_id WHERE trim(coalesce(e.new_room, '')) != ''"""
    )


@migrations(name="0009_workshop_catalogue")
def _workshop_catalogue(db: sqlite_utils.Database) -> None:
    # The catalogue of workshops and trainings (issue 21): sheets others can reuse (a licence each),
    # their documents (PDF or ODT, checked by content), and the sessions created from a sheet.
    db.execute(
        """CREATE TABLE workshops (
            id INTEGER PRIMARY KEY,
            slug TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('atelier', 'formation')),
            axis TEXT NOT NULL,
            aims TEXT NOT NULL DEFAULT '',
            audience TEXT NOT NULL DEFAULT '[]',   -- JSON list of catalogue audiences
            duration_minutes INTEGER NOT NULL,
            group_min INTEGER,
            group_max INTEGER,
            materials TEXT NOT NULL DEFAULT '',
            steps TEXT NOT NULL DEFAULT '',        -- one step a line
            skills TEXT NOT NULL DEFAULT '',       -- one skill a line
            pix TEXT NOT NULL DEFAULT '[]',        -- JSON list of Pix framework areas ("1" to "5")
            facilitators TEXT NOT NULL DEFAULT '', -- who has run it (names of organisations or people, as given)
            licence TEXT NOT NULL DEFAULT 'CC-BY-SA-4.0',
            created REAL NOT NULL,
            updated REAL NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE workshop_documents (
            id INTEGER PRIMARY KEY,
            workshop_id INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
            filename TEXT NOT NULL,
            media_type TEXT NOT NULL,
            size INTEGER NOT NULL,
            data BLOB NOT NULL,
            created REAL NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE workshop_sessions (
            session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
            workshop_id INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE
        )"""
    )
