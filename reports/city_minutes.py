"""The combined minutes (*compte rendu*) of a forum across sites: per theme what each neighbourhood
said (with counts by source and site), the city-wide ranking, decisions and actions, attendance and
feedback per site, then each site's own minutes as annexes.

Compiled from every site's own compiled data (reports.minutes_compile), so the figures are the
same as in the sites' minutes. The document is French, like the sites' minutes. Its lifecycle is
theirs: a draft staff compile and edit, then published versions, read-only and public.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import time
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from forum import changes as forum_changes
from forum import queries
from quartier import csvout
from quartier.db import Tx
from quartier.errors import Problem
from quartier.i18n import N_
from reports import changes, minutes_compile, minutes_store
from reports.minutes_markdown import _fmt_day, _md_escape, _plural, sections
from reports.minutes_store import SOURCE_LABELS, SOURCES

RANKING = 15


def compile_data(db: sqlite_utils.Database, forum_id: int, tz: ZoneInfo) -> dict[str, Any]:
    """Every site's compiled data, and the forum's own: its themes, city-wide rounds, places."""
    f = queries.forum(db, forum_id)
    if f is None:
        raise Problem(404, "not_found", N_("Ce forum n'existe pas."))
    sites = []
    for b in f["boards"]:
        site = minutes_compile.compile_data(db, b["id"], tz)
        own = minutes_store.published(db, b["id"])
        sites.append(
            {"place": b["place"], "board": b["id"], "data": site, "published": own["markdown"] if own else None}
        )
    rounds = [
        {
            "title": r["title"],
            "dots": r["dots"],
            "voters": r["voters"],
            "ranking": [
                {"text": x["text"], "votes": x["votes"], "place": x["place"]} for x in r["ranking"] if x["votes"]
            ][:RANKING],
        }
        for r in queries.city_rounds(db, forum_id)
    ]
    return {
        "forum": {k: f[k] for k in ("id", "title", "prompt", "starts", "ends")},
        "themes": [{"slug": t["slug"], "label": t["label"]} for t in f["themes"]],
        "sites": sites,
        "rounds": rounds,
        "compiled": time.time(),
    }


# -- the document


def _header(data: dict[str, Any]) -> str:
    f = data["forum"]
    lines = [f"# Compte rendu : {_md_escape(f['title'])}", ""]
    if f["starts"]:
        day = _fmt_day(dt.date.fromisoformat(f["starts"]))
        if f["ends"] and f["ends"] != f["starts"]:
            day += " au " + _fmt_day(dt.date.fromisoformat(f["ends"]))
        lines.append(f"- **Date** : {day}")
    lines.append("- **Quartiers** : " + ", ".join(_md_escape(s["place"]) for s in data["sites"]))
    if f["prompt"]:
        lines.append(f"- **Question commune** : {_md_escape(f['prompt'])}")
    return "\n".join(lines)


def _participation(data: dict[str, Any]) -> str:
    head = "| Quartier | Personnes présentes | Notes reçues | " + " | ".join(SOURCE_LABELS[s] for s in SOURCES)
    lines = ["## Participation et avis par quartier", "", head + " | Réponses au questionnaire |"]
    lines.append("|" + "---|" * (4 + len(SOURCES)))
    totals = [0] * (3 + len(SOURCES))
    for s in data["sites"]:
        d = s["data"]
        row = [d["attendance"], d["counts"]["received"], *(d["counts"]["by_source"].get(x, 0) for x in SOURCES)]
        row.append(d["feedback"]["responses"])
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        lines.append(f"| {_md_escape(s['place'])} | " + " | ".join(str(x) for x in row) + " |")
    lines.append("| **Toute la ville** | " + " | ".join(f"**{x}**" for x in totals) + " |")
    return "\n".join(lines)


def _by_theme(data: dict[str, Any]) -> str:
    lines = ["## Ce que chaque quartier a dit"]
    for t in data["themes"]:
        lines += ["", f"### {_md_escape(t['label'])}"]
        said = False
        for s in data["sites"]:
            notes: list[dict[str, Any]] = next((x["notes"] for x in s["data"]["themes"] if x["slug"] == t["slug"]), [])
            if not notes:
                continue
            said = True
            lines += ["", f"**{_md_escape(s['place'])}** ({_plural(len(notes), 'note', 'notes')})", ""]
            for n in notes:
                extra = [f"×{n['count']}"] if n["count"] > 1 else []
                extra += [_plural(n["votes"], "gommette", "gommettes")] if n["votes"] else []
                lines.append(f"- {_md_escape(n['text'])}" + (f" ({', '.join(extra)})" if extra else ""))
        if not said:
            lines += ["", "Aucune note sur ce thème."]
    return "\n".join(lines)


def _ranking(data: dict[str, Any]) -> str:
    lines = ["## Classement dans toute la ville"]
    if not data["rounds"]:
        return "\n".join([*lines, "", "Pas de vote dans toute la ville."])
    for r in data["rounds"]:
        voters = _plural(r["voters"], "votant", "votants")
        lines += ["", f"### {_md_escape(r['title'])} ({voters}, {_plural(r['dots'], 'gommette', 'gommettes')})", ""]
        for k, x in enumerate(r["ranking"], 1):
            lines.append(
                f"{k}. {_md_escape(x['text'])} — {_md_escape(x['place'])} ({_plural(x['votes'], 'gommette', 'gommettes')})"
            )
    return "\n".join(lines)


def _decisions(data: dict[str, Any]) -> str:
    lines = ["## Décisions et actions", ""]
    found = False
    for s in data["sites"]:
        for d in s["data"]["decisions"]:
            found = True
            kind = "Décision" if d["kind"] == "decision" else "Action"
            who = f" — {_md_escape(d['who'])}" if d["who"] else ""
            due = f", pour le {d['due']}" if d["due"] else ""
            state = (" (faite)" if d["done"] else " (à faire)") if d["kind"] == "action" else ""
            lines.append(f"- **{kind}** ({_md_escape(s['place'])}) : {_md_escape(d['text'])}{who}{due}{state}")
    return "\n".join(lines if found else [*lines, "Aucune décision ni action."])


def _annexes(data: dict[str, Any]) -> str:
    """Each site's own minutes: its published text, else what its compile says; headings two levels down."""
    lines = ["## Annexes : les comptes rendus des quartiers"]
    for s in data["sites"]:
        text = s["published"] or "\n\n".join(v for k, v in sections(s["data"]).items() if k != "wordcloud")
        text = re.sub(r"<!-- /?quartier:[a-z]+ -->\n?", "", text)
        text = re.sub(r"^(#{1,4}) ", lambda m: "#" * min(len(m[1]) + 2, 6) + " ", text, flags=re.M)
        lines += ["", f"### {_md_escape(s['place'])}", "", text.strip()]
    return "\n".join(lines)


