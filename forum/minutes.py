"""The minutes (*compte rendu*) of a forum board: compiled from what happened, edited, published.

Lifecycle: a board has at most one *draft* and any number of *published* versions (1, 2, ...).
A published version is never changed: a correction starts a new draft (the next version number)
from the latest published text, and publishing it adds a version; the history stays.

The draft is Markdown that staff edit. What the data says is written in *compiled blocks*,
delimited by HTML comments that the rendered page never shows::

    <!-- quartier:notes -->
    ...regenerated from the data at each compile...
    <!-- /quartier:notes -->

Re-compiling merges new data in without losing edits (see `merge`): a block whose text is still
what the last compile wrote is regenerated; a block that staff changed by hand is kept as they
left it (and reported); a block whose markers staff removed is not brought back; staff text outside
the blocks (such as the "Notes de l'équipe" section) is never touched.

Each version stores the compiled data (`data`: counts by source, attendance, word frequencies,
the notes as compiled...) next to its text, so the minutes, their exports and the annual report
keep their figures after the retention setting has purged the raw notes (`purge_due_tx`).

The minutes are a French document (the programme's working language); the pages around them
are translated.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import time
from typing import Any
from zoneinfo import ZoneInfo

import nh3
import sqlite_utils
from markdown_it import MarkdownIt
from sqlite_utils import Migrations

from forum import queries, wordcloud
from quartier.db import Tx
from quartier.errors import Problem
from quartier.i18n import N_

migrations = Migrations("forum_minutes")

MAX_MARKDOWN = 100_000
MAX_FACILITATORS = 200
SOURCE_LABELS = {"tablet": "tablette", "phone": "téléphone", "paper": "papier", "spoken": "oral"}
SOURCES = tuple(SOURCE_LABELS)
SECTIONS = ("header", "attendance", "notes", "decisions", "votes", "wordcloud", "feedback")
STAFF_SECTION = "## Notes de l'équipe\n\n<!-- Écrivez ici : ce texte est gardé à chaque mise à jour. -->\n"


@migrations(name="0001_minutes")
def _schema(db: Any) -> None:
    # Attendance tapped on the console, facilitators, and when the raw notes were purged.
    db.execute(
        """CREATE TABLE forum_board_meta (
            board_id INTEGER PRIMARY KEY REFERENCES forum_boards(id) ON DELETE CASCADE,
            attendance INTEGER NOT NULL DEFAULT 0 CHECK (attendance >= 0),
            facilitators TEXT NOT NULL DEFAULT '',
            purged REAL,            -- raw notes purged by the retention setting
            updated REAL NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE forum_minutes (
            id INTEGER PRIMARY KEY,
            board_id INTEGER NOT NULL REFERENCES forum_boards(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('draft', 'published')),
            markdown TEXT NOT NULL,
            data TEXT NOT NULL,         -- JSON: the compiled figures this text was made from
            generated TEXT NOT NULL,    -- JSON {block: text the last compile wrote}: tells hand edits apart
            created REAL NOT NULL,
            updated REAL NOT NULL,
            published REAL,
            published_by TEXT,
            UNIQUE (board_id, version)
        )"""
    )
    db.execute("CREATE UNIQUE INDEX forum_minutes_one_draft ON forum_minutes (board_id) WHERE state = 'draft'")
    # Actions of the decision records can be marked done by staff.
    db.execute("ALTER TABLE forum_notes ADD COLUMN action_done REAL")


# -- reads


def meta(db: sqlite_utils.Database, board_id: int) -> dict[str, Any]:
    row = db.conn.execute("SELECT * FROM forum_board_meta WHERE board_id = ?", (board_id,)).fetchone()
    return dict(row) if row else {"board_id": board_id, "attendance": 0, "facilitators": "", "purged": None}


def _minutes_row(row: Any) -> dict[str, Any]:
    m = dict(row)
    m["data"] = json.loads(m["data"])
    m["generated"] = json.loads(m["generated"])
    return m


def versions(db: sqlite_utils.Database, board_id: int) -> list[dict[str, Any]]:
    """Every version of a board's minutes, the draft included, oldest first."""
    rows = db.conn.execute("SELECT * FROM forum_minutes WHERE board_id = ? ORDER BY version", (board_id,))
    return [_minutes_row(r) for r in rows]


def draft(db: sqlite_utils.Database, board_id: int) -> dict[str, Any] | None:
    row = db.conn.execute("SELECT * FROM forum_minutes WHERE board_id = ? AND state = 'draft'", (board_id,)).fetchone()
    return _minutes_row(row) if row else None


def published(db: sqlite_utils.Database, board_id: int, version: int | None = None) -> dict[str, Any] | None:
    """A published version (the latest when version is None)."""
    sql = "SELECT * FROM forum_minutes WHERE board_id = ? AND state = 'published'"
    params: tuple = (board_id,)
    if version is not None:
        sql += " AND version = ?"
        params += (version,)
    row = db.conn.execute(sql + " ORDER BY version DESC LIMIT 1", params).fetchone()
    return _minutes_row(row) if row else None


def published_list(
    db: sqlite_utils.Database,
    *,
    site: str | None = None,
    session_id: int | None = None,
    start: float | None = None,
    end: float | None = None,
) -> list[dict[str, Any]]:
    """Boards with published minutes (latest version each), newest first: {board, title, site, session,
    version, published, date}. start/end bound the board's creation time (epoch seconds)."""
    where = ["m.state = 'published'"]
    params: list[Any] = []
    for sql, value in (
        ("b.site = ?", site),
        ("b.session_id = ?", session_id),
        ("b.created >= ?", start),
        ("b.created < ?", end),
    ):
        if value is not None:
            where.append(sql)
            params.append(value)
    rows = db.conn.execute(
        f"""SELECT b.id AS board, b.title, b.site, b.session_id AS session, max(m.version) AS version,
                   max(m.published) AS published, b.created
            FROM forum_minutes m JOIN forum_boards b ON b.id = m.board_id
            WHERE {" AND ".join(where)} GROUP BY b.id ORDER BY b.created DESC, b.id DESC""",
        params,
    )
    return [dict(r) for r in rows]


def notes_received(db: sqlite_utils.Database, board_id: int) -> dict[str, int]:
    """How many notes a board received, per source: live counts, or the counts stored with its latest
    published minutes once the raw notes were purged."""
    if meta(db, board_id)["purged"]:
        m = published(db, board_id)
        if m:
            return {s: int(m["data"]["counts"]["by_source"].get(s, 0)) for s in SOURCES}
    out = dict.fromkeys(SOURCES, 0)
    for source, n in db.conn.execute(
        "SELECT source, count(*) FROM forum_notes WHERE board_id = ? GROUP BY source", (board_id,)
    ):
        out[source] = n
    return out


# -- compiling


def _fmt_day(day: dt.date) -> str:
    months = (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    )
    return f"{day.day} {months[day.month - 1]} {day.year}"


def _feedback(db: sqlite_utils.Database, board: dict[str, Any], day: dt.date) -> dict[str, Any]:
    """Feedback on the board, else on the programme's occurrence it belongs to; counts only (no free text)."""
    from events import queries as programme  # the programme's read interface

    summary = programme.feedback_summary(db, board_id=board["id"])
    if not summary["responses"] and board["session_id"]:
        summary = programme.feedback_summary(db, session_id=board["session_id"], date=day)
    questions = []
    for q in summary["questions"]:
        if q["type"] == "text" or not q["answered"]:
            continue
        questions.append(
            {
                "id": q["id"],
                "label": q["label"].get("fr", q["id"]),
                "answered": q["answered"],
                "mean": q.get("mean"),
                "choices": [{"label": c["label"].get("fr", c["id"]), "count": c["count"]} for c in q["choices"]],
            }
        )
    return {"responses": summary["responses"], "questions": questions}


def compile_data(db: sqlite_utils.Database, board_id: int, tz: ZoneInfo) -> dict[str, Any]:
    """Everything the minutes say, read from the board, its votes, the programme and the feedback."""
    from events import queries as programme

    board = queries.board(db, board_id)
    if board is None:
        raise Problem(404, "not_found", N_("Ce tableau n'existe pas."))
    m = meta(db, board_id)
    created = dt.datetime.fromtimestamp(board["created"], tz)
    day = created.date()
    place = ""
    session = programme.session(db, board["session_id"]) if board["session_id"] else None
    site = programme.site(db, board["site"]) if board["site"] else None
    if site:
        place = site["name"] + (f", {site['address']}" if site["address"] else "")
    if session and session["room"]:
        place = f"{place} ({session['room']})" if place else session["room"]
    labels = {t["slug"]: t["label"] for t in board["themes"]}

    rounds = queries.vote_rounds(db, board_id)
    votes: dict[int, int] = {}
    for r in rounds:
        for row in r["ranking"]:
            votes[row["note"]] = votes.get(row["note"], 0) + row["votes"]
    actions_done = {
        r[0]: r[1]
        for r in db.conn.execute(
            "SELECT id, action_done FROM forum_notes WHERE board_id = ? AND kind = 'action'", (board_id,)
        )
    }
    notes = queries.public_notes(db, board_id)
    themes = []
    for t in board["themes"]:
        in_theme = [n for n in notes if n["theme"] == t["slug"] and n["kind"] == "note"]
        in_theme.sort(key=lambda n: (-votes.get(n["id"], 0), -n["count"], n["id"]))
        themes.append(
            {
                "slug": t["slug"],
                "label": t["label"],
                "notes": [
                    {
                        "id": n["id"],
                        "text": n["text"],
                        "count": n["count"],
                        "votes": votes.get(n["id"], 0),
                        "source": n["source"],
                    }
                    for n in in_theme
                ],
            }
        )
    decisions = [
        {
            "id": n["id"],
            "kind": n["kind"],
            "text": n["text"],
            "theme": labels.get(n["theme"], n["theme"]),
            "who": n["who"] or "",
            "due": n["due"] or "",
            "done": bool(actions_done.get(n["id"])),
            "count": n["count"],
            "votes": votes.get(n["id"], 0),
            "source": n["source"],
        }
        for n in notes
        if n["kind"] != "note"
    ]
    counts = queries.counts(db, board_id)
    received = notes_received(db, board_id)
    return {
        "board": {
            "id": board["id"],
            "code": board["code"],
            "title": board["title"],
            "prompt": board["prompt"],
            "site": board["site"],
            "session": board["session_id"],
            "date": day.isoformat(),
            "place": place,
            "kind": session["kind"] if session else "forum",
        },
        "facilitators": m["facilitators"],
        "attendance": m["attendance"],
        "counts": {
            "received": sum(received.values()),
            "by_source": received,
            "published": counts["published"],
            "merged": counts["merged"],
            "hidden": counts["hidden"],
            "pending": counts["pending"],
        },
        "themes": themes,
        "decisions": decisions,
        "rounds": [
            {
                "title": r["title"],
                "state": r["state"],
                "dots": r["dots"],
                "voters": r["voters"],
                "ranking": [
                    {"note": x["note"], "text": x["text"], "votes": x["votes"]} for x in r["ranking"] if x["votes"]
                ][:10],
            }
            for r in rounds
        ],
        "words": [[w, c] for w, c in queries.word_frequencies(db, board_id, 40)],
        "feedback": _feedback(db, board, day),
        "compiled": time.time(),
    }


def _md_escape(text: str) -> str:
    """A resident's text as literal Markdown: no accidental headings, links, emphasis or HTML."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"([\\`*_\[\]<>|~])", r"\\\1", text)
    return "\\" + text if re.match(r"([#>+=\-]|\d+[.)])", text) else text


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def sections(data: dict[str, Any]) -> dict[str, str]:
    """The compiled blocks' Markdown, by block name."""
    b = data["board"]
    c = data["counts"]
    out: dict[str, str] = {}
    lines = [
        f"# Compte rendu : {_md_escape(b['title'])}",
        "",
        f"- **Date** : {_fmt_day(dt.date.fromisoformat(b['date']))}",
    ]
    if b["place"]:
        lines.append(f"- **Lieu** : {_md_escape(b['place'])}")
    if data["facilitators"]:
        lines.append(f"- **Animation** : {_md_escape(data['facilitators'])}")
    if b["prompt"]:
        lines.append(f"- **Question posée** : {_md_escape(b['prompt'])}")
    out["header"] = "\n".join(lines)

    src = ", ".join(f"{SOURCE_LABELS[s]} : {c['by_source'].get(s, 0)}" for s in SOURCES)
    out["attendance"] = "\n".join(
        [
            "## Participation",
            "",
            f"- **Personnes présentes** (compteur de l'animation) : {data['attendance']}",
            f"- **Notes recueillies** : {c['received']} ({src})",
            f"- **Notes au mur** : {c['published']}"
            + (
                f" (et {_plural(c['merged'], 'doublon regroupé', 'doublons regroupés')} avec elles)"
                if c["merged"]
                else ""
            ),
        ]
    )

    lines = ["## Ce qui a été dit, par thème", ""]
    for t in data["themes"]:
        if not t["notes"]:
            continue
        lines += [f"### {_md_escape(t['label'])} ({_plural(sum(n['count'] for n in t['notes']), 'note', 'notes')})", ""]
        for n in t["notes"]:
            extra = []
            if n["votes"]:
                extra.append(_plural(n["votes"], "gommette", "gommettes"))
            if n["count"] > 1:
                extra.append(f"×{n['count']}")
            lines.append(f"- {_md_escape(n['text'])}" + (f" ({', '.join(extra)})" if extra else ""))
        lines.append("")
    if len(lines) == 2:
        lines.append("Aucune note publiée.")
    out["notes"] = "\n".join(lines).rstrip()

    lines = ["## Décisions et actions", ""]
    decisions = [d for d in data["decisions"] if d["kind"] == "decision"]
    actions = [d for d in data["decisions"] if d["kind"] == "action"]
    if decisions:
        lines += ["### Décisions", ""] + [f"- {_md_escape(d['text'])}" for d in decisions] + [""]
    if actions:
        lines += ["### Actions", "", "| Action | Qui | Pour le | État |", "|---|---|---|---|"]
        for a in actions:
            due = _fmt_day(dt.date.fromisoformat(a["due"])) if a["due"] else "—"
            lines.append(
                f"| {_md_escape(a['text'])} | {_md_escape(a['who']) or '—'} | {due} | "
                f"{'faite' if a['done'] else 'à faire'} |"
            )
    if not decisions and not actions:
        lines.append("Aucune décision ni action enregistrée.")
    out["decisions"] = "\n".join(lines).rstrip()

    lines = ["## Votes (gommettes)", ""]
    for r in data["rounds"]:
        lines += [
            f"### {_md_escape(r['title'])}",
            "",
            f"{_plural(r['dots'], 'gommette', 'gommettes')}, {_plural(r['voters'], 'votant', 'votants')}.",
            "",
        ]
        for i, x in enumerate(r["ranking"], 1):
            lines.append(f"{i}. {_md_escape(x['text'])} : {x['votes']}")
        lines.append("")
    if not data["rounds"]:
        lines.append("Pas de vote pendant cette séance.")
    out["votes"] = "\n".join(lines).rstrip()

    top = ", ".join(w for w, _c in data["words"][:10])
    out["wordcloud"] = "\n".join(
        [
            "## Nuage de mots",
            "",
            f"![Nuage de mots. Mots les plus fréquents : {top or 'aucun'}](/minutes/{b['id']}/wordcloud.svg)",
        ]
    )

    f = data["feedback"]
    lines = ["## Avis des participants", ""]
    if not f["responses"]:
        lines.append("Aucun avis donné.")
    else:
        lines += [f"{_plural(f['responses'], 'réponse', 'réponses')} au questionnaire anonyme.", ""]
        for q in f["questions"]:
            mean = f" (moyenne {q['mean']:.1f} sur 5)".replace(".", ",") if q.get("mean") else ""
            lines.append(
                f"- **{_md_escape(q['label'])}**{mean} : "
                + ", ".join(f"{_md_escape(ch['label'])} {ch['count']}" for ch in q["choices"] if ch["count"])
            )
    out["feedback"] = "\n".join(lines).rstrip()
    return out


_BLOCK = re.compile(r"<!-- quartier:(?P<name>[a-z]+) -->\n(?P<body>.*?)\n?<!-- /quartier:(?P=name) -->", re.S)


def block(name: str, body: str) -> str:
    return f"<!-- quartier:{name} -->\n{body}\n<!-- /quartier:{name} -->"


def blocks_of(markdown: str) -> dict[str, str]:
    return {m["name"]: m["body"] for m in _BLOCK.finditer(markdown)}


def fresh_document(new: dict[str, str]) -> str:
    parts = [block(name, new[name]) for name in SECTIONS if name in new]
    parts.insert(3, STAFF_SECTION.rstrip())  # after the notes: the team's comments, kept across compiles
    return "\n\n".join(parts) + "\n"


def merge(markdown: str, new: dict[str, str], generated: dict[str, str]) -> tuple[str, list[str]]:
    """Merge newly compiled blocks into an edited document; returns (document, blocks kept as edited).

    A block still as the last compile wrote it is replaced; a block edited by hand is kept; a block
    whose markers were removed stays removed; a block never compiled before is appended.
    """
    kept: list[str] = []

    def replace(m: re.Match) -> str:
        name, body = m["name"], m["body"]
        if name not in new:
            return m.group(0)
        if name in generated and body.strip() != generated[name].strip():
            kept.append(name)
            return m.group(0)
        return block(name, new[name])

    out = _BLOCK.sub(replace, markdown)
    present = set(blocks_of(markdown))
    for name in SECTIONS:
        if name in new and name not in present and name not in generated:
            out = out.rstrip("\n") + "\n\n" + block(name, new[name]) + "\n"
    return out, kept


# -- writes


def _ensure_meta(tx: Tx, board_id: int) -> None:
    tx.execute("INSERT OR IGNORE INTO forum_board_meta (board_id, updated) VALUES (?, ?)", (board_id, time.time()))


def attendance_tx(tx: Tx, board_id: int, *, delta: int = 0, value: int | None = None) -> int:
    """Count people in (delta +1/-1) or set the count; never below zero. Returns the new count."""
    if queries.board(tx.db, board_id) is None:
        raise Problem(404, "not_found", N_("Ce tableau n'existe pas."))
    _ensure_meta(tx, board_id)
    if value is not None:
        tx.execute(
            "UPDATE forum_board_meta SET attendance = max(0, ?), updated = ? WHERE board_id = ?",
            (value, time.time(), board_id),
        )
    else:
        tx.execute(
            "UPDATE forum_board_meta SET attendance = max(0, attendance + ?), updated = ? WHERE board_id = ?",
            (delta, time.time(), board_id),
        )
    count = meta(tx.db, board_id)["attendance"]
    tx.change(f"moderation:{board_id}", "attendance", {"board": board_id, "count": count})
    return count


def set_facilitators_tx(tx: Tx, board_id: int, facilitators: str) -> None:
    _ensure_meta(tx, board_id)
    tx.execute(
        "UPDATE forum_board_meta SET facilitators = ?, updated = ? WHERE board_id = ?",
        (facilitators[:MAX_FACILITATORS], time.time(), board_id),
    )


def compile_tx(tx: Tx, board_id: int, tz: ZoneInfo, now: float | None = None) -> dict[str, Any]:
    """Compile the board's data into its draft: a new draft, or new data merged into the current one.

    Returns {"version", "kept": [blocks kept as edited by hand]}.
    """
    now = time.time() if now is None else now
    if meta(tx.db, board_id)["purged"]:
        raise Problem(
            409,
            "purged",
            N_(
                "Les notes de ce forum ont été effacées (durée de conservation) : "
                "corrigez le texte du compte rendu à la main."
            ),
        )
    data = compile_data(tx.db, board_id, tz)
    new = sections(data)
    current = draft(tx.db, board_id) or published(tx.db, board_id)
    if current is None:
        markdown, kept = fresh_document(new), []
    else:
        markdown, kept = merge(current["markdown"], new, current["generated"])
    generated = {**(current["generated"] if current else {}), **{k: v for k, v in new.items() if k not in kept}}
    row = draft(tx.db, board_id)
    if row:
        tx.execute(
            "UPDATE forum_minutes SET markdown = ?, data = ?, generated = ?, updated = ? WHERE id = ?",
            (markdown, json.dumps(data, ensure_ascii=False), json.dumps(generated, ensure_ascii=False), now, row["id"]),
        )
        version = row["version"]
    else:
        version = _next_version(tx, board_id)
        tx.execute(
            "INSERT INTO forum_minutes (board_id, version, state, markdown, data, generated, created, updated) "
            "VALUES (?, ?, 'draft', ?, ?, ?, ?, ?)",
            (
                board_id,
                version,
                markdown,
                json.dumps(data, ensure_ascii=False),
                json.dumps(generated, ensure_ascii=False),
                now,
                now,
            ),
        )
    return {"version": version, "kept": kept}


def _next_version(tx: Tx, board_id: int) -> int:
    return tx.execute(
        "SELECT coalesce(max(version), 0) + 1 FROM forum_minutes WHERE board_id = ?", (board_id,)
    ).fetchone()[0]


def save_tx(tx: Tx, board_id: int, markdown: str, now: float | None = None) -> None:
    """Save staff's text of the draft."""
    row = draft(tx.db, board_id)
    if row is None:
        raise Problem(409, "no_draft", N_("Il n'y a pas de brouillon : préparez d'abord le compte rendu."))
    tx.execute(
        "UPDATE forum_minutes SET markdown = ?, updated = ? WHERE id = ?",
        (markdown, time.time() if now is None else now, row["id"]),
    )


def correct_tx(tx: Tx, board_id: int, now: float | None = None) -> int:
    """A new draft from the latest published version (a correction); returns its version number."""
    now = time.time() if now is None else now
    if draft(tx.db, board_id):
        return draft(tx.db, board_id)["version"]  # type: ignore[index]
    last = published(tx.db, board_id)
    if last is None:
        raise Problem(409, "not_published", N_("Ce compte rendu n'est pas encore publié."))
    version = _next_version(tx, board_id)
    tx.execute(
        "INSERT INTO forum_minutes (board_id, version, state, markdown, data, generated, created, updated) "
        "VALUES (?, ?, 'draft', ?, ?, ?, ?, ?)",
        (
            board_id,
            version,
            last["markdown"],
            json.dumps(last["data"], ensure_ascii=False),
            json.dumps(last["generated"], ensure_ascii=False),
            now,
            now,
        ),
    )
    return version


def publish_tx(tx: Tx, board_id: int, by: str = "", now: float | None = None) -> int:
    """Publish the draft: it becomes read-only and public. Returns its version number."""
    now = time.time() if now is None else now
    row = draft(tx.db, board_id)
    if row is None:
        raise Problem(409, "no_draft", N_("Il n'y a pas de brouillon : préparez d'abord le compte rendu."))
    tx.execute(
        "UPDATE forum_minutes SET state = 'published', published = ?, published_by = ?, updated = ? WHERE id = ?",
        (now, by, now, row["id"]),
    )
    data = {"board": board_id, "version": row["version"]}
    tx.change(f"board:{board_id}", "minutes.published", data)
    board = tx.execute("SELECT site FROM forum_boards WHERE id = ?", (board_id,)).fetchone()
    if board and board["site"]:  # the site's page links its published minutes
        tx.change(f"site:{board['site']}", "minutes.published", data)
    return row["version"]


# -- retention


def purge_due_tx(tx: Tx, days: int, now: float | None = None) -> list[int]:
    """Purge the raw notes of boards whose minutes were first published more than `days` days ago.

    Plain notes are deleted (their votes with them); decisions and actions, the record of what the
    group decided, stay without their authors' first names; frozen vote results lose the names too.
    The minutes keep their text and the counts stored with them. Returns the boards purged.
    """
    if days <= 0:
        return []
    now = time.time() if now is None else now
    rows = tx.execute(
        """SELECT m.board_id FROM forum_minutes m LEFT JOIN forum_board_meta x ON x.board_id = m.board_id
           WHERE m.state = 'published' AND x.purged IS NULL
           GROUP BY m.board_id HAVING min(m.published) <= ?""",
        (now - days * 86400,),
    ).fetchall()
    purged = []
    for (board_id,) in rows:
        for (note_id,) in tx.execute(
            "SELECT id FROM forum_notes WHERE board_id = ? AND kind = 'note' AND status = 'published'", (board_id,)
        ).fetchall():
            tx.change(f"board:{board_id}", "note.removed", {"id": note_id})
        tx.execute("UPDATE forum_notes SET merged_into = NULL WHERE board_id = ? AND kind != 'note'", (board_id,))
        tx.execute("DELETE FROM forum_notes WHERE board_id = ? AND kind = 'note'", (board_id,))
        tx.execute("UPDATE forum_notes SET author = '' WHERE board_id = ?", (board_id,))
        for rid, results in tx.execute(
            "SELECT id, results FROM forum_rounds WHERE board_id = ? AND results IS NOT NULL", (board_id,)
        ).fetchall():
            ranking = [{**x, "author": ""} for x in json.loads(results)]
            tx.execute(
                "UPDATE forum_rounds SET results = ? WHERE id = ?", (json.dumps(ranking, ensure_ascii=False), rid)
            )
        _ensure_meta(tx, board_id)
        tx.execute("UPDATE forum_board_meta SET purged = ?, updated = ? WHERE board_id = ?", (now, now, board_id))
        purged.append(board_id)
    return purged


# -- rendering and exports


_MD = MarkdownIt("commonmark", {"html": True}).enable("table")


def absolute(markdown: str, base: str) -> str:
    """Links and images on this site ("](/...") made absolute on the public base URL."""
    return markdown.replace("](/", f"]({base.rstrip('/')}/") if base else markdown


def to_html(markdown: str, base: str = "") -> str:
    """Staff Markdown as safe HTML: rendered by markdown-it, then sanitised by nh3 (an allow-list:
    no script, style, event handler or javascript: URL survives; the block markers, being comments, go)."""
    return nh3.clean(_MD.render(absolute(markdown, base)), link_rel="noopener noreferrer")


def to_markdown(markdown: str, base: str = "") -> str:
    """The Markdown export: the text without the block markers, links made absolute."""
    text = re.sub(r"<!-- /?quartier:[a-z]+ -->\n?", "", markdown)
    text = re.sub(r"<!--.*?-->\n?", "", text, flags=re.S)
    return absolute(re.sub(r"\n{3,}", "\n\n", text).strip() + "\n", base)


def wordcloud_of(data: dict[str, Any]) -> str:
    return wordcloud.wordcloud_svg(
        [(w, c) for w, c in data.get("words", [])], title="Nuage de mots : " + data["board"]["title"], empty="Aucun mot"
    )


def notes_csv(data: dict[str, Any]) -> str:
    """The notes as compiled (published notes, decisions and actions; no first names)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["id", "type", "theme", "texte", "source", "notes_regroupees", "gommettes", "qui", "pour_le", "faite"])
    for t in data["themes"]:
        for n in t["notes"]:
            w.writerow([n["id"], "note", t["label"], n["text"], n["source"], n["count"], n["votes"], "", "", ""])
    for d in data["decisions"]:
        w.writerow(
            [
                d["id"],
                d["kind"],
                d["theme"],
                d["text"],
                d.get("source", ""),
                d.get("count", 1),
                d.get("votes", 0),
                d["who"],
                d["due"],
                "oui" if d["done"] else ("non" if d["kind"] == "action" else ""),
            ]
        )
    return out.getvalue()


def document_title(data: dict[str, Any]) -> str:
    return "Compte rendu : " + data["board"]["title"]


def run_retention_forever(db: Any, days: int, every: float = 6 * 3600) -> Any:
    """A coroutine: purge what is due at start-up, then every `every` seconds."""
    import asyncio
    import logging

    async def loop() -> None:
        while True:
            try:
                done = await db.write(lambda tx: purge_due_tx(tx, days))
                if done:
                    logging.getLogger(__name__).info("retention: raw notes purged on boards %s", done)
            except Exception:  # pragma: no cover - logged, retried later
                logging.getLogger(__name__).exception("retention failed")
            await asyncio.sleep(every)

    return loop()


__all__ = ["compile_data", "compile_tx", "correct_tx", "merge", "publish_tx", "purge_due_tx", "to_html", "versions"]
