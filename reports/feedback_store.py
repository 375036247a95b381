"""Feedback answers: the tables, the target an answer is about, writes, and results.

A *target* is what residents give feedback on: a session occurrence (session id and the
local date of its original occurrence, as in events.queries) or a forum board. Each has
a short public path (`feedback_path`, `board_feedback_path`) printed as a QR code.

One answer per device per target: the device cookie's token is stored only as a hash.
The answer can be changed for EDIT_MINUTES after it was first given, then it is final.

The figures (`reports.feedback_figures.feedback_summary`) are read from here by the staff
pages, the JSON API, the CSV export, the minutes and the annual report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils
from sqlite_utils import Migrations

from events import queries
from forum import queries as forum_queries
from quartier.db import Tx
from quartier.errors import Problem
from quartier.i18n import N_
from reports import changes
from reports import forms as forms_module

migrations = Migrations("feedback")

EDIT_MINUTES = 30


@migrations(name="0001_feedback")
def _schema(db: sqlite_utils.Database) -> None:
    db.execute(
        """CREATE TABLE feedback_answers (
            id INTEGER PRIMARY KEY,
            target TEXT NOT NULL,              -- 'o:{session}:{date}' or 'b:{board}'
            kind TEXT NOT NULL CHECK (kind IN ('occurrence', 'board')),
            session_id INTEGER,                -- the occurrence's session (or the board's session)
            board_id INTEGER,
            date TEXT NOT NULL,                -- local date: the occurrence's original date, or the answer's day
            site TEXT,                         -- site slug and axis when answered: results stay put
            axis TEXT,                         --   if the session moves site or axis later
            template TEXT NOT NULL,
            device TEXT NOT NULL,              -- sha256 of the device token: one answer per device
            answers TEXT NOT NULL,             -- JSON {question id: value}
            hidden INTEGER NOT NULL DEFAULT 0, -- free texts hidden by staff (inappropriate)
            created REAL NOT NULL,
            updated REAL NOT NULL,
            UNIQUE (target, device)
        )"""
    )
    db.execute("CREATE INDEX feedback_answers_date ON feedback_answers (date)")
    db.execute("CREATE INDEX feedback_answers_session ON feedback_answers (session_id, date)")
    db.execute("CREATE INDEX feedback_answers_board ON feedback_answers (board_id)")
    db.execute(
        """CREATE TABLE feedback_assignments (
            kind TEXT NOT NULL CHECK (kind IN ('session', 'board')),
            ref INTEGER NOT NULL,              -- session id or board id
            template TEXT NOT NULL,
            PRIMARY KEY (kind, ref)
        )"""
    )


# -- paths (for pages, posters, screens and the projection wall)


def feedback_path(session_id: int, date: dt.date | str) -> str:
    """The public path of an occurrence's form, e.g. /f/12/2025-03-04 (for QR codes: /qr.png?path=…)."""
    day = date.isoformat() if isinstance(date, dt.date) else str(date)
    return f"/f/{int(session_id)}/{day}"


def board_feedback_path(board_id: int) -> str:
    """The public path of a forum board's form, e.g. /f/b/3."""
    return f"/f/b/{int(board_id)}"


# -- targets


@dataclass(frozen=True)
class Target:
    """What an answer is about, with the window in which the form takes answers."""

    kind: str  # "occurrence" | "board"
    key: str
    title: str
    date: dt.date  # the occurrence's original date, or the board's creation date
    opens: dt.datetime
    closes: dt.datetime
    session_id: int | None = None
    board_id: int | None = None
    site: str | None = None
    site_name: str = ""
    axis: str | None = None
    start: dt.datetime | None = None  # when the occurrence starts (None for a board)
    cancelled: bool = False
    template: str = forms_module.DEFAULT

    @property
    def path(self) -> str:
        if self.kind == "board":
            return board_feedback_path(self.board_id or 0)
        return feedback_path(self.session_id or 0, self.date)

    def state(self, now: dt.datetime) -> str:
        """ "cancelled", "not_open", "open" or "closed"."""
        if self.cancelled:
            return "cancelled"
        if now < self.opens:
            return "not_open"
        return "open" if now < self.closes else "closed"


def closing(day: dt.date, open_days: int, tz: ZoneInfo) -> dt.datetime:
    """Midnight at the end of the local day `open_days` days after `day`."""
    return dt.datetime.combine(day + dt.timedelta(days=open_days + 1), dt.time.min, tzinfo=tz)


def template_of(db: sqlite_utils.Database, kind: str, ref: int) -> str:
    row = db.conn.execute(
        "SELECT template FROM feedback_assignments WHERE kind = ? AND ref = ?", (kind, ref)
    ).fetchone()
    return row[0] if row else forms_module.DEFAULT


def occurrence_target(db: sqlite_utils.Database, session_id: int, day: dt.date, open_days: int) -> Target | None:
    """The target of a session's occurrence on its original local date, or None if there is none."""
    occ = queries.occurrence(db, session_id, day)
    if occ is None:
        return None
    tz = occ["start"].tzinfo
    return Target(
        kind="occurrence",
        key=f"o:{session_id}:{day.isoformat()}",
        title=occ["title"],
        date=day,
        opens=occ["start"],
        closes=closing(occ["start"].date(), open_days, tz),
        session_id=session_id,
        site=occ["site"],
        site_name=occ["site_name"],
        axis=occ["axis"],
        start=occ["start"],
        cancelled=occ["status"] == "cancelled",
        template=template_of(db, "session", session_id),
    )