def to_markdown(data: dict[str, Any]) -> str:
    parts = [_header(data), _participation(data), _by_theme(data), _ranking(data), _decisions(data), _annexes(data)]
    return "\n\n".join(parts) + "\n"


def notes_csv(data: dict[str, Any]) -> str:
    """Every site's notes as compiled, with its neighbourhood (no first names)."""
    out = io.StringIO()
    w = csvout.Writer(out)
    w.writerow(
        [
            "quartier",
            "id",
            "type",
            "theme",
            "texte",
            "source",
            "notes_regroupees",
            "gommettes",
            "qui",
            "pour_le",
            "faite",
        ]
    )
    for s in data["sites"]:
        for t in s["data"]["themes"]:
            for n in t["notes"]:
                w.writerow(
                    [
                        s["place"],
                        n["id"],
                        "note",
                        t["label"],
                        n["text"],
                        n["source"],
                        n["count"],
                        n["votes"],
                        "",
                        "",
                        "",
                    ]
                )
        for d in s["data"]["decisions"]:
            done = "oui" if d["done"] else ("non" if d["kind"] == "action" else "")
            w.writerow(
                [
                    s["place"],
                    d["id"],
                    d["kind"],
                    d["theme"],
                    d["text"],
                    d.get("source", ""),
                    d.get("count", 1),
                    d.get("votes", 0),
                    d["who"],
                    d["due"],
                    done,
                ]
            )
    return out.getvalue()


# -- lifecycle: a draft, then published versions


def _row(row: Any) -> dict[str, Any]:
    m = dict(row)
    m["data"] = json.loads(m["data"])
    return m


def versions(db: sqlite_utils.Database, forum_id: int) -> list[dict[str, Any]]:
    rows = db.conn.execute("SELECT * FROM forum_city_minutes WHERE forum_id = ? ORDER BY version", (forum_id,))
    return [_row(r) for r in rows]


def draft(db: sqlite_utils.Database, forum_id: int) -> dict[str, Any] | None:
    return next((v for v in versions(db, forum_id) if v["state"] == "draft"), None)


def compile_tx(tx: Tx, forum_id: int, tz: ZoneInfo, now: float | None = None) -> int:
    """A draft compiled afresh from every site (replacing the draft's text); returns its version."""
    now = time.time() if now is None else now
    data = compile_data(tx.db, forum_id, tz)
    markdown = to_markdown(data)
    row = draft(tx.db, forum_id)
    if row:
        tx.execute(
            "UPDATE forum_city_minutes SET markdown = ?, data = ?, updated = ? WHERE id = ?",
            (markdown, json.dumps(data, ensure_ascii=False), now, row["id"]),
        )
        return int(row["version"])
    version = 1 + max((v["version"] for v in versions(tx.db, forum_id)), default=0)
    tx.execute(
        "INSERT INTO forum_city_minutes (forum_id, version, state, markdown, data, created, updated) "
        "VALUES (?, ?, 'draft', ?, ?, ?, ?)",
        (forum_id, version, markdown, json.dumps(data, ensure_ascii=False), now, now),
    )
    return version


def save_tx(tx: Tx, forum_id: int, markdown: str, now: float | None = None) -> None:
    row = draft(tx.db, forum_id)
    if row is None:
        raise Problem(409, "no_draft", N_("Il n'y a pas de brouillon : préparez d'abord le compte rendu."))
    tx.execute(
        "UPDATE forum_city_minutes SET markdown = ?, updated = ? WHERE id = ?",
        (markdown, time.time() if now is None else now, row["id"]),
    )


def publish_tx(tx: Tx, forum_id: int, by: str = "", now: float | None = None) -> int:
    now = time.time() if now is None else now
    row = draft(tx.db, forum_id)
    if row is None:
        raise Problem(409, "no_draft", N_("Il n'y a pas de brouillon : préparez d'abord le compte rendu."))
    tx.execute(
        "UPDATE forum_city_minutes SET state = 'published', published = ?, published_by = ?, updated = ? WHERE id = ?",
        (now, by, now, row["id"]),
    )
    tx.change(
        forum_changes.forum_channel(forum_id), changes.MINUTES_PUBLISHED, {"forum": forum_id, "version": row["version"]}
    )
    return int(row["version"])
