"""The forum's tables: boards, themes and notes; vote rounds, dots and tablet turns; hackathons."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Migrations

migrations = Migrations("forum")


BOARDS_AND_NOTES = (
    """CREATE TABLE forum_boards (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        prompt TEXT NOT NULL DEFAULT '',
        moderation TEXT NOT NULL CHECK (moderation IN ('pre', 'post')),
        state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
        site TEXT,              -- a site slug of the programme; no foreign key across packages
        session_id INTEGER,     -- a session id of the programme
        link_salt TEXT NOT NULL, -- the facilitator link is HMAC(secret_key, id + salt); new salt, new link
        created REAL NOT NULL
    )""",
    "CREATE INDEX forum_boards_site ON forum_boards (site, state)",
    """CREATE TABLE forum_themes (
        id INTEGER PRIMARY KEY,
        board_id INTEGER NOT NULL REFERENCES forum_boards(id) ON DELETE CASCADE,
        slug TEXT NOT NULL,
        label TEXT NOT NULL,
        icon TEXT NOT NULL,
        position INTEGER NOT NULL,
        UNIQUE (board_id, slug)
    )""",
    """CREATE TABLE forum_notes (
        id INTEGER PRIMARY KEY,
        board_id INTEGER NOT NULL REFERENCES forum_boards(id) ON DELETE CASCADE,
        theme TEXT NOT NULL,
        text TEXT NOT NULL,
        author TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL CHECK (source IN ('tablet', 'phone', 'paper', 'spoken')),
        status TEXT NOT NULL CHECK (status IN ('pending', 'published', 'hidden', 'merged')),
        held TEXT,              -- why a note waits although the board is post-moderated
        pinned INTEGER NOT NULL DEFAULT 0,
        kind TEXT NOT NULL DEFAULT 'note' CHECK (kind IN ('note', 'decision', 'action')),
        action_who TEXT,
        action_due TEXT,        -- ISO date
        merged_into INTEGER REFERENCES forum_notes(id) ON DELETE SET NULL,
        created REAL NOT NULL,
        published REAL,
        updated REAL NOT NULL
    )""",
    "CREATE INDEX forum_notes_board ON forum_notes (board_id, status)",
    "CREATE INDEX forum_notes_merged ON forum_notes (merged_into)",
)


@migrations(name="0001_boards_and_notes")
def _schema(db: Any) -> None:
    for sql in BOARDS_AND_NOTES:
        db.execute(sql)


VOTES_AND_HACKATHONS = (
    """CREATE TABLE forum_rounds (
        id INTEGER PRIMARY KEY,
        board_id INTEGER NOT NULL REFERENCES forum_boards(id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        budget INTEGER NOT NULL CHECK (budget BETWEEN 1 AND 20),
        stack INTEGER NOT NULL DEFAULT 0,   -- several dots may go on one note
        ends REAL,                          -- optional end time (epoch seconds)
        state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
        opened REAL NOT NULL,
        closed REAL,
        results TEXT
    )""",
    "CREATE INDEX forum_rounds_board ON forum_rounds (board_id, state)",
    # One row per dot. `voter` is a hash of the device token, or "turn:<id>" for a tablet turn:
    # never the device token itself.
    """CREATE TABLE forum_votes (
        id INTEGER PRIMARY KEY,
        round_id INTEGER NOT NULL REFERENCES forum_rounds(id) ON DELETE CASCADE,
        note_id INTEGER NOT NULL REFERENCES forum_notes(id) ON DELETE CASCADE,
        voter TEXT NOT NULL,
        created REAL NOT NULL
    )""",
    "CREATE INDEX forum_votes_voter ON forum_votes (round_id, voter)",
    "CREATE INDEX forum_votes_note ON forum_votes (note_id)",
    # A voter turn on a shared tablet: a fresh budget for the next person, bound to that tablet.
    """CREATE TABLE forum_turns (
        id TEXT PRIMARY KEY,
        round_id INTEGER NOT NULL REFERENCES forum_rounds(id) ON DELETE CASCADE,
        device TEXT NOT NULL,
        created REAL NOT NULL
    )""",
    "CREATE INDEX forum_turns_device ON forum_turns (round_id, device, created)",
    """CREATE TABLE forum_hackathons (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        site TEXT,
        session_id INTEGER,                 -- a session of the programme
        board_id INTEGER NOT NULL REFERENCES forum_boards(id),  -- the pitch board: one note per team
        pitch_start REAL,                   -- when the first pitch starts (epoch seconds)
        pitch_minutes INTEGER NOT NULL DEFAULT 5,
        created REAL NOT NULL
    )""",
    """CREATE TABLE forum_challenges (
        id INTEGER PRIMARY KEY,
        hackathon_id INTEGER NOT NULL REFERENCES forum_hackathons(id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        note_id INTEGER REFERENCES forum_notes(id) ON DELETE SET NULL,  -- promoted from this note
        created REAL NOT NULL
    )""",
    """CREATE TABLE forum_teams (
        id INTEGER PRIMARY KEY,
        hackathon_id INTEGER NOT NULL REFERENCES forum_hackathons(id) ON DELETE CASCADE,
        challenge_id INTEGER REFERENCES forum_challenges(id) ON DELETE SET NULL,
        name TEXT NOT NULL,
        built TEXT NOT NULL DEFAULT '',     -- what the team built, for the results
        board_id INTEGER NOT NULL REFERENCES forum_boards(id),       -- its progress board
        pitch_note INTEGER REFERENCES forum_notes(id) ON DELETE SET NULL,  -- its note on the pitch board
        position INTEGER NOT NULL,          -- its place in the pitch schedule
        created REAL NOT NULL
    )""",
    """CREATE TABLE forum_members (
        id INTEGER PRIMARY KEY,
        team_id INTEGER NOT NULL REFERENCES forum_teams(id) ON DELETE CASCADE,
        first_name TEXT NOT NULL,
        device TEXT NOT NULL,               -- hash of the device that joined: one team per device
        created REAL NOT NULL
    )""",
    "CREATE INDEX forum_members_device ON forum_members (device)",
)


@migrations(name="0002_votes_and_hackathons")
def _votes_and_hackathons(db: Any) -> None:
    # Dot-voting rounds on a board; `results` is the frozen ranking (JSON) once closed.
    for sql in VOTES_AND_HACKATHONS:
        db.execute(sql)


@migrations(name="0003_note_keys")
def _note_keys(db: Any) -> None:
    # The Idempotency-Key of each note a device sent, with the answer it got: a retried post (an
    # answer lost on the way back to a tablet) gets the same answer and records nothing. Kept apart
    # from the notes so that a note a facilitator deleted is not brought back by a late retry;
    # forgotten after a week (forum.store.KEY_DAYS).
    db.execute(
        """CREATE TABLE forum_note_keys (
            board_id INTEGER NOT NULL,
            key TEXT NOT NULL,
            note_id INTEGER NOT NULL,
            status TEXT NOT NULL,
            created REAL NOT NULL,
            PRIMARY KEY (board_id, key)
        ) WITHOUT ROWID"""
    )
    db.execute("CREATE INDEX forum_note_keys_created ON forum_note_keys (created)")


@migrations(name="0004_console_deleted_notes")
def _deleted_notes(db: Any) -> None:
    # What a facilitator has just deleted, kept for the few seconds the console offers to undo it
    # (forum.trash.UNDO_SECONDS), then forgotten: the note's row, its dots and the notes that were
    # merged into it, as JSON. Nothing public reads this table.
    db.execute(
        """CREATE TABLE forum_deleted_notes (
            note_id INTEGER PRIMARY KEY,
            board_id INTEGER NOT NULL REFERENCES forum_boards(id) ON DELETE CASCADE,
            note TEXT NOT NULL,
            dots TEXT NOT NULL,
            regrouped TEXT NOT NULL,
            deleted REAL NOT NULL
        )"""
    )
    db.execute("CREATE INDEX forum_deleted_notes_deleted ON forum_deleted_notes (deleted)")


@migrations(name="0005_forums_across_sites")
def _forums_across_sites(db: Any) -> None:
    # A forum (*temps fort*) across sites: one board per participating site, a city-wide wall, and
    # city-wide vote rounds (one board round per site, all sharing one budget per device).
    db.execute(
        """CREATE TABLE forum_forums (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            prompt TEXT NOT NULL DEFAULT '',
            themes TEXT NOT NULL,           -- JSON [{"slug", "label", "icon"}], every board starts with them
            starts TEXT,                    -- ISO date of the first day
            ends TEXT,                      -- ISO date of the last day
            moderation TEXT NOT NULL CHECK (moderation IN ('pre', 'post')),
            state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'closed')),
            created REAL NOT NULL
        )"""
    )
    db.execute("ALTER TABLE forum_boards ADD COLUMN forum_id INTEGER REFERENCES forum_forums(id)")
    db.execute("CREATE INDEX forum_boards_forum ON forum_boards (forum_id)")
    db.execute(
        """CREATE TABLE forum_city_rounds (
            id INTEGER PRIMARY KEY,
            forum_id INTEGER NOT NULL REFERENCES forum_forums(id) ON DELETE CASCADE,
            title TEXT NOT NULL,
            budget INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
            opened REAL NOT NULL,
            closed REAL
        )"""
    )
    db.execute("ALTER TABLE forum_rounds ADD COLUMN city_round INTEGER REFERENCES forum_city_rounds(id)")
    db.execute("CREATE INDEX forum_rounds_city ON forum_rounds (city_round)")


@migrations(name="0006_board_ignored_words")
def _board_ignored_words(db: Any) -> None:
    # Words a board's word cloud leaves out (one a line), besides the stop words: a facilitator's choice.
    db.execute("ALTER TABLE forum_boards ADD COLUMN ignored_words TEXT NOT NULL DEFAULT ''")


@migrations(name="0007_polls")
def _polls(db: Any) -> None:
    # Polls with pictogram answers; results hidden until the facilitator reveals them.
    db.execute(
        """CREATE TABLE forum_polls (
            id INTEGER PRIMARY KEY,
            board_id INTEGER NOT NULL REFERENCES forum_boards(id) ON DELETE CASCADE,
            question TEXT NOT NULL,
            options TEXT NOT NULL,          -- JSON [{"label", "icon"}]
            state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
            revealed INTEGER NOT NULL DEFAULT 0,
            created REAL NOT NULL,
            closed REAL
        )"""
    )
    db.execute("CREATE INDEX forum_polls_board ON forum_polls (board_id, state)")
    # One row per answer: a hash of the phone's device cookie (one answer, changeable), or one per tablet tap.
    db.execute(
        """CREATE TABLE forum_poll_answers (
            poll_id INTEGER NOT NULL REFERENCES forum_polls(id) ON DELETE CASCADE,
            voter TEXT NOT NULL,
            choice INTEGER NOT NULL,
            created REAL NOT NULL,
            PRIMARY KEY (poll_id, voter)
        ) WITHOUT ROWID"""
    )
