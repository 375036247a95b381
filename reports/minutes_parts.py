"""The minutes draft as the structured editor shows it: the compiler's blocks apart from staff's words.

The stored draft stays one Markdown document whose compiled blocks sit between
`<!-- quartier:name -->` markers (so the merge on each compile and every export keep their shape).
The editor never shows those markers: it cuts the document into the compiler's blocks, shown
read-only and regenerated at each compile, and the hand-written text around them, one field per
place ("start", then "after-<block>"), editable. Saving puts the fields back between the blocks as
they are in the stored draft, so a form can change staff's words and nothing the compiler wrote.
"""

from __future__ import annotations

import re
from typing import Any

from quartier.errors import Problem
from quartier.i18n import N_
from reports.minutes_compile import _BLOCK, block
from reports.minutes_store import MAX_MARKDOWN, draft, save_tx

# What each compiled block is called in the editor (French msgids).
BLOCK_TITLES = {
    "header": N_("En-tête : titre, date, lieu, animation, question"),
    "attendance": N_("Participation"),
    "notes": N_("Ce qui a été dit, par thème"),
    "decisions": N_("Décisions et actions"),
    "votes": N_("Votes (gommettes)"),
    "wordcloud": N_("Nuage de mots"),
    "feedback": N_("Avis des participants"),
}
# The hint a fresh draft carries under "Notes de l'équipe": the editor shows it as a placeholder.
HINT = "<!-- Écrivez ici : ce texte est gardé à chaque mise à jour. -->"
MARKER = re.compile(r"<!--\s*/?\s*quartier:", re.I)


def parts(markdown: str, generated: dict[str, str]) -> list[dict[str, Any]]:
    """The draft in order: {"kind": "text", "key", "body"} and {"kind": "block", "name", "body", "edited"}.

    There is a text part before the first block and after every block, empty when nothing is written
    there, so staff can write anywhere; `edited` says a block was changed by hand before (the raw
    editor), which the next compile keeps."""
    out: list[dict[str, Any]] = []
    key, at = "start", 0
    for m in _BLOCK.finditer(markdown):
        out.append({"kind": "text", "key": key, "body": _shown(markdown[at : m.start()])})
        name, body = m["name"], m["body"]
        edited = name in generated and body.strip() != generated[name].strip()
        out.append({"kind": "block", "name": name, "body": body, "edited": edited})
        key, at = f"after-{name}", m.end()
    out.append({"kind": "text", "key": key, "body": _shown(markdown[at:])})
    return out


def _shown(text: str) -> str:
    return text.replace(HINT, "").strip("\n").strip()


def assemble(markdown: str, texts: dict[str, str], generated: dict[str, str], reset: str = "") -> str:
    """The stored draft with staff's texts put back between its blocks (a key not sent keeps its
    text); the block named `reset` goes back to what the last compile wrote."""
    for text in texts.values():
        if MARKER.search(text):
            raise Problem(
                422,
                "invalid_field",
                N_(
                    "Votre texte ne peut pas contenir de repère « quartier: » : ces parties sont remplies par Quartier."
                ),
            )
    pieces: list[str] = []
    for part in parts(markdown, generated):
        if part["kind"] == "block":
            body = generated.get(part["name"], part["body"]) if part["name"] == reset else part["body"]
            pieces.append(block(part["name"], body))
            continue
        text = texts.get(part["key"], part["body"]).strip()
        if text:
            pieces.append(text)
    return "\n\n".join(pieces) + "\n"


def save_parts_tx(tx: Any, board_id: int, texts: dict[str, str], reset: str = "") -> None:
    """Save staff's words into the draft as it is now (a compile may have run since the page was read)."""
    row = draft(tx.db, board_id)
    if row is None:
        raise Problem(409, "no_draft", N_("Il n'y a pas de brouillon : préparez d'abord le compte rendu."))
    markdown = assemble(row["markdown"], texts, row["generated"], reset)
    if len(markdown) > MAX_MARKDOWN:
        raise Problem(
            422, "too_long", N_("Le compte rendu est trop long : {max} caractères au plus."), max=MAX_MARKDOWN
        )
    save_tx(tx, board_id, markdown)
