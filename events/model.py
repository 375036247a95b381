"""The programme's vocabulary, field validation and recurrence.

One validator serves the staff forms, the JSON API and the YAML import, so the three
accept exactly the same things. Recurrence is computed with dateutil's rrule on
*naive local* datetimes, then given the site's timezone: a weekly 09:00 session stays at
09:00 on both sides of a daylight-saving change.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import opening_hours
from dateutil import rrule

from quartier.i18n import N_

KINDS: dict[str, str] = {
    "permanence": N_("Permanence"),
    "atelier": N_("Atelier"),
    "acces-libre": N_("Accès libre"),
    "forum": N_("Forum de quartier"),
    "hackathon": N_("Hackathon"),
    "autre": N_("Autre"),
}
AXES: dict[str, str] = {
    "acces-libre": N_("Accès libre et autonomie"),
    "accompagnement": N_("Accompagnement aux usages"),
    "droits": N_("Accès aux droits"),
}
STATUSES: dict[str, str] = {
    "scheduled": N_("Prévue"),
    "cancelled": N_("Annulée"),
    "moved": N_("Déplacée"),
    "full": N_("Complet"),
}
REPEATS: dict[str, str] = {"weekly": N_("Chaque semaine"), "monthly": N_("Chaque mois (même jour de la semaine)")}
# Suggested audiences and accessibility features (free text is accepted too).
AUDIENCES = [
    N_("tous publics"),
    N_("seniors"),
    N_("jeunes"),
    N_("familles"),
    N_("personnes étrangères"),
    N_("demandeurs d'emploi"),
]
ACCESSIBILITY = {
    "step-free": N_("Accès de plain-pied ou ascenseur"),
    "hearing-loop": N_("Boucle magnétique"),
    "accessible-toilets": N_("Toilettes accessibles"),
    "sign-language": N_("Accueil en langue des signes sur rendez-vous"),
    "falc": N_("Documents en FALC (facile à lire)"),
}

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
TIME_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# How far from its original date an occurrence may be moved (keeps range queries bounded).
MAX_MOVE_DAYS = 31


class Invalid(Exception):
    """Field problems: (field, French message id, params) for each; shown with the field's name or line."""

    def __init__(self, errors: list[tuple[str, str, dict[str, Any]]]):
        super().__init__("; ".join(f"{f}: {m.format(**p)}" for f, m, p in errors))
        self.errors = errors


