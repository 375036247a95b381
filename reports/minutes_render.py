"""The minutes as readers get them: safe HTML, the Markdown export, the word cloud and the notes' CSV."""

from __future__ import annotations

import io
import re
from typing import Any

import nh3
from markdown_it import MarkdownIt

from forum import wordcloud
from quartier import csvout

_MD = MarkdownIt("commonmark", {"html": True}).enable("table")


def absolute(markdown: str, base: str) -> str:
    """Links and images on this site ("](/...") made absolute on the public base URL."""
    return markdown.replace("](/", f"]({base.rstrip('/')}/") if base else markdown


def to_html(markdown: str, base: str = "") -> str:
    """Staff Markdown as safe HTML: rendered by markdown-it, then sanitised by nh3 (an allow-list:
    no script, style, event handler or javascript: URL survives; the block markers, being comments, go)."""
    html = nh3.clean(_MD.render(absolute(markdown, base)), link_rel="noopener noreferrer")
    # Each paragraph, item and cell finds its own direction: a note in Arabic reads right to left (issue 26).
    return _BLOCK.sub(r'<\1 dir="auto">', html)


_BLOCK = re.compile(r"<(p|li|td)>")


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
    w = csvout.Writer(out)
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
