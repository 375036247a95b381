"""The programme's vocabulary, field validation and recurrence.

One validator serves the staff forms, the JSON API and the YAML import, so the three accept
exactly the same things; it reads fields with quartier.inputs, collecting every problem at once. Recurrence is computed with dateutil's rrule on
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
from quartier.inputs import Fields

KINDS: dict[str, str] = {
    "permanence": N_("Permanence"),
    "atelier": N_("Atelier"),
    "acces-libre": N_("Accès libre"),
    "forum": N_("Forum de quartier"),
    "hackathon": N_("Hackathon"),
    "formation": N_("Formation"),  # for professionals: social workers, volunteers (the catalogue)
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
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WEB_RE = re.compile(r"^https?://")
INSEE_RE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
SIRET_RE = re.compile(r"^[a-zA-Z0-9]{9,14}$")
TYPOLOGIE_RE = re.compile(r"^[A-Z0-9_]+(\|[A-Z0-9_]+)*$")
# What a field of the wrong shape says (see quartier.inputs: a message by kind of problem).
_SAY_SLUG = {"pattern": N_("Identifiant en minuscules, chiffres et tirets (ex. « le-blosne »).")}
_SAY_KEY = {"pattern": N_("Clé en lettres, chiffres, tirets, points ou soulignés.")}
_SAY_INSEE = {"pattern": N_("Code INSEE à 5 caractères attendu.")}
_SAY_SIRET = {"pattern": N_("SIRET (14 chiffres) ou numéro RNA attendu.")}
_SAY_WEB = {"pattern": N_("Adresse web commençant par https:// attendue.")}
# How far from its original date an occurrence may be moved (keeps range queries bounded).
MAX_MOVE_DAYS = 31


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "seance"


def clean_site(data: Mapping[str, Any], *, default_timezone: str = "Europe/Paris") -> dict[str, Any]:
    """A site's fields, checked; raises Invalid with every problem at once."""
    c = Fields(data, collect=True, numbers_as_text=True)
    site: dict[str, Any] = {
        "slug": c.text("slug", required=True, max_length=60, pattern=SLUG_RE, message=_SAY_SLUG),
        "name": c.text("name", required=True, max_length=120),
        "neighbourhood": c.text("neighbourhood", max_length=120),
        "address": c.text("address", max_length=200),
        "postal_code": c.text("postal_code", max_length=10),
        "commune": c.text("commune", max_length=120),
        "insee": c.text("insee", max_length=5, pattern=INSEE_RE, message=_SAY_INSEE),
        "latitude": c.number("latitude", minimum=-90, maximum=90),
        "longitude": c.number("longitude", minimum=-180, maximum=180),
        "opening_hours": c.text("opening_hours", max_length=400),
        "accessibility": c.strings("accessibility"),
        "phone": c.text("phone", max_length=40),
        "contact": c.text("contact", max_length=120),
        "email": c.text("email", max_length=120, pattern=EMAIL_RE, message={"pattern": N_("Adresse e-mail invalide.")}),
        "website": c.text("website", max_length=300, pattern=WEB_RE, message=_SAY_WEB),
        "timezone": c.text("timezone", max_length=60) or default_timezone,
        "siret": c.text("siret", max_length=14, pattern=SIRET_RE, message=_SAY_SIRET),
        "typologie": c.text("typologie", max_length=200).upper().replace(" ", ""),
        "mobile": c.boolean("mobile", False),
    }
    if site["typologie"] and not TYPOLOGIE_RE.match(site["typologie"]):
        c.fail("typologie", N_("Codes de typologie data·inclusion séparés par « | » attendus (ex. « CS|CCAS »)."))
    if site["opening_hours"] and not valid_opening_hours(site["opening_hours"]):
        c.fail(
            "opening_hours",
            N_("Horaires invalides : syntaxe OpenStreetMap attendue (ex. « Mo-Fr 09:00-12:00,14:00-17:30 »)."),
        )
    try:
        ZoneInfo(site["timezone"])
    except (ZoneInfoNotFoundError, ValueError, OSError):  # (a name too long for a file is an OSError)
        c.fail("timezone", N_("Fuseau horaire inconnu."))
    c.done()
    return site


def valid_opening_hours(expression: str) -> bool:
    """OSM opening_hours syntax, checked by the opening-hours-py parser."""
    return bool(opening_hours.validate(expression))


def clean_session(data: Mapping[str, Any], *, site_slugs: set[str] | None = None) -> dict[str, Any]:
    """A session's fields in their canonical form (the API's and the YAML's), checked.

    `repeat` is either absent/None (one occurrence) or a mapping
    {"every": "weekly"|"monthly", "interval": N, "until": date, "count": N}.
    """
    c = Fields(data, collect=True, numbers_as_text=True)
    s: dict[str, Any] = {
        "key": c.text("key", max_length=80, pattern=KEY_RE, message=_SAY_KEY),
        "site": c.text("site", required=True, max_length=60),
        "title": c.text("title", required=True, max_length=120),
        "description": c.text("description", max_length=4000, multiline=True),
        "kind": c.choice("kind", KINDS, "autre"),
        "axis": c.choice("axis", AXES, required=True),
        "room": c.text("room", max_length=120),
        "date": c.date("date", required=True),
        "start": c.time("start", required=True),
        "end": c.time("end", required=True),
        "audience": c.strings("audience"),
        "languages": c.strings("languages"),
        "registration": c.boolean("registration", False),
        "capacity": c.integer("capacity", minimum=1, maximum=10000),
        "partner": c.text("partner", max_length=120),  # a partner's key, name or short name
        "staff_count": c.integer("staff_count", minimum=1, maximum=50) or 1,
        "free": c.boolean("free", True),
    }
    if site_slugs is not None and s["site"] and s["site"] not in site_slugs:
        c.fail("site", N_("Lieu inconnu : « {slug} »."), slug=s["site"])
    if s["start"] and s["end"] and s["end"] <= s["start"]:
        c.fail("end", N_("La fin doit suivre le début."))
    s["repeat"] = None
    r = c.nested("repeat", message=N_("« repeat » doit contenir every, interval, until ou count."))
    if r is not None:
        every = r.choice("every", REPEATS, required=True)
        interval = r.integer("interval", minimum=1, maximum=52) or 1
        until = r.date("until")
        count = r.integer("count", minimum=1, maximum=1000)
        if until and count:
            r.fail("until", N_("Indiquez une date de fin ou un nombre de fois, pas les deux."))
        if until and s["date"] and until < s["date"]:
            r.fail("until", N_("La date de fin précède la première date."))
        s["repeat"] = {"every": every, "interval": interval, "until": until, "count": count}
    c.done()
    return s


def clean_exception(data: Mapping[str, Any]) -> dict[str, Any]:
    """One occurrence's exception: cancelled (reason), moved (new date/time/room) or full."""
    c = Fields(data, collect=True, numbers_as_text=True)
    e: dict[str, Any] = {
        "date": c.date("date", required=True),
        "status": c.choice("status", STATUSES, required=True),
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
    c.done()
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
