"""Dates, times and punctuation in the reader's language, all through Babel and one table.

Pages used to glue words together in the template ("{{ label }} : {{ value }}", `|capitalize`),
which gave English readers "Moved : …" and "Monday 30 november" (Jinja's capitalize lowercases
the rest of the string). Everything a page says about a date or between a label and its value
comes from here, for the current language (quartier.i18n.current_language) unless one is given.
"""

from __future__ import annotations

import datetime as dt

import babel.dates
import babel.numbers

from quartier import i18n

# Between a label and its value: French puts a no-break space before the colon, English none.
COLON = {"fr": "\u00a0: ", "en": ": "}
# Before ";", "!" and "?" French wants a narrow no-break space; English nothing.
TIGHT_SPACE = {"fr": "\u202f", "en": ""}


def _lang(lang: str | None) -> str:
    return lang or i18n.current_language.get()


def _locale(lang: str | None) -> str:
    return str(i18n.locale(_lang(lang)))


def colon(lang: str | None = None, *, space_after: bool = True) -> str:
    """The separator of "Annulée : fermeture" / "Cancelled: closed" (without the space after
    for "<strong>Adresse :</strong> …")."""
    sep = COLON.get(_lang(lang), ": ")
    return sep if space_after else sep.rstrip(" ")


def semicolon(lang: str | None = None) -> str:
    """Between items of a list that holds commas: "lundi 09:00–12:00 ; mardi …" / "Monday …; Tuesday …"."""
    return TIGHT_SPACE.get(_lang(lang), "") + "; "


def labelled(label: str, value: str, lang: str | None = None) -> str:
    """ "label : value" with the language's punctuation (plain text: escape it where it is shown)."""
    return f"{label}{colon(lang)}{value}"


def ucfirst(text: str) -> str:
    """The first letter in capitals, the rest untouched (unlike str.capitalize)."""
    return text[:1].upper() + text[1:]


def day(d: dt.date | dt.datetime, lang: str | None = None) -> str:
    """ "mercredi 3 décembre" / "Wednesday 3 December"."""
    return babel.dates.format_date(d, "EEEE d MMMM", locale=_locale(lang))


def day_year(d: dt.date | dt.datetime, lang: str | None = None) -> str:
    """ "mercredi 3 décembre 2025" / "Wednesday 3 December 2025"."""
    return babel.dates.format_date(d, "EEEE d MMMM y", locale=_locale(lang))


def short_day(d: dt.date | dt.datetime, lang: str | None = None) -> str:
    """ "mer. 3 déc." / "Wed 3 Dec": for lists where space is short."""
    return babel.dates.format_date(d, "EEE d MMM", locale=_locale(lang))


def date(d: dt.date | dt.datetime, lang: str | None = None) -> str:
    """ "3 décembre 2025" / "3 December 2025" (no weekday)."""
    return babel.dates.format_date(d, "d MMMM y", locale=_locale(lang))


def week_of(monday: dt.date, lang: str | None = None) -> str:
    """ "semaine du 9 nov. 2026" / "week of 9 Nov 2026": a week as people name it, not "2026-W45"."""
    return i18n.gettext("semaine du {date}").format(date=short_date(monday, lang))


def short_date(d: dt.date | dt.datetime | str | None, lang: str | None = None) -> str:
    """ "15 déc. 2026" / "15 Dec 2026": a due date on a wall; from a date or an ISO string
    (as an action's due date is stored); what is not a date is given back as it is."""
    if d is None:
        return ""
    if isinstance(d, str):
        try:
            return short_date(dt.date.fromisoformat(d), lang)
        except ValueError:
            return d
    return babel.dates.format_date(d, "d MMM y", locale=_locale(lang))


def month_abbreviations(lang: str | None = None) -> list[str]:
    """The twelve month names as short_date writes them, for a live page that writes dates itself."""
    names = babel.dates.get_month_names("abbreviated", locale=_locale(lang))
    return [names[m] for m in range(1, 13)]


def weekday(d: dt.date | dt.datetime, lang: str | None = None) -> str:
    """ "mercredi" / "Wednesday"."""
    return babel.dates.format_date(d, "EEEE", locale=_locale(lang))


def hour(t: dt.datetime | dt.time) -> str:
    """ "09:00" in both languages (a 24-hour clock is usual in France and in British English)."""
    return t.strftime("%H:%M")


def moment(value: dt.datetime | str, lang: str | None = None) -> str:
    """ "3 décembre 2025 à 09:00" / "3 December 2025 at 09:00", from a datetime or an ISO string."""
    when = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return i18n.gettext("{date} à {time}").format(date=date(when, lang), time=hour(when))


def number(value: float, lang: str | None = None, *, digits: int = 2) -> str:
    """ "3,85" / "3.85", "2 083" / "2,083": a figure with the language's separators, at most `digits`
    decimals (a template that prints a float itself gives "3.85" in French)."""
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return babel.numbers.format_decimal(value, format=pattern, locale=_locale(lang))


def percent(share: float, lang: str | None = None) -> str:
    """ "14 %" / "14%" for a share between 0 and 1, rounded to the unit."""
    return babel.numbers.format_percent(share, locale=_locale(lang))


def template_globals() -> dict[str, object]:
    """What every template may call (the language is the request's, set by the error middleware)."""
    return {
        "colon": colon,
        "semicolon": semicolon,
        "fmt_date": date,
        "fmt_moment": moment,
        "fmt_short_day": short_day,
        "fmt_short_date": short_date,
        "fmt_months": month_abbreviations,
        "fmt_weekday": weekday,
        "fmt_number": number,
        "fmt_percent": percent,
        "fmt_week_of": week_of,
    }
