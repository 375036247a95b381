"""Compiling a board's minutes: what happened (notes, votes, decisions, attendance, feedback) read
into data, written as Markdown blocks, and merged into the draft without losing staff's edits."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from events import queries as programme
from forum import queries
from quartier.db import Tx
from quartier.errors import Problem
from quartier.i18n import N_
from reports import decisions, feedback_figures
from reports.minutes_markdown import sections
from reports.minutes_store import (
    SECTIONS,
    STAFF_SECTION,
    _next_version,
    draft,
    meta,
    notes_received,
    published,
)


def _feedback(db: sqlite_utils.Database, board: dict[str, Any], day: dt.date) -> dict[str, Any]:
    """Feedback on the board, else on the programme's occurrence it belongs to; counts only (no free text)."""
    summary = feedback_figures.feedback_summary(db, board_id=board["id"])
    if not summary["responses"] and board["session_id"]:
        summary = feedback_figures.feedback_summary(db, session_id=board["session_id"], date=day)
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
    board = queries.board(db, board_id)
    if board is None:
        raise Problem(404, "not_found", N_("Ce tableau n'existe pas."))
    m = meta(db, board_id)
    day = dt.datetime.fromtimestamp(board["created"], tz).date()
    session = programme.session(db, board["session_id"]) if board["session_id"] else None
    rounds = queries.vote_rounds(db, board_id)
    votes: dict[int, int] = {}
    for r in rounds:
        for row in r["ranking"]:
            votes[row["note"]] = votes.get(row["note"], 0) + row["votes"]
    notes = queries.public_notes(db, board_id)
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
            "place": _place(db, board, session),
            "kind": session["kind"] if session else "forum",
        },
        "facilitators": m["facilitators"],
        "attendance": m["attendance"],
        "counts": {
            "received": sum(received.values()),
            "by_source": received,
            **{k: counts[k] for k in ("published", "merged", "hidden", "pending")},
        },
        "themes": _themes(board, notes, votes),
        "decisions": _decisions_of(db, board, notes, votes),
        "rounds": [_round(r) for r in rounds],
        "words": [[w, c] for w, c in queries.word_frequencies(db, board_id, 40)],
        "feedback": _feedback(db, board, day),
        "compiled": time.time(),
    }


def _place(db: sqlite_utils.Database, board: dict[str, Any], session: dict[str, Any] | None) -> str:
    """The site's name and address, and the session's room."""
    place = ""
    site = programme.site(db, board["site"]) if board["site"] else None
    if site:
        place = site["name"] + (f", {site['address']}" if site["address"] else "")
    if session and session["room"]:
        place = f"{place} ({session['room']})" if place else session["room"]
    return place


def _themes(board: dict[str, Any], notes: list[dict[str, Any]], votes: dict[int, int]) -> list[dict[str, Any]]:
    """The published notes by theme, most dots first."""
    themes = []
    for t in board["themes"]:
        in_theme = [n for n in notes if n["theme"] == t["slug"] and n["kind"] == "note"]
        in_theme.sort(key=lambda n: (-votes.get(n["id"], 0), -n["count"], n["id"]))
        listed = [
            {
                "id": n["id"],
                "text": n["text"],
                "count": n["count"],
                "votes": votes.get(n["id"], 0),
                "source": n["source"],
            }
            for n in in_theme
        ]
        themes.append({"slug": t["slug"], "label": t["label"], "notes": listed})
    return themes


def _decisions_of(
    db: sqlite_utils.Database, board: dict[str, Any], notes: list[dict[str, Any]], votes: dict[int, int]
) -> list[dict[str, Any]]:
    """The published decisions and actions, with whether each action is done."""
    done = decisions.done_actions(db, board["id"])
    labels = {t["slug"]: t["label"] for t in board["themes"]}
    return [
        {
            "id": n["id"],
            "kind": n["kind"],
            "text": n["text"],
            "theme": labels.get(n["theme"], n["theme"]),
            "who": n["who"] or "",
            "due": n["due"] or "",
            "done": n["id"] in done,
            "count": n["count"],
            "votes": votes.get(n["id"], 0),
            "source": n["source"],
        }
        for n in notes
        if n["kind"] != "note"
    ]


def _round(r: dict[str, Any]) -> dict[str, Any]:
    shown = (x for x in r["ranking"] if x["votes"] and not x.get("removed"))  # removed: staff took it down
    ranking = [{"note": x["note"], "text": x["text"], "votes": x["votes"]} for x in shown]
    return {"title": r["title"], "state": r["state"], "dots": r["dots"], "voters": r["voters"], "ranking": ranking[:10]}


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
        markdown, kept = fresh_document(new), list[str]()
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
