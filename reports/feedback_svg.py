"""Server-side SVG for feedback: the bar of one answer's share, and the faces of a scale.

No script and no style attribute (the CSP forbids them): presentation attributes only.
A bar holds no text: its label and figures are cells of the table it sits in, so they wrap
instead of being cut at the edge of an image (issue 23: "282 (14 %" was clipped).
"""

from __future__ import annotations

from markupsafe import Markup

FILL = "#1f5f8b"  # dark blue: 7:1 against white
TRACK = "#e6edf2"


def share_bar(count: int, share: float) -> Markup:
    """A horizontal bar filled to `share` (0 to 1) of its width, decorative (the cells say the figures)."""
    width = round(100 * max(0.0, min(share, 1.0)), 1)
    bar = (
        f'<rect class="bar" x="0" y="0" width="{width}" height="10" fill="{FILL}" data-count="{count}"/>'
        if width
        else ""
    )
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="share-bar" viewBox="0 0 100 10" preserveAspectRatio="none" '
        f'width="100%" height="18" aria-hidden="true" focusable="false">'
        f'<rect x="0" y="0" width="100" height="10" fill="{TRACK}"/>{bar}</svg>'
    )


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