class _Checker:
    def __init__(self, data: Mapping[str, Any]):
        self.data = data
        self.errors: list[tuple[str, str, dict[str, Any]]] = []

    def fail(self, name: str, message: str, **params: Any) -> None:
        self.errors.append((name, message, params))

    def text(self, name: str, *, required: bool = False, max_length: int = 200, multiline: bool = False) -> str:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                self.fail(name, N_("Ce champ est obligatoire."))
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.fail(name, N_("Ce champ doit être du texte."))
            return ""
        value = _clean(value, multiline)
        if required and not value:
            self.fail(name, N_("Ce champ est obligatoire."))
        if len(value) > max_length:
            self.fail(name, N_("Ce champ dépasse {max} caractères."), max=max_length)
        return value

    def choice(self, name: str, choices: Mapping[str, str], default: str | None = None) -> str:
        value = self.data.get(name) or default
        # A list or object is no choice (and cannot be looked up in a mapping).
        if not isinstance(value, str) or value not in choices:
            self.fail(name, N_("Valeur inconnue ; valeurs possibles : {values}."), values=", ".join(choices))
            return default or ""
        return str(value)

    def boolean(self, name: str, default: bool) -> bool:
        value = self.data.get(name, default)
        if value in (None, ""):
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("1", "true", "on", "yes", "oui"):
            return True
        if isinstance(value, str) and value.lower() in ("0", "false", "off", "no", "non"):
            return False
        self.fail(name, N_("Ce champ doit valoir oui ou non."))
        return default

    def integer(self, name: str, *, minimum: int = 0, maximum: int = 100000) -> int | None:
        value = self.data.get(name)
        if value in (None, ""):
            return None
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
            self.fail(name, N_("Ce champ doit être un nombre entier entre {min} et {max}."), min=minimum, max=maximum)
            return None
        return value

    def number(self, name: str, low: float, high: float) -> float | None:
        value = self.data.get(name)
        if value in (None, ""):
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = None
        if number is None or not low <= number <= high or isinstance(value, bool):
            self.fail(name, N_("Ce champ doit être un nombre entre {min} et {max}."), min=low, max=high)
            return None
        return number

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        value = self.data.get(name)
        if value in (None, ""):
            if required:
                self.fail(name, N_("Ce champ est obligatoire."))
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.fail(name, N_("Date attendue au format AAAA-MM-JJ."))
        return parsed

    def time(self, name: str, *, required: bool = False) -> str | None:
        value = self.data.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
            value = f"{value // 60:02d}:{value % 60:02d}"  # YAML 1.1 reads 09:30 as sexagesimal 570
        if value in (None, ""):
            if required:
                self.fail(name, N_("Ce champ est obligatoire."))
            return None
        match = TIME_RE.match(str(value).strip())
        if not match:
            self.fail(name, N_("Heure attendue au format HH:MM."))
            return None
        return f"{int(match[1]):02d}:{match[2]}"

    def strings(self, name: str, *, max_items: int = 20, max_length: int = 60) -> list[str]:
        value = self.data.get(name)
        if value in (None, ""):
            return []
        if isinstance(value, str):
            value = [v for v in (p.strip() for p in value.split(",")) if v]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(name, N_("Ce champ doit être une liste de textes."))
            return []
        items = [_clean(v, False) for v in value if _clean(v, False)]
        if len(items) > max_items or any(len(v) > max_length for v in items):
            self.fail(
                name, N_("Liste trop longue (au plus {n} éléments de {max} caractères)."), n=max_items, max=max_length
            )
        return list(dict.fromkeys(items))


def _clean(value: str, multiline: bool) -> str:
    from quartier.api import clean_text

    value = clean_text(unicodedata.normalize("NFC", value))
    return value if multiline else " ".join(value.split())


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "seance"


