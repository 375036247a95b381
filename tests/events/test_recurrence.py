"""Recurrence is computed in local time: 09:00 stays 09:00 across daylight-saving changes."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from events import queries, store
from events.model import Rule, clean_exception, clean_session
from quartier.inputs import Invalid
from quartier.typedefs import DB

from .helpers import add_session, add_site

PARIS = ZoneInfo("Europe/Paris")


def rule(**kw):
    return Rule.of(
        clean_session(
            {"site": "x", "title": "t", "axis": "droits", "date": "2025-03-24", "start": "09:00", "end": "11:00", **kw}
        )
    )


@pytest.mark.parametrize(
    "first, before, after",
    [
        ("2025-03-24", dt.date(2025, 3, 24), dt.date(2025, 3, 31)),  # spring forward on 30 March
        ("2025-10-20", dt.date(2025, 10, 20), dt.date(2025, 10, 27)),
    ],  # fall back on 26 October
)
async def test_weekly_session_stays_at_nine_on_both_sides_of_a_dst_change(app, server, first, before, after):
    await add_site(app)
    await add_session(app, date=first, start="09:00", end="11:00")
    occ = await app[DB].read(lambda db: queries.occurrences(db, before, after))
    assert [o["date"] for o in occ] == [before, after]
    assert [o["start"].strftime("%H:%M") for o in occ] == ["09:00", "09:00"]
    # The UTC instants differ by one hour: the wall clock, not the UTC time, is kept.
    offsets = {o["start"].utcoffset() for o in occ}
    assert offsets == {dt.timedelta(hours=1), dt.timedelta(hours=2)}
    assert all(o["start"].tzinfo.key == "Europe/Paris" for o in occ)


def test_every_other_week_with_a_count():
    r = rule(repeat={"every": "weekly", "interval": 2, "count": 3})
    assert r.dates(dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == [
        dt.date(2025, 3, 24),
        dt.date(2025, 4, 7),
        dt.date(2025, 4, 21),
    ]


def test_monthly_on_the_nth_weekday_until_a_date():
    # 2025-03-24 is the 4th Monday of March.
    r = rule(repeat={"every": "monthly", "until": "2025-06-30"})
    assert r.dates(dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == [
        dt.date(2025, 3, 24),
        dt.date(2025, 4, 28),
        dt.date(2025, 5, 26),
        dt.date(2025, 6, 23),
    ]
    assert r.ical()["BYDAY"] == "4MO"


def test_monthly_on_a_fifth_weekday_means_the_last_one():
    r = rule(date="2025-03-31", repeat={"every": "monthly", "count": 2})
    assert r.dates(dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == [dt.date(2025, 3, 31), dt.date(2025, 4, 28)]


def test_a_one_off_session_occurs_once():
    assert rule().dates(dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == [dt.date(2025, 3, 24)]


def test_invalid_sessions_report_every_field():
    with pytest.raises(Invalid) as e:
        clean_session(
            {
                "title": "",
                "kind": "party",
                "axis": "x",
                "date": "24/03/2025",
                "start": "9h",
                "end": "08:00",
                "repeat": {"every": "daily", "until": "2025-01-01", "count": 2},
            }
        )
    fields = {f for f, _m, _p in e.value.errors}
    assert {"site", "title", "kind", "axis", "date", "start", "repeat.every", "repeat.until"} <= fields


async def test_cancel_move_and_full_apply_to_one_occurrence_each(app, server):
    await add_site(app)
    id = await add_session(app, date="2025-03-03")
    db = app[DB]

    async def set(**kw):
        e = clean_exception(kw)
        return await db.write(lambda tx: store.set_exception(tx, id, e))

    await set(date="2025-03-10", status="cancelled", reason="Formation de l'équipe")
    await set(date="2025-03-17", status="moved", new_date="2025-03-18", start="14:00", end="16:00", room="Salle 1")
    await set(date="2025-03-24", status="full")
    occ = await db.read(lambda d: queries.occurrences(d, dt.date(2025, 3, 3), dt.date(2025, 3, 31)))
    by_date = {o["date"]: o for o in occ}
    assert [o["status"] for o in occ] == ["scheduled", "cancelled", "moved", "full", "scheduled"]
    assert by_date[dt.date(2025, 3, 10)]["reason"] == "Formation de l'équipe"
    moved = by_date[dt.date(2025, 3, 17)]
    assert (moved["start"], moved["room"]) == (dt.datetime(2025, 3, 18, 14, 0, tzinfo=PARIS), "Salle 1")
    assert moved["original_start"] == dt.datetime(2025, 3, 17, 9, 0, tzinfo=PARIS)
    # A moved occurrence is found by its new date, and keeps its identity (original date).
    only_18 = await db.read(lambda d: queries.occurrences(d, dt.date(2025, 3, 18), dt.date(2025, 3, 18)))
    assert [(o["session"], o["date"]) for o in only_18] == [(id, dt.date(2025, 3, 17))]
    # Restoring removes the exception.
    await set(date="2025-03-10", status="scheduled")
    again = await db.read(lambda d: queries.occurrence(d, id, dt.date(2025, 3, 10)))
    assert again["status"] == "scheduled"


async def test_an_exception_on_a_day_without_occurrence_is_refused(app, server):
    from quartier.errors import Problem

    await add_site(app)
    id = await add_session(app, date="2025-03-03")
    e = clean_exception({"date": "2025-03-04", "status": "cancelled"})
    with pytest.raises(Problem) as err:
        await app[DB].write(lambda tx: store.set_exception(tx, id, e))
    assert err.value.code == "no_occurrence"
