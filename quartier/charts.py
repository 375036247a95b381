"""Server-side SVG charts: stacked horizontal bars with an optional goal line.

No script, no style attribute (the pages' Content-Security-Policy forbids both): colours are
classes styled by dashboard.css, with fill attributes as a fallback for printing and feeds.
Each chart is described by a <title> and <desc>; the page puts the same figures in a table
under it, which is what screen readers are pointed to.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from quartier.xmltext import escape

ROW = 28
GAP = 8
LABEL = 220
WIDTH = 720
RIGHT = 70
LEGEND_ROW = 22
GOAL_ROW = 20  # under the bars, for the goal line's label (it was cut at the bottom edge)
LABEL_CHARS = 26  # what fits on one line left of the bars at 14 px; a longer label takes two lines


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")


def stacked_bars(
    rows: list[tuple[str, dict[str, float]]],
    series: list[tuple[str, str, str]],
    *,
    name: str,
    title: str,
    desc: str = "",
    goal: float | None = None,
    goal_label: str = "",
    unit: str = "",
    fmt: Callable[[float], str] = _fmt,
) -> Markup:
    """Horizontal stacked bars: one row per (label, {series key: value}); series are (key, label, colour).

    `name` makes the ids of its title unique in the page. The total of each row is written at its end
    as `fmt` writes it (one decimal at most by default); `goal` draws a dashed vertical line. A long
    label goes on two lines rather than being cut ("Maison des aînés et des aidants").
    """
    legend, legend_rows = _legend(series)
    top = 30 + LEGEND_ROW * (legend_rows - 1)
    height = top + len(rows) * (ROW + GAP) + 10 + (GOAL_ROW if goal else 0)
    biggest = max([sum(v.values()) for _l, v in rows] + [goal or 0, 1e-9])
    # Room at the right for the longest total ("40939,9 €"), at about 9 px a character.
    right = max([RIGHT] + [9 * len(fmt(sum(v.values())) + unit) + 12 for _l, v in rows])
    scale = (WIDTH - LABEL - right) / biggest
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="{name}-title {name}-desc">',
        f'<title id="{name}-title">{escape(title)}</title>',
        f'<desc id="{name}-desc">{escape(desc)}</desc>',
    ]
    out += legend
    for i, (label, values) in enumerate(rows):
        out += _bar_row(top + i * (ROW + GAP), label, values, series, scale, unit, fmt)
    if goal:
        out += _goal_line(LABEL + goal * scale, top, height, goal_label)
    out.append("</svg>")
    return Markup("".join(out))


def _legend(series: list[tuple[str, str, str]]) -> tuple[list[str], int]:
    """The legend's swatches and labels, on as many rows as they need; (elements, rows)."""
    out, x, row = [], LABEL, 0
    for key, label, colour in series:
        step = 26 + 9 * len(label)  # about 9 px a character at 14 px, as for the totals
        if x > LABEL and x + step > WIDTH:
            x, row = LABEL, row + 1
        y = 6 + row * LEGEND_ROW
        out.append(f'<rect class="series-{escape(key)}" x="{x}" y="{y}" width="14" height="14" fill="{colour}"/>')
        out.append(f'<text x="{x + 18}" y="{y + 12}" class="legend">{escape(label)}</text>')
        x += step
    return out, row + 1


def _bar_row(
    y: int,
    label: str,
    values: dict[str, float],
    series: list[tuple[str, str, str]],
    scale: float,
    unit: str,
    fmt: Callable[[float], str],
) -> list[str]:
    """One row: its label, a segment per series (each with its figure as a tooltip), the row's total."""
    out = [_label(y, label)]
    x = float(LABEL)
    for key, series_label, colour in series:
        value = values.get(key, 0.0)
        if value <= 0:
            continue
        w = value * scale
        out.append(
            f'<rect class="series-{escape(key)}" x="{x:.1f}" y="{y}" width="{w:.1f}" height="{ROW}" '
            f'fill="{colour}"><title>{escape(label)} · {escape(series_label)} : {fmt(value)}'
            f"{escape(unit)}</title></rect>"
        )
        x += w
    out.append(
        f'<text x="{x + 6:.1f}" y="{y + ROW * 0.68:.1f}" class="total">{fmt(sum(values.values()))}{escape(unit)}</text>'
    )
    return out


def _lines(label: str) -> list[str]:
    """The label on one line, or on two split at a space (issue 23: a name cut short with "…" read
    as another place); only a single word longer than two lines is cut."""
    if len(label) <= LABEL_CHARS:
        return [label]
    words, first = label.split(" "), ""
    while words and len((first + " " + words[0]).strip()) <= LABEL_CHARS:
        first = (first + " " + words.pop(0)).strip()
    if not first:  # one long word: cut it where the line ends
        first, words = label[:LABEL_CHARS], [label[LABEL_CHARS:]]
    second = " ".join(words)
    if len(second) > LABEL_CHARS:
        second = second[: LABEL_CHARS - 1].rstrip() + "…"
    return [first, second]


def _label(y: int, label: str) -> str:
    """A row's label, right-aligned left of its bar, on one line or two around the bar's middle."""
    lines = _lines(label)
    if len(lines) == 1:
        return f'<text x="{LABEL - 8}" y="{y + ROW * 0.68:.1f}" text-anchor="end" class="label">{escape(label)}</text>'
    spans = "".join(
        f'<tspan x="{LABEL - 8}" y="{y + ROW * 0.68 + offset:.1f}">{escape(line)}</tspan>'
        for line, offset in zip(lines, (-8, 8), strict=True)
    )
    return f'<text text-anchor="end" class="label">{spans}</text>'


def _goal_line(gx: float, top: int, height: int, goal_label: str) -> list[str]:
    """The dashed goal line over the bars, its label under them, kept inside the chart's edges."""
    half = 4.5 * len(goal_label)  # about 9 px a character at 14 px
    anchor, lx = "middle", gx
    if gx + half > WIDTH - 2:
        anchor, lx = "end", float(WIDTH - 2)
    elif gx - half < 2:
        anchor, lx = "start", 2.0
    return [
        f'<line class="goal" x1="{gx:.1f}" x2="{gx:.1f}" y1="{top - 4}" y2="{height - GOAL_ROW}" '
        f'stroke="#1b1b1b" stroke-width="2" stroke-dasharray="6 4"/>',
        f'<text x="{lx:.1f}" y="{height - 5:.1f}" text-anchor="{anchor}" class="goal-label">{escape(goal_label)}</text>',
    ]


def number(value: Any) -> str:
    """A figure as the tables show it: one decimal at most, French comma."""
    return _fmt(float(value))
