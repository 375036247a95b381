"""A board's most frequent meaningful words, and a word cloud of them as SVG, computed here.

Words are counted folded to lower case without accents ("Démarches" and "demarches" are
one word) but shown as residents wrote them, accents kept ("démarches"): folding is for
counting only. French elisions are cut ("l'aide" is "aide"), and short words, the stop words of
every language it knows (French, English, Arabic, Turkish: a note may be written in any) and the
words a board's facilitators chose to ignore are dropped. The layout is deterministic (same words, same picture): words are placed
from the largest down along a spiral from the centre, each where it overlaps nothing.
No JavaScript and no library: the wall and the minutes use the same SVG.

    freq = await db.read(lambda d: board_frequencies(d, board_id))
    svg = wordcloud_svg(freq, title="Temps fort Maurepas")
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import sqlite_utils

from forum import changes, reads, stopwords
from quartier.db import Tx
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.xmltext import escape, quoteattr

MIN_LENGTH = 3


# Elided articles and pronouns before an apostrophe: l', d', j', qu', n', s', c', m', t', jusqu', lorsqu', puisqu'.
_ELISION = re.compile(r"\b(?:[ldjnsmtc]|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")

PALETTE = ("#1b4f8a", "#a3331f", "#2d6a3e", "#6b3fa0", "#8a5a00", "#0f6f78")


def fold(word: str) -> str:
    """Lower case without accents: 'Démarches' -> 'demarches'; 'Œuvre' -> 'oeuvre'."""
    decomposed = unicodedata.normalize("NFKD", word.casefold().replace("œ", "oe").replace("æ", "ae"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Stop words of every language the word cloud knows (forum/stopwords.py), folded like the words.
STOP_WORDS = frozenset(fold(word) for language in stopwords.BY_LANGUAGE.values() for word in language)


def written(text: str, ignored: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """The meaningful words of a text as (folded, as written in lower case): no elisions, stop words,
    numbers, short words or ignored words (folded)."""
    text = _ELISION.sub(" ", text)
    out = []
    for match in _WORD.finditer(text):
        shown = match.group(0).lower().strip("-")
        w = fold(shown)
        if len(w) >= MIN_LENGTH and w not in STOP_WORDS and w not in ignored:
            out.append((w, shown))
    return out


def words(text: str) -> list[str]:
    """The meaningful words of a text, folded: no elisions, stop words, numbers or short words."""
    return [w for w, _shown in written(text)]


def _accents(word: str) -> int:
    return sum(1 for c in word if not c.isascii())


def frequencies(texts: Iterable[str], limit: int = 40, ignored: Iterable[str] = ()) -> list[tuple[str, int]]:
    """The most frequent meaningful words of the texts: [(word, count)], most frequent first, then by word.

    Each word is counted folded and shown as most often written; between forms written as often,
    the one with accents ("démarches" rather than "demarches": phones make accents hard to type)."""
    skip = frozenset(fold(w.strip()) for w in ignored if w.strip())
    counter: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for text in texts:
        for w, shown in written(text, skip):
            counter[w] += 1
            forms.setdefault(w, Counter())[shown] += 1
    top = sorted(counter.items(), key=lambda wc: (-wc[1], wc[0]))[:limit]
    return [(max(forms[w].items(), key=lambda fc: (fc[1], _accents(fc[0]), fc[0]))[0], c) for w, c in top]


def ignored_words(db: sqlite_utils.Database, board_id: int) -> list[str]:
    """The words a board's word cloud leaves out, as its facilitators typed them."""
    row = db.conn.execute("SELECT ignored_words FROM forum_boards WHERE id = ?", (board_id,)).fetchone()
    return [w for w in (row[0] if row else "").split("\n") if w.strip()]


MAX_IGNORED = 100


def set_ignored_tx(tx: Tx, board_id: int, words_typed: list[str]) -> None:
    """A board's own list of words its cloud leaves out (a place's name, the question's own words)."""
    board = reads.board(tx.db, board_id)
    if board is None:
        raise Problem(404, "not_found", N_("Ce tableau n'existe pas."))
    kept = list(dict.fromkeys(w.strip() for w in words_typed if w.strip()))[:MAX_IGNORED]
    tx.execute("UPDATE forum_boards SET ignored_words = ? WHERE id = ?", ("\n".join(kept), board_id))
    # The word cloud's wall redraws on the board's changes.
    tx.change(changes.board_channel(board_id), changes.BOARD_UPDATED, reads.public_board(board))


