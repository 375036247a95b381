"""Feedback answers: the tables, the target an answer is about, writes, and results.

A *target* is what residents give feedback on: a session occurrence (session id and the
local date of its original occurrence, as in events.queries) or a forum board. Each has
a short public path (`feedback_path`, `board_feedback_path`) printed as a QR code.

One answer per device per target: the device cookie's token is stored only as a hash.
The answer can be changed for EDIT_MINUTES after it was first given, then it is final.

`feedback_summary(db, ...)` is the one results query: the staff pages, the JSON API, the
CSV export, the minutes and the annual report all read it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils
from sqlite_utils import Migrations

from events import forms as forms_module
from events.forms import FormSet
from quartier.db import Tx
from quartier.errors import Problem
from quartier.i18n import N_

migrations = Migrations("feedback")

EDIT_MINUTES = 30
# The private bus channel where new answers are announced (staff pages).
CHANNEL = "feedback"


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


def _closing(day: dt.date, open_days: int, tz: ZoneInfo) -> dt.datetime:
    """Midnight at the end of the local day `open_days` days after `day`."""
    return dt.datetime.combine(day + dt.timedelta(days=open_days + 1), dt.time.min, tzinfo=tz)


def template_of(db: sqlite_utils.Database, kind: str, ref: int) -> str:
    row = db.conn.execute(
        "SELECT template FROM feedback_assignments WHERE kind = ? AND ref = ?", (kind, ref)
    ).fetchone()
    return row[0] if row else forms_module.DEFAULT


def occurrence_target(db: sqlite_utils.Database, session_id: int, day: dt.date, open_days: int) -> Target | None:
    """The target of a session's occurrence on its original local date, or None if there is none."""
    from events import queries

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
        closes=_closing(occ["start"].date(), open_days, tz),
        session_id=session_id,
        site=occ["site"],
        site_name=occ["site_name"],
        axis=occ["axis"],
        start=occ["start"],
        cancelled=occ["status"] == "cancelled",
        template=template_of(db, "session", session_id),
    )


def _forum_board(db: sqlite_utils.Database, board_id: int) -> dict[str, Any] | None:
    """A board through the forum's public queries, when the forum is installed."""
    from quartier import features

    if "forum" not in features.FEATURES:
        return None
    from forum import queries as forum_queries  # the forum's read interface for other packages

    return forum_queries.board(db, board_id)


# Where boards come from; tests and a forum-less install may replace it.
board_source = _forum_board


def board_target(db: sqlite_utils.Database, board_id: int, open_days: int, tz: ZoneInfo) -> Target | None:
    """A forum board's target: open while the board is open, and `open_days` days after its creation day."""
    board = board_source(db, board_id)
    if board is None:
        return None
    created = dt.datetime.fromtimestamp(board["created"], tz)
    axis = None
    site_name = ""
    site = board.get("site")
    if board.get("session_id"):
        from events import queries

        s = queries.session(db, board["session_id"])
        if s:
            axis, site, site_name = s["axis"], site or s["site"], s["site_name"]
    closes = _closing(created.date(), open_days, tz)
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
    return _answer(row) if row else None


def _answer(row: Any) -> dict[str, Any]:
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
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
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
        ).lastrowid
        status, created = "created", now
    tx.change(CHANNEL, f"feedback.{status}", {"target": target.key, "id": answer_id})
    return {"id": answer_id, "status": status, "editable_until": created + EDIT_MINUTES * 60}


def set_hidden(tx: Tx, answer_id: int, hidden: bool) -> dict[str, Any]:
    """Hide (or show again) the free texts of one answer; the other answers still count."""
    row = tx.execute("SELECT * FROM feedback_answers WHERE id = ?", (answer_id,)).fetchone()
    if row is None:
        raise Problem(404, "not_found", N_("Cette réponse n'existe pas."))
    tx.execute("UPDATE feedback_answers SET hidden = ? WHERE id = ?", (int(hidden), answer_id))
    tx.change(CHANNEL, "feedback.hidden" if hidden else "feedback.shown", {"target": row["target"], "id": answer_id})
    return _answer(row)


def assign(tx: Tx, kind: str, ref: int, template: str) -> None:
    """Give a session or a board another form (the default one: remove the assignment)."""
    if template == forms_module.DEFAULT:
        tx.execute("DELETE FROM feedback_assignments WHERE kind = ? AND ref = ?", (kind, ref))
    else:
        tx.execute(
            "INSERT OR REPLACE INTO feedback_assignments (kind, ref, template) VALUES (?, ?, ?)", (kind, ref, template)
        )


