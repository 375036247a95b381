"""Server-side SVG for feedback: horizontal bars of a distribution, and the faces of a scale.

No script and no style attribute (the CSP forbids them): presentation attributes only.
The bars are an image with a text alternative; the page puts the same numbers in a table.
"""

from __future__ import annotations

from markupsafe import Markup

from quartier.xmltext import escape, quoteattr

ROW = 46  # height of one bar's row: its label line, then the bar
WIDTH = 600
BAR_X = 0
BAR_MAX = 520  # the count is written to the right of the bar
FILL = "#1f5f8b"  # dark blue: 7:1 against white
TRACK = "#e6edf2"


def bars_svg(items: list[tuple[str, int]], *, title: str, total: int | None = None) -> Markup:
    """Horizontal bars, one per (label, count), scaled to `total` (default: the largest count)."""
    scale = total if total else max((c for _l, c in items), default=0)
    height = ROW * len(items) + 4
    summary = "; ".join(f"{label} : {count}" for label, count in items)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="feedback-bars" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-label={quoteattr(f"{title} — {summary}")}>'
    ]
    for n, (label, count) in enumerate(items):
        y = n * ROW
        width = round(BAR_MAX * count / scale, 1) if scale else 0
        share = f" ({round(100 * count / total)} %)" if total else ""
        parts.append(f'<text x="{BAR_X}" y="{y + 16}" font-size="15" fill="#1a1a1a">{escape(label)}</text>')
        parts.append(f'<rect x="{BAR_X}" y="{y + 22}" width="{BAR_MAX}" height="18" fill="{TRACK}"/>')
        if width:
            parts.append(
                f'<rect class="bar" x="{BAR_X}" y="{y + 22}" width="{width}" height="18" fill="{FILL}" '
                f'data-count="{count}"/>'
            )
        parts.append(f'<text x="{BAR_MAX + 8}" y="{y + 37}" font-size="15" fill="#1a1a1a">{count}{share}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


# Mouth of each face: a quadratic curve from (14, y) through control (24, cy) to (34, y).
_MOUTHS = {
    "very-bad": (37, 24),
    "bad": (34, 29),
    "neutral": (32, 32),
    "good": (31, 36),
    "very-good": (29, 45),
}


def face_svg(face: str | None) -> Markup:
    """A simple face (decorative: the word next to it is the label)."""
    if face not in _MOUTHS:
        return Markup("")
    y, cy = _MOUTHS[face]
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="face" viewBox="0 0 48 48" width="48" height="48" '
        'aria-hidden="true" focusable="false">'
        '<circle cx="24" cy="24" r="22" fill="#ffd75e" stroke="#1a1a1a" stroke-width="2"/>'
        '<circle cx="17" cy="19" r="3" fill="#1a1a1a"/><circle cx="31" cy="19" r="3" fill="#1a1a1a"/>'
        f'<path d="M14 {y} Q24 {cy} 34 {y}" fill="none" stroke="#1a1a1a" stroke-width="3" '
        'stroke-linecap="round"/></svg>'
    )
