"""The server-drawn SVG charts: what a reader sees at the end of each bar and at its left."""

from __future__ import annotations

import re

from quartier import charts

SERIES = [("a", "Accompagnement", "#000"), ("b", "Droits", "#111"), ("c", "Non affecté", "#222")]


def texts(svg: str, cls: str) -> list[str]:
    return re.findall(rf'class="{cls}">([^<]*)</text>', svg)


def test_a_long_label_takes_two_lines_whole_and_a_short_one_is_kept():
    """Issue 23: a label cut with "…" is a label cut off; a long name now wraps instead."""
    svg = charts.stacked_bars(
        [("Maison des aînés et des aidants de Rennes", {"a": 1}), ("CAF", {"b": 2})], SERIES, name="t", title="T"
    )
    assert texts(svg, "label") == ["CAF"]
    lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)
    assert lines == ["Maison des aînés et des", "aidants de Rennes"]
    assert all(len(line) <= charts.LABEL_CHARS for line in lines) and "…" not in svg
    # The whole name stays in each segment's tooltip.
    assert "<title>Maison des aînés et des aidants de Rennes · Accompagnement" in svg


def test_totals_are_written_by_the_formatter_given_and_get_room():
    rows = [("Ville", {"a": 40939.88, "b": 1000.0})]
    plain = charts.stacked_bars(rows, SERIES, name="t", title="T", unit=" €")
    assert texts(plain, "total") == ["41939,9 €"]
    grouped = charts.stacked_bars(rows, SERIES, name="t", title="T", unit=" €", fmt=lambda v: f"{round(v):,}")
    assert texts(grouped, "total") == ["41,940 €"]


def test_legend_entries_do_not_overlap():
    svg = charts.stacked_bars([("x", {"a": 1})], SERIES, name="t", title="T")
    xs = [int(x) for x in re.findall(r'<text x="(\d+)" y="\d+" class="legend">', svg)]
    # Each label starts 18 px after its swatch; the next swatch must clear it (about 9 px a character
    # at 14 px: "Accompagnement" ran into "Droits" at 8).
    for (x0, (_k, label, _c)), x1 in zip(zip(xs, SERIES, strict=False), xs[1:], strict=False):
        assert x1 - 18 >= x0 + 9 * len(label)  # the next swatch (18 px before its label) clears this label