# -- results


def _where(
    *,
    session_id: int | None = None,
    date: dt.date | str | None = None,
    site: str | None = None,
    axis: str | None = None,
    board_id: int | None = None,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
) -> tuple[str, list[Any]]:
    clauses, params = [], []

    def iso(d: dt.date | str) -> str:
        return d.isoformat() if isinstance(d, dt.date) else str(d)

    if board_id is not None:
        clauses.append("board_id = ?")
        params.append(board_id)
    elif session_id is not None:
        clauses.append("session_id = ? AND kind = 'occurrence'")
        params.append(session_id)
    for column, value in (("site", site), ("axis", axis)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if date is not None:
        clauses.append("date = ?")
        params.append(iso(date))
    if start is not None:
        clauses.append("date >= ?")
        params.append(iso(start))
    if end is not None:
        clauses.append("date <= ?")
        params.append(iso(end))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def answers(db: sqlite_utils.Database, **filters: Any) -> list[dict[str, Any]]:
    """The answers matching the filters of `feedback_summary`, oldest first (hidden ones included)."""
    where, params = _where(**filters)
    rows = db.conn.execute(f"SELECT * FROM feedback_answers{where} ORDER BY date, created, id", params)
    return [_answer(r) for r in rows]


def feedback_summary(
    db: sqlite_utils.Database,
    *,
    session_id: int | None = None,
    date: dt.date | str | None = None,
    site: str | None = None,
    axis: str | None = None,
    board_id: int | None = None,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    include_hidden: bool = False,
    forms: FormSet | None = None,
) -> dict[str, Any]:
    """Counts and distributions of the answers matching every filter given (None: any).

    session_id alone is a session series; with date, one occurrence. board_id is a forum board.
    site and axis are slugs; start and end bound the local date (both included). Returns::

        {"responses": int, "targets": int (occurrences and boards answered), "first": iso date | None,
         "last": iso date | None,
         "questions": [{"id", "type", "label": {"fr", "en"}, "answered": int,
                        "choices": [{"id", "label", "face", "value", "count", "share"}],  # scale/single/multiple
                        "mean": float | None,                                             # scale
                        "texts": [{"answer", "date", "target", "text", "hidden"}]}]}      # text

    Hidden free texts are left out unless include_hidden (staff moderation). Call it inside
    `await db.read(lambda d: feedback_summary(d, ...))`; `forms` defaults to the running server's.
    """
    forms = forms or forms_module.active()
    rows = answers(db, session_id=session_id, date=date, site=site, axis=axis, board_id=board_id, start=start, end=end)
    return summarize(rows, forms, include_hidden=include_hidden)


def summarize(rows: list[dict[str, Any]], forms: FormSet, *, include_hidden: bool = False) -> dict[str, Any]:
    """The summary of already-read answers (see feedback_summary)."""
    questions: dict[str, dict[str, Any]] = {}
    # Questions in template order: the default template's first, then those of the others used.
    used = [forms_module.DEFAULT] + sorted({r["template"] for r in rows} - {forms_module.DEFAULT})
    for name in used:
        if name not in forms and name != forms_module.DEFAULT:
            continue
        for q in forms.get(name).questions:
            if q.id in questions:
                continue
            questions[q.id] = {
                "id": q.id,
                "type": q.type,
                "label": dict(q.label),
                "answered": 0,
                **(
                    {"texts": []}
                    if q.type == "text"
                    else {
                        "choices": [
                            {"id": c.id, "label": dict(c.label), "face": c.face, "value": c.value, "count": 0}
                            for c in q.all_choices()
                        ]
                    }
                ),
                **({"mean": None} if q.type == "scale" else {}),
            }
    counts: dict[str, Counter[str]] = {qid: Counter() for qid in questions}
    for r in rows:
        for qid, value in r["answers"].items():
            q = questions.get(qid)
            if q is None:  # a question since removed from every template: kept in the raw export only
                continue
            q["answered"] += 1
            if q["type"] == "text":
                if include_hidden or not r["hidden"]:
                    q["texts"].append(
                        {
                            "answer": r["id"],
                            "date": r["date"],
                            "target": r["target"],
                            "text": value,
                            "hidden": r["hidden"],
                        }
                    )
            else:
                for v in value if isinstance(value, list) else [value]:
                    counts[qid][str(v)] += 1
    for qid, q in questions.items():
        if q["type"] == "text":
            continue
        known = {c["id"] for c in q["choices"]}
        for value in counts[qid]:
            if value not in known:  # a choice since removed from the template
                q["choices"].append(
                    {"id": value, "label": {"fr": value, "en": value}, "face": None, "value": None, "count": 0}
                )
        for c in q["choices"]:
            c["count"] = counts[qid][c["id"]]
            c["share"] = round(c["count"] / q["answered"], 4) if q["answered"] else 0.0
        if q["type"] == "scale" and q["answered"]:
            total = sum(int(c["id"]) * c["count"] for c in q["choices"] if c["id"].lstrip("-").isdigit())
            q["mean"] = round(total / q["answered"], 2)
    dates = [r["date"] for r in rows]
    return {
        "responses": len(rows),
        "targets": len({r["target"] for r in rows}),
        "first": min(dates) if dates else None,
        "last": max(dates) if dates else None,
        "questions": list(questions.values()),
    }


def answered_targets(db: sqlite_utils.Database, **filters: Any) -> list[dict[str, Any]]:
    """Each occurrence or board with answers (matching the filters), most recent first, with its count."""
    where, params = _where(**filters)
    rows = db.conn.execute(
        f"""SELECT target, kind, session_id, board_id, date, site, axis, count(*) AS responses,
                   sum(hidden) AS hidden, max(updated) AS last
            FROM feedback_answers{where} GROUP BY target ORDER BY date DESC, target""",
        params,
    )
    return [dict(r) for r in rows]


def csv_rows(rows: Iterable[dict[str, Any]], forms: FormSet) -> tuple[list[str], list[list[Any]]]:
    """A header and one row per answer: the target, then one column per question (multiple: `a;b`)."""
    rows = list(rows)
    summary = summarize(rows, forms)
    qids = [q["id"] for q in summary["questions"]]
    header = ["answer", "kind", "session", "board", "date", "site", "axis", "template", "answered_at", *qids]
    out = []
    for r in rows:
        values = []
        for qid in qids:
            v = r["answers"].get(qid, "")
            if isinstance(v, list):
                v = ";".join(v)
            q = next(q for q in summary["questions"] if q["id"] == qid)
            if q["type"] == "text" and r["hidden"]:
                v = ""
            values.append(v)
        answered = dt.datetime.fromtimestamp(r["created"], dt.UTC).isoformat(timespec="seconds")
        out.append(
            [
                r["id"],
                r["kind"],
                r["session_id"] or "",
                r["board_id"] or "",
                r["date"],
                r["site"] or "",
                r["axis"] or "",
                r["template"],
                answered,
                *values,
            ]
        )
    return header, out


# -- demo data


DEMO_COMMENTS = [
    "Merci pour la patience, j'ai enfin pu déclarer mes ressources.",
    "Très clair, j'aimerais une séance de plus sur le téléphone.",
    "Un peu trop de monde, mais bien accueillie.",
    "J'ai appris à scanner mes papiers, merci !",
    "Il faudrait plus de créneaux le samedi.",
]


async def demo(ctx: Any) -> None:
    """Answers on last week's sessions (a handful per occurrence, most of them happy)."""
    import random

    from events import queries

    rng = random.Random(35238)
    start = ctx.today - dt.timedelta(days=7)
    end = ctx.today - dt.timedelta(days=1)
    forms = forms_module.shipped()
    past = await ctx.db.read(lambda d: [o for o in queries.occurrences(d, start, end) if o["status"] != "cancelled"])

    def write(tx: Tx) -> int:
        n = 0
        for occ in past:
            form = forms.get(forms_module.DEFAULT)
            target = Target(
                kind="occurrence",
                key=f"o:{occ['session']}:{occ['date'].isoformat()}",
                title=occ["title"],
                date=occ["date"],
                opens=occ["start"],
                closes=occ["end"],
                session_id=occ["session"],
                site=occ["site"],
                axis=occ["axis"],
            )
            for k in range(rng.randint(2, 7)):
                answers: dict[str, Any] = {"satisfaction": rng.choices([2, 3, 4, 5], [1, 2, 5, 6])[0]}
                learned = [c.id for c in form.question("learned").choices_for(occ["axis"])]
                answers["learned"] = sorted(rng.sample(learned, rng.randint(1, 2)), key=learned.index)
                answers["return"] = rng.choices(["oui", "peut-etre", "non"], [7, 2, 1])[0]
                if rng.random() < 0.3:
                    answers["comment"] = rng.choice(DEMO_COMMENTS)
                when = occ["end"].timestamp() + rng.randint(0, 3600)
                submit(tx, target, f"demo-device-{occ['session']}-{occ['date']}-{k}", answers, now=when)
                n += 1
        return n

    await ctx.db.write(write)
