"""CSV that a spreadsheet reads as data, never as a formula: the one writer every export uses.

A resident's note `=HYPERLINK(...)` or a feedback comment `=cmd|' /C calc'!A0` would otherwise
open as a live formula in the partners' spreadsheet. A text cell that starts with `=`, `+`, `-`,
`@`, a tab or a carriage return gets a leading apostrophe (shown by no spreadsheet), unless it is
only a number or a phone number (`+33 1 23 45 67 89`, `-2,5`), which no spreadsheet runs.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_LIKE = re.compile(r"[+-]?[\d\s.,()/]+")


def cell(value: Any) -> Any:
    """A cell as it is safe to write: text that could start a formula is neutralised."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER_LIKE.fullmatch(value):
        return "'" + value
    return value


class Writer:
    """csv.writer with every cell passed through `cell()`."""

    def __init__(self, out: IO[str], **options: Any):
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Sequence[Any]) -> None:
        self._writer.writerow([cell(v) for v in row])

    def writerows(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class DictWriter:
    """csv.DictWriter with every value passed through `cell()`."""

    def __init__(self, out: IO[str], fieldnames: Sequence[str], **options: Any):
        self._writer = csv.DictWriter(out, fieldnames, **options)

    def writeheader(self) -> None:
        self._writer.writeheader()

    def writerow(self, row: Mapping[str, Any]) -> None:
        self._writer.writerow({k: cell(v) for k, v in row.items()})
