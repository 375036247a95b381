"""Dates and punctuation in each language (issue 23): "Monday 30 November", "Moved: …", "Déplacée : …"."""

import datetime as dt

from events.model import Rule
from events.wording import schedule
from quartier import formats
from tests.languages import in_language

DAY = dt.date(2026, 11, 30)


def test_dates_through_babel_keep_their_capitals():
    assert formats.ucfirst(formats.day(DAY, "en")) == "Monday 30 November"  # not "Monday 30 november"
    assert formats.ucfirst(formats.day(DAY, "fr")) == "Lundi 30 novembre"
    assert formats.day_year(DAY, "fr") == "lundi 30 novembre 2026"
    assert formats.short_day(DAY, "en") == "Mon 30 Nov"


def test_colons_follow_each_language():
    assert formats.labelled("Moved", "room 2", "en") == "Moved: room 2"
    assert formats.labelled("Déplacée", "salle 2", "fr") == "Déplacée\u00a0: salle 2"
    assert formats.colon("fr", space_after=False) == "\u00a0:"
    assert formats.semicolon("en") == "; " and formats.semicolon("fr") == "\u202f; "


def test_a_moment_reads_as_a_sentence():
    moment = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
    assert formats.moment(moment, "fr") == "3 décembre 2026 à 09:00"
    assert in_language("en", lambda: formats.moment(moment.isoformat())) == "3 December 2026 at 09:00"


def test_schedules_are_whole_sentences():
    weekly = Rule(first=dt.date(2026, 12, 2), start=dt.time(9), end=dt.time(12), every="weekly")
    assert in_language("fr", lambda: schedule(weekly)) == "Chaque semaine, le mercredi, 09:00–12:00"
    assert in_language("en", lambda: schedule(weekly)) == "Every week on Wednesday, 09:00–12:00"
    monthly = Rule(dt.date(2026, 12, 8), dt.time(14), dt.time(16), "monthly", 1, dt.date(2027, 6, 30))
    assert in_language("fr", lambda: schedule(monthly)) == (
        "Chaque mois, le deuxième mardi, 14:00–16:00, jusqu'au 30 juin 2027"
    )
    assert in_language("en", lambda: schedule(monthly)) == (
        "Every month on the second Tuesday, 14:00–16:00, until 30 June 2027"
    )
    once = Rule(dt.date(2026, 12, 31), dt.time(10), dt.time(11))
    assert in_language("fr", lambda: schedule(once)) == "Jeudi 31 décembre 2026, 10:00–11:00"
