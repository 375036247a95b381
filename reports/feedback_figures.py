"""The figures of feedback answers: the one results query (`feedback_summary`) that the staff pages,
the JSON API, the CSV export, the minutes and the annual report all read, and the export's rows."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

import sqlite_utils

from reports import forms as forms_module
from reports.feedback_store import answer_of
from reports.forms import FormSet


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
    clauses: list[str] = []
    params: list[Any] = []

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
    return [answer_of(r) for r in rows]


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


def _blank_question(q: Any) -> dict[str, Any]:
    """A question of a form with nothing counted yet."""
    out: dict[str, Any] = {"id": q.id, "type": q.type, "label": dict(q.label), "answered": 0}
    if q.type == "text":
        out["texts"] = []
    else:
        out["choices"] = [
            {"id": c.id, "label": dict(c.label), "face": c.face, "value": c.value, "count": 0} for c in q.all_choices()
        ]
    if q.type == "scale":
        out["mean"] = None
    return out


def _questions(rows: list[dict[str, Any]], forms: FormSet) -> dict[str, dict[str, Any]]:
    """Questions in template order: the default template's first, then those of the others used."""
    questions: dict[str, dict[str, Any]] = {}
    used = [forms_module.DEFAULT] + sorted({r["template"] for r in rows} - {forms_module.DEFAULT})
    for name in used:
        if name not in forms and name != forms_module.DEFAULT:
            continue
        for q in forms.get(name).questions:
            questions.setdefault(q.id, _blank_question(q))
    return questions


def _finish(q: dict[str, Any], counts: Counter[str]) -> None:
    """Shares and the mean of a choice question, from its counted values."""
    known = {c["id"] for c in q["choices"]}
    for value in counts:
        if value not in known:  # a choice since removed from the template
            q["choices"].append(
                {"id": value, "label": {"fr": value, "en": value}, "face": None, "value": None, "count": 0}
            )
    for c in q["choices"]:
        c["count"] = counts[c["id"]]
        c["share"] = round(c["count"] / q["answered"], 4) if q["answered"] else 0.0
    if q["type"] == "scale" and q["answered"]:
        total = sum(int(c["id"]) * c["count"] for c in q["choices"] if c["id"].lstrip("-").isdigit())
        q["mean"] = round(total / q["answered"], 2)


def summarize(rows: list[dict[str, Any]], forms: FormSet, *, include_hidden: bool = False) -> dict[str, Any]:
    """The summary of already-read answers (see feedback_summary)."""
    questions = _questions(rows, forms)
    counts: dict[str, Counter[str]] = {qid: Counter() for qid in questions}
    for r in rows:
        for qid, value in r["answers"].items():
            q = questions.get(qid)
            if q is None:  # a question since removed from every template: kept in the raw export only
                continue
            q["answered"] += 1
            if q["type"] != "text":
                counts[qid].update(str(v) for v in (value if isinstance(value, list) else [value]))
            elif include_hidden or not r["hidden"]:
                text = {"answer": r["id"], "date": r["date"], "target": r["target"], "text": value}
                q["texts"].append({**text, "hidden": r["hidden"]})
    for qid, q in questions.items():
        if q["type"] != "text":
            _finish(q, counts[qid])
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
            FROM feedback_answers{where} GROUP BY target, kind, session_id, board_id, date, site, axis
            ORDER BY date DESC, target""",
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
