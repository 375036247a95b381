"""The minutes' compiled blocks written as Markdown, one function per block, from the compiled data.

The minutes are a French document (the programme's working language): these texts are French.
Residents' words go through `_md_escape`, so a note never becomes a heading, a link or HTML.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from reports.minutes_store import SOURCE_LABELS, SOURCES


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


def _md_escape(text: str) -> str:
    """A resident's text as literal Markdown: no accidental headings, links, emphasis or HTML."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"([\\`*_\[\]<>|~])", r"\\\1", text)
    return "\\" + text if re.match(r"([#>+=\-]|\d+[.)])", text) else text


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _header(data: dict[str, Any]) -> str:
    """The title, date, place, facilitators and question."""
    b = data["board"]
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
    return "\n".join(lines)


def _attendance(data: dict[str, Any]) -> str:
    """How many came and how many notes were collected, by source."""
    c = data["counts"]
    src = ", ".join(f"{SOURCE_LABELS[s]} : {c['by_source'].get(s, 0)}" for s in SOURCES)
    return "\n".join(
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


def _notes(data: dict[str, Any]) -> str:
    """What was said, by theme, with the dots each note got."""
    lines = ["## Ce qui a été dit, par thème", ""]
    for t in data["themes"]:
        if not t["notes"]:
            continue
        # The heading counts the notes it lists; merged duplicates show as "×2" on their note (issue 23).
        lines += [f"### {_md_escape(t['label'])} ({_plural(len(t['notes']), 'note', 'notes')})", ""]
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
    return "\n".join(lines).rstrip()


def _decisions(data: dict[str, Any]) -> str:
    """Decisions, then actions with who and by when."""
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
    return "\n".join(lines).rstrip()


def _votes(data: dict[str, Any]) -> str:
    """Each dot-voting round's ranking."""
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
    return "\n".join(lines).rstrip()


def _wordcloud(data: dict[str, Any]) -> str:
    """The word cloud's image with its most frequent words as text."""
    b = data["board"]
    top = ", ".join(w for w, _c in data["words"][:10])
    return "\n".join(
        [
            "## Nuage de mots",
            "",
            f"![Nuage de mots. Mots les plus fréquents : {top or 'aucun'}](/minutes/{b['id']}/wordcloud.svg)",
        ]
    )


def _feedback_block(data: dict[str, Any]) -> str:
    """The anonymous feedback's figures (no free text)."""
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
    return "\n".join(lines).rstrip()


BLOCKS = {
    "header": _header,
    "attendance": _attendance,
    "notes": _notes,
    "decisions": _decisions,
    "votes": _votes,
    "wordcloud": _wordcloud,
    "feedback": _feedback_block,
}


def sections(data: dict[str, Any]) -> dict[str, str]:
    """The compiled blocks' Markdown, by block name."""
    return {name: write(data) for name, write in BLOCKS.items()}