def clean_site(data: Mapping[str, Any], *, default_timezone: str = "Europe/Paris") -> dict[str, Any]:
    """A site's fields, checked; raises Invalid with every problem at once."""
    c = _Checker(data)
    site = {
        "slug": c.text("slug", required=True, max_length=60),
        "name": c.text("name", required=True, max_length=120),
        "neighbourhood": c.text("neighbourhood", max_length=120),
        "address": c.text("address", max_length=200),
        "postal_code": c.text("postal_code", max_length=10),
        "commune": c.text("commune", max_length=120),
        "insee": c.text("insee", max_length=5),
        "latitude": c.number("latitude", -90, 90),
        "longitude": c.number("longitude", -180, 180),
        "opening_hours": c.text("opening_hours", max_length=400),
        "accessibility": c.strings("accessibility"),
        "phone": c.text("phone", max_length=40),
        "email": c.text("email", max_length=120),
        "website": c.text("website", max_length=300),
        "timezone": c.text("timezone", max_length=60) or default_timezone,
        "siret": c.text("siret", max_length=14),
        "typologie": c.text("typologie", max_length=200).upper().replace(" ", ""),
        "mobile": c.boolean("mobile", False),
    }
    if site["slug"] and not SLUG_RE.match(site["slug"]):
        c.fail("slug", N_("Identifiant en minuscules, chiffres et tirets (ex. « le-blosne »)."))
    if site["insee"] and not re.match(r"^(\d{5}|2[AB]\d{3})$", site["insee"]):
        c.fail("insee", N_("Code INSEE à 5 caractères attendu."))
    if site["siret"] and not re.match(r"^[a-zA-Z0-9]{9,14}$", site["siret"]):
        c.fail("siret", N_("SIRET (14 chiffres) ou numéro RNA attendu."))
    if site["typologie"] and not re.match(r"^[A-Z0-9_]+(\|[A-Z0-9_]+)*$", site["typologie"]):
        c.fail("typologie", N_("Codes de typologie data·inclusion séparés par « | » attendus (ex. « CS|CCAS »)."))
    if site["email"] and not EMAIL_RE.match(site["email"]):
        c.fail("email", N_("Adresse e-mail invalide."))
    if site["website"] and not site["website"].startswith(("https://", "http://")):
        c.fail("website", N_("Adresse web commençant par https:// attendue."))
    if site["opening_hours"] and not valid_opening_hours(site["opening_hours"]):
        c.fail(
            "opening_hours",
            N_("Horaires invalides : syntaxe OpenStreetMap attendue (ex. « Mo-Fr 09:00-12:00,14:00-17:30 »)."),
        )
    try:
        ZoneInfo(site["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        c.fail("timezone", N_("Fuseau horaire inconnu."))
    if c.errors:
        raise Invalid(c.errors)
    return site


def valid_opening_hours(expression: str) -> bool:
    """OSM opening_hours syntax, checked by the opening-hours-py parser."""
    return bool(opening_hours.validate(expression))


def clean_session(data: Mapping[str, Any], *, site_slugs: set[str] | None = None) -> dict[str, Any]:
    """A session's fields in their canonical form (the API's and the YAML's), checked.

    `repeat` is either absent/None (one occurrence) or a mapping
    {"every": "weekly"|"monthly", "interval": N, "until": date, "count": N}.
    """
    c = _Checker(data)
    s: dict[str, Any] = {
        "key": c.text("key", max_length=80),
        "site": c.text("site", required=True, max_length=60),
        "title": c.text("title", required=True, max_length=120),
        "description": c.text("description", max_length=4000, multiline=True),
        "kind": c.choice("kind", KINDS, "autre"),
        "axis": c.choice("axis", AXES),
        "room": c.text("room", max_length=120),
        "date": c.date("date", required=True),
        "start": c.time("start", required=True),
        "end": c.time("end", required=True),
        "audience": c.strings("audience"),
        "languages": c.strings("languages"),
        "registration": c.boolean("registration", False),
        "capacity": c.integer("capacity", minimum=1, maximum=10000),
        "partner": c.text("partner", max_length=120),
        "free": c.boolean("free", True),
    }
    if s["key"] and not KEY_RE.match(s["key"]):
        c.fail("key", N_("Clé en lettres, chiffres, tirets, points ou soulignés."))
    if site_slugs is not None and s["site"] and s["site"] not in site_slugs:
        c.fail("site", N_("Lieu inconnu : « {slug} »."), slug=s["site"])
    if s["start"] and s["end"] and s["end"] <= s["start"]:
        c.fail("end", N_("La fin doit suivre le début."))
    repeat = data.get("repeat")
    s["repeat"] = None
    if repeat not in (None, "", {}):
        if not isinstance(repeat, Mapping):
            c.fail("repeat", N_("« repeat » doit contenir every, interval, until ou count."))
        else:
            r = _Checker(repeat)
            every = r.choice("every", REPEATS)
            interval = r.integer("interval", minimum=1, maximum=52) or 1
            until = r.date("until")
            count = r.integer("count", minimum=1, maximum=1000)
            if until and count:
                r.fail("until", N_("Indiquez une date de fin ou un nombre de fois, pas les deux."))
            if until and s["date"] and until < s["date"]:
                r.fail("until", N_("La date de fin précède la première date."))
            c.errors += [(f"repeat.{f}", m, p) for f, m, p in r.errors]
            s["repeat"] = {"every": every, "interval": interval, "until": until, "count": count}
    if c.errors:
        raise Invalid(c.errors)
    return s


def clean_exception(data: Mapping[str, Any]) -> dict[str, Any]:
    """One occurrence's exception: cancelled (reason), moved (new date/time/room) or full."""
    c = _Checker(data)
    e = {
        "date": c.date("date", required=True),
        "status": c.choice("status", {k: v for k, v in STATUSES.items()}),
        "reason": c.text("reason", max_length=300),
        "new_date": c.date("new_date"),
        "new_start": c.time("start"),
        "new_end": c.time("end"),
        "new_room": c.text("room", max_length=120),
    }
    if e["status"] == "moved":
        if not (e["new_date"] or e["new_start"] or e["new_room"]):
            c.fail("new_date", N_("Indiquez la nouvelle date, l'heure ou la salle."))
        if e["new_start"] and e["new_end"] and e["new_end"] <= e["new_start"]:
            c.fail("end", N_("La fin doit suivre le début."))
        if e["new_date"] and e["date"] and abs((e["new_date"] - e["date"]).days) > MAX_MOVE_DAYS:
            c.fail(
                "new_date", N_("Une séance se déplace d'au plus {n} jours ; sinon créez-en une autre."), n=MAX_MOVE_DAYS
            )
    if c.errors:
        raise Invalid(c.errors)
    return e


# -- recurrence


@dataclass(frozen=True)
class Rule:
    """A session's schedule in local wall-clock time."""

    first: dt.date
    start: dt.time
    end: dt.time
    every: str | None = None  # None: once; "weekly"; "monthly" (n-th weekday of `first`)
    interval: int = 1
    until: dt.date | None = None
    count: int | None = None
    exdates: frozenset[dt.date] = field(default_factory=frozenset)

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Rule:
        """From a `sessions` row (or a clean_session dict)."""
        if "first_date" in row.keys():
            return cls(
                first=dt.date.fromisoformat(row["first_date"]),
                start=dt.time.fromisoformat(row["start_time"]),
                end=dt.time.fromisoformat(row["end_time"]),
                every=row["repeat_every"],
                interval=row["repeat_interval"] or 1,
                until=dt.date.fromisoformat(row["repeat_until"]) if row["repeat_until"] else None,
                count=row["repeat_count"],
            )
        repeat = row.get("repeat") or {}
        return cls(
            row["date"],
            dt.time.fromisoformat(row["start"]),
            dt.time.fromisoformat(row["end"]),
            repeat.get("every"),
            repeat.get("interval") or 1,
            repeat.get("until"),
            repeat.get("count"),
        )

    def weekday(self) -> rrule.weekday:
        """For monthly rules: the n-th weekday of the first date (the 5th becomes 'last')."""
        n = (self.first.day - 1) // 7 + 1
        return rrule.weekdays[self.first.weekday()](-1 if n == 5 else n)

    def rrule(self) -> rrule.rrule | None:
        if self.every is None:
            return None
        start = dt.datetime.combine(self.first, self.start)
        until = dt.datetime.combine(self.until, dt.time(23, 59, 59)) if self.until else None
        if self.every == "weekly":
            return rrule.rrule(rrule.WEEKLY, dtstart=start, interval=self.interval, until=until, count=self.count)
        return rrule.rrule(
            rrule.MONTHLY,
            dtstart=start,
            interval=self.interval,
            until=until,
            count=self.count,
            byweekday=self.weekday(),
        )

    def dates(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Local dates of the occurrences between start and end, both included."""
        rule = self.rrule()
        if rule is None:
            return [self.first] if start <= self.first <= end else []
        lo = dt.datetime.combine(start, dt.time.min)
        hi = dt.datetime.combine(end, dt.time.max)
        return [d.date() for d in rule.between(lo, hi, inc=True)]

    def occurs_on(self, day: dt.date) -> bool:
        return bool(self.dates(day, day))

    def ical(self) -> dict[str, Any] | None:
        """The RRULE as an icalendar vRecur mapping (UNTIL in UTC, as RFC 5545 wants with a TZID start)."""
        if self.every is None:
            return None
        recur: dict[str, Any] = {"FREQ": "WEEKLY" if self.every == "weekly" else "MONTHLY"}
        if self.interval > 1:
            recur["INTERVAL"] = self.interval
        if self.every == "monthly":
            wd = self.weekday()
            recur["BYDAY"] = f"{wd.n}{['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'][wd.weekday]}"
        if self.count:
            recur["COUNT"] = self.count
        return recur


def local(day: dt.date, hhmm: dt.time | str, tz: ZoneInfo) -> dt.datetime:
    """An aware datetime for a local wall-clock time (fold=0 on the ambiguous autumn hour)."""
    t = dt.time.fromisoformat(hhmm) if isinstance(hhmm, str) else hhmm
    return dt.datetime.combine(day, t, tzinfo=tz)
