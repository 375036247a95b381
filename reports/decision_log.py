"""The one decision log: decisions and actions from forums (notes marked so on a console) and from
the partners' meetings (agenda items' outcomes), searchable and filterable by source, site, partner
and state, as a page, CSV, an Atom feed and the API.

Rows are plain dicts: {key, source ("forum" | "meeting"), id, kind ("decision" | "action"), text,
who, due, done (epoch or None), status ("open"/"done" for actions, "" for decisions), site, origin
(the forum's or meeting's title), board or meeting (its id), day (ISO date), created (epoch)}.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import sqlite_utils

from events import queries as programme
from quartier import csvout
from reports import decisions

SOURCES = ("forum", "meeting")


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _names(partner: dict[str, Any] | None) -> list[str]:
    if not partner:
        return []
    return [str(x).casefold() for x in (partner["name"], partner.get("short_name")) if x]


def forum_rows(db: sqlite_utils.Database, filters: dict[str, Any], partner: dict[str, Any] | None) -> list[dict]:
    rows = decisions.records(
        db,
        site=filters.get("site"),
        axis=filters.get("axis"),
        status=filters.get("status"),
        owner=filters.get("owner"),
        q=filters.get("q"),
    )
    names = _names(partner)
    out = []
    for r in rows:
        if partner and not any(n in r["who"].casefold() for n in names):
            continue
        day = dt.datetime.fromtimestamp(r["created"], dt.UTC).date().isoformat()
        out.append({**r, "key": f"note-{r['id']}", "source": "forum", "origin": r["board_title"], "day": day})
    return out


def meeting_rows(
    db: sqlite_utils.Database, filters: dict[str, Any], partner: dict[str, Any] | None, held_only: bool
) -> list[dict]:
    """Outcomes of meetings: decisions, and actions (each once, on the meeting that decided it)."""
    where = ["i.outcome IN ('decision', 'action')", "i.carried_from IS NULL"]
    params: list[Any] = []
    if held_only:
        where.append("m.state = 'held'")
    if filters.get("site"):
        where.append("m.site = ?")
        params.append(filters["site"])
    if filters.get("status") == "open":
        where.append("i.outcome = 'action' AND i.done IS NULL")
    elif filters.get("status") == "done":
        where.append("i.outcome = 'action' AND i.done IS NOT NULL")
    if filters.get("owner"):
        where.append("i.who LIKE ? ESCAPE '\\'")
        params.append(_like(filters["owner"]))
    if filters.get("q"):
        where.append("(i.text LIKE ? ESCAPE '\\' OR i.title LIKE ? ESCAPE '\\')")
        params += [_like(filters["q"])] * 2
    if partner:
        where.append(
            "(i.who_partner = ? OR EXISTS (SELECT 1 FROM meeting_attendees a WHERE a.meeting_id = m.id AND a.partner_id = ?))"
        )
        params += [partner["id"], partner["id"]]
    if filters.get("axis"):
        where.append("1 = 0")  # meetings' outcomes have no axis
    rows = db.conn.execute(
        f"""SELECT i.id, i.outcome AS kind, i.title, i.text, i.who, i.due, i.done, m.id AS meeting, m.site, m.day,
                   m.created, s.title AS series
            FROM meeting_items i JOIN meetings m ON m.id = i.meeting_id JOIN meeting_series s ON s.id = m.series_id
            WHERE {" AND ".join(where)} ORDER BY m.day DESC, i.position""",
        params,
    )
    out = []
    for r in rows:
        d = dict(r)
        d.update(
            key=f"item-{d['id']}",
            source="meeting",
            text=d["text"] or d["title"],
            due=d["due"] or "",
            status=("done" if d["done"] else "open") if d["kind"] == "action" else "",
            origin=f"{d['series']} · {d['day']}",
            theme="",
            theme_label="",
        )
        out.append(d)
    return out


def log(db: sqlite_utils.Database, filters: dict[str, Any], *, held_only: bool = False) -> list[dict[str, Any]]:
    """The whole log, newest first; `held_only` keeps the meetings whose record is published."""
    partner = programme.partner(db, filters["partner"]) if filters.get("partner") else None
    if filters.get("partner") and partner is None:
        return []
    source = filters.get("source")
    rows = [] if source == "meeting" else forum_rows(db, filters, partner)
    rows += [] if source == "forum" else meeting_rows(db, filters, partner, held_only)
    rows.sort(key=lambda r: (r["day"], r["created"]), reverse=True)
    return rows


def to_csv(rows: list[dict[str, Any]], fmt_time: Any) -> str:
    out = io.StringIO()
    w = csvout.Writer(out)
    w.writerow(
        ["source", "id", "type", "texte", "axe", "qui", "pour_le", "etat", "faite_le", "origine", "lieu", "date"]
    )
    for r in rows:
        done = fmt_time(r["done"]) if r["done"] else ""
        w.writerow(
            [r["source"], r["id"], r["kind"], r["text"], r["theme"], r["who"], r["due"], r["status"], done]
            + [r["origin"], r["site"] or "", r["day"]]
        )
    return out.getvalue()
