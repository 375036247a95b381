"""One value cleaned or parsed: text, numbers within 64 bits, dates within YEARS; None when it is not one.

Only ASCII digits count as digits ("²".isdigit() is true, and int("²") fails), and no number is converted
before it is known to be within its bounds (int() of thousands of digits and float() of a huge int raise).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
YEARS = (2000, 2100)  # the programme's dates, and those anyone may ask about

# Characters a person's text may not hold: C0/C1 controls (but tab and newlines) and the
# bidirectional overrides that can disguise text.
_FORBIDDEN = (
    {c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)}
    | set(range(0x7F, 0xA0))
    | {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069}
)
_STRIP: dict[int, None] = dict.fromkeys(_FORBIDDEN)
_INT = re.compile(r"\s*[+-]?[0-9]{1,19}\s*")
_DIGITS = re.compile(r"[0-9]{1,19}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
_WEEK = re.compile(r"([0-9]{4})-?[Ww]([0-9]{1,2})")
_TRUE = ("1", "true", "on", "yes", "oui")
_FALSE = ("0", "false", "off", "no", "non")


def clean_text(value: str, *, multiline: bool = True) -> str:
    """A person's text in NFC, without control characters or bidi overrides, trimmed; one line unless multiline."""
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").translate(_STRIP).strip()
    return value if multiline else " ".join(value.split())


def blank(value: Any) -> bool:
    """Absent or empty, as an unfilled form field is."""
    return value is None or (isinstance(value, str) and value == "")


def to_int(value: Any, minimum: int = INT64_MIN, maximum: int = INT64_MAX) -> int | None:
    """An integer (a JSON number or ASCII digits) between minimum and maximum."""
    if isinstance(value, str) and _INT.fullmatch(value):
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
        return None
    return value


def to_id(value: Any) -> int | None:
    """A record's number (1 to 2**63 - 1) from an int or ASCII digits."""
    if isinstance(value, str):
        value = int(value) if _DIGITS.fullmatch(value) else None
    return to_int(value, 1) if isinstance(value, int) else None


def to_float(value: Any, minimum: float, maximum: float) -> float | None:
    """A finite number between minimum and maximum (a JSON number or its text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    # Compared before converting: float() of a huge int raises, and NaN is never within bounds.
    if not isinstance(value, (int, float)) or not minimum <= value <= maximum:
        return None
    return float(value)


def to_bool(value: Any) -> bool | None:
    """true/false, 1/0, or a form's on, yes/oui, no/non."""
    if isinstance(value, bool) or (isinstance(value, int) and value in (0, 1)):
        return bool(value)
    word = value.strip().lower() if isinstance(value, str) else None
    return True if word in _TRUE else False if word in _FALSE else None


def to_date(value: Any) -> dt.date | None:
    """A date (YYYY-MM-DD, or YAML's date object) whose year is within YEARS."""
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        return None
    return value if YEARS[0] <= value.year <= YEARS[1] else None


def to_time(value: Any) -> str | None:
    """A wall-clock time as "HH:MM" ("9:30" is "09:30")."""
    match = _TIME.fullmatch(value.strip()) if isinstance(value, str) else None
    return f"{int(match[1]):02d}:{match[2]}" if match else None


def to_moment(value: Any, tz: dt.tzinfo) -> dt.datetime | None:
    """An aware datetime from ISO 8601, with or without an offset (without: in tz), its year within YEARS."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if not YEARS[0] <= moment.year <= YEARS[1]:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def to_week(value: Any) -> dt.date | None:
    """The Monday of an ISO week "YYYY-Www" whose year is within YEARS."""
    match = _WEEK.fullmatch(value.strip()) if isinstance(value, str) else None
    if not match or not YEARS[0] <= int(match[1]) <= YEARS[1]:
        return None
    try:
        return dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        return None