def board_target(db: sqlite_utils.Database, board_id: int, open_days: int, tz: ZoneInfo) -> Target | None:
    """A forum board's target: open while the board is open, and `open_days` days after its creation day."""
    board = forum_queries.board(db, board_id)
    if board is None:
        return None
    created = dt.datetime.fromtimestamp(board["created"], tz)
    axis = None
    site_name = ""
    site = board.get("site")
    if board.get("session_id"):
        s = queries.session(db, board["session_id"])
        if s:
            axis, site, site_name = s["axis"], site or s["site"], s["site_name"]
    closes = closing(created.date(), open_days, tz)
    if board.get("state", "open") == "open":
        closes = max(closes, dt.datetime.now(tz) + dt.timedelta(days=1))
    return Target(
        kind="board",
        key=f"b:{board_id}",
        title=board["title"],
        date=created.date(),
        opens=created,
        closes=closes,
        session_id=board.get("session_id"),
        board_id=board_id,
        site=site,
        site_name=site_name,
        axis=axis,
        template=template_of(db, "board", board_id),
    )


# -- answers


def device_hash(device: str) -> str:
    """What is stored of a device: a hash of its random cookie token, never the token itself."""
    return hashlib.sha256(f"quartier-feedback:{device}".encode()).hexdigest()


def existing_answer(db: sqlite_utils.Database, target_key: str, device: str) -> dict[str, Any] | None:
    """This device's answer to a target, with `answers` decoded, or None."""
    row = db.conn.execute(
        "SELECT * FROM feedback_answers WHERE target = ? AND device = ?", (target_key, device_hash(device))
    ).fetchone()
    return answer_of(row) if row else None


def answer_of(row: Any) -> dict[str, Any]:
    a = dict(row)
    a["answers"] = json.loads(a["answers"])
    a["hidden"] = bool(a["hidden"])
    return a


def editable_until(answer: dict[str, Any]) -> float:
    return answer["created"] + EDIT_MINUTES * 60


def submit(tx: Tx, target: Target, device: str, answers: dict[str, Any], now: float | None = None) -> dict[str, Any]:
    """Record or update (within EDIT_MINUTES) this device's answer; returns {"id", "status", "editable_until"}."""
    now = time.time() if now is None else now
    hashed = device_hash(device)
    row = tx.execute(
        "SELECT id, created FROM feedback_answers WHERE target = ? AND device = ?", (target.key, hashed)
    ).fetchone()
    payload = json.dumps(answers, ensure_ascii=False, separators=(",", ":"))
    if row is not None:
        until = row["created"] + EDIT_MINUTES * 60
        if now > until:
            raise Problem(
                409,
                "already_answered",
                N_(
                    "Vous avez déjà répondu à ce questionnaire, merci ! Une réponse peut être modifiée "
                    "pendant {minutes} minutes seulement."
                ),
                minutes=EDIT_MINUTES,
            )
        tx.execute(
            "UPDATE feedback_answers SET answers = ?, template = ?, updated = ? WHERE id = ?",
            (payload, target.template, now, row["id"]),
        )
        answer_id, status, created = row["id"], "updated", row["created"]
    else:
        answer_id = tx.execute(
            """INSERT INTO feedback_answers (target, kind, session_id, board_id, date, site, axis, template, device,
                                             answers, created, updated)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            (
                target.key,
                target.kind,
                target.session_id,
                target.board_id,
                target.date.isoformat(),
                target.site,
                target.axis,
                target.template,
                hashed,
                payload,
                now,
                now,
            ),
        ).fetchone()[0]
        status, created = "created", now
    tx.change(changes.FEEDBACK, changes.feedback_answered(status), {"target": target.key, "id": answer_id})
    return {"id": answer_id, "status": status, "editable_until": created + EDIT_MINUTES * 60}


def set_hidden(tx: Tx, answer_id: int, hidden: bool) -> dict[str, Any]:
    """Hide (or show again) the free texts of one answer; the other answers still count."""
    row = tx.execute("SELECT * FROM feedback_answers WHERE id = ?", (answer_id,)).fetchone()
    if row is None:
        raise Problem(404, "not_found", N_("Cette réponse n'existe pas."))
    tx.execute("UPDATE feedback_answers SET hidden = ? WHERE id = ?", (int(hidden), answer_id))
    tx.change(
        changes.FEEDBACK,
        changes.FEEDBACK_HIDDEN if hidden else changes.FEEDBACK_SHOWN,
        {"target": row["target"], "id": answer_id},
    )
    return answer_of(row)


def assign(tx: Tx, kind: str, ref: int, template: str) -> None:
    """Give a session or a board another form (the default one: remove the assignment)."""
    if template == forms_module.DEFAULT:
        tx.execute("DELETE FROM feedback_assignments WHERE kind = ? AND ref = ?", (kind, ref))
    else:
        tx.execute(
            "INSERT INTO feedback_assignments (kind, ref, template) VALUES (?, ?, ?) "
            "ON CONFLICT (kind, ref) DO UPDATE SET template = excluded.template",
            (kind, ref, template),
        )