def board_frequencies(db: sqlite_utils.Database, board_id: int, limit: int = 40) -> list[tuple[str, int]]:
    """Frequent words of a board's published notes and of the duplicates merged into them."""
    rows = db.conn.execute(
        "SELECT n.text FROM forum_notes n LEFT JOIN forum_notes p ON p.id = n.merged_into "
        "WHERE n.board_id = ? AND (n.status = 'published' OR (n.status = 'merged' AND p.status = 'published')) "
        "ORDER BY n.id",
        (board_id,),
    )
    return frequencies((r[0] for r in rows), limit, ignored_words(db, board_id))


def _boxes_overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def layout(
    freq: Sequence[tuple[str, int]], width: int = 960, height: int = 540, min_size: float = 16, max_size: float = 80
) -> list[dict[str, Any]]:
    """Place words: size by frequency, along a spiral from the centre, without overlaps.

    Each placed word is {"word", "count", "size", "x", "y"} (x, y: the centre of its text).
    Words that find no room are left out. Text width is estimated (0.58 em a letter),
    which holds for the sans-serif fonts a browser or an office suite picks.
    """
    if not freq:
        return []
    top = freq[0][1]
    low = min(c for _w, c in freq)
    placed: list[dict[str, Any]] = []
    boxes: list[tuple[float, float, float, float]] = []
    cx, cy = width / 2, height / 2
    for word, count in freq:
        ratio = 1.0 if top == low else (count - low) / (top - low)
        size = round(min_size + (max_size - min_size) * math.sqrt(ratio), 1)
        w, h = len(word) * size * 0.58 + 4, size * 1.05
        if w > width - 8:
            size = round(size * (width - 8) / w, 1)
            w, h = len(word) * size * 0.58 + 4, size * 1.05
        t = 0.0
        while t < 400:
            # Archimedean spiral, flattened to the frame's shape.
            x = cx + 4 * t * math.cos(t) * (width / height)
            y = cy + 4 * t * math.sin(t)
            box = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
            inside = box[0] >= 4 and box[1] >= 4 and box[2] <= width - 4 and box[3] <= height - 4
            if inside and not any(_boxes_overlap(box, b) for b in boxes):
                boxes.append(box)
                placed.append({"word": word, "count": count, "size": size, "x": round(x, 1), "y": round(y, 1)})
                break
            t += 0.1
    return placed


def wordcloud_svg(
    source: sqlite_utils.Database | Sequence[tuple[str, int]],
    board_id: int | None = None,
    *,
    width: int = 960,
    height: int = 540,
    limit: int = 40,
    title: str = "",
    empty: str = "",
) -> str:
    """A standalone SVG word cloud, from a database and a board id, or from (word, count) pairs.

    Attributes only (no style element or attribute), so a strict CSP shows it inline, and
    it embeds as is in the minutes. `title` labels the image; `empty` is shown when there
    are no words yet.
    """
    if isinstance(source, sqlite_utils.Database):
        if board_id is None:
            raise ValueError("board_id is needed with a database")
        freq = board_frequencies(source, board_id, limit)
    else:
        freq = list(source)[:limit]
    placed = layout(freq, width, height)
    label = title or ", ".join(w for w, _c in freq[:10])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="wordcloud" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label={quoteattr(label)}>',
        f"<title>{escape(label)}</title>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    if not placed and empty:
        parts.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" dominant-baseline="middle" '
            f'font-family="sans-serif" font-size="28" fill="#555555">{escape(empty)}</text>'
        )
    for i, p in enumerate(placed):
        parts.append(
            f'<text x="{p["x"]}" y="{p["y"]}" text-anchor="middle" dominant-baseline="central" '
            f'font-family="sans-serif" font-weight="700" font-size="{p["size"]}" fill="{PALETTE[i % len(PALETTE)]}">'
            f"{escape(p['word'])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
