"""The annual report (issue 9): its totals equal the database's, in every format."""

import csv
import datetime as dt
import io
import subprocess
import sys

import pytest

from events import queries
from events.hours import hours_of
from quartier import features
from quartier.db import Database
from quartier.demo import fill
from reports import minutes_store, report
from tests.conftest import text_of


@pytest.fixture
async def demo_db(settings):
    """The demo: a year of programme, past forums with minutes, feedback, cancellations."""
    await fill(settings, "password-for-demo")
    db = Database(settings.database_location)
    await db.open(features.migration_sets(features.load()))
    yield db
    await db.close()


def window(settings, year):
    today = dt.datetime.now(settings.tz).date()
    start, until = report.period(year, today)
    t0 = dt.datetime.combine(start, dt.time.min, tzinfo=settings.tz).timestamp()
    t1 = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=settings.tz).timestamp()
    return start, until, t0, t1


async def test_the_report_totals_equal_the_database(demo_db, settings):
    year = dt.datetime.now(settings.tz).year
    start, until, t0, t1 = window(settings, year)
    r = await demo_db.read(lambda d: report.build(d, year, settings.tz))
    sql = demo_db.fetchone
    s = r["sessions"]
    assert s["held"] > 300 and s["cancelled"] > 10  # a year of history
    for group in ("by_site", "by_axis", "by_kind"):
        assert sum(v["held"] for v in s[group].values()) == s["held"]
        assert sum(v["cancelled"] for v in s[group].values()) == s["cancelled"]
    # Cancelled: the exceptions table itself (no moves out of the year in the demo).
    row = await sql(
        "SELECT count(*) AS n FROM occurrence_exceptions WHERE status = 'cancelled' AND date BETWEEN ? AND ?",
        (start.isoformat(), until.isoformat()),
    )
    assert s["cancelled"] == row["n"]
    # Held: each session's occurrences in the period, expanded one session at a time, less those
    # staff marked "not held" (issue 21: no hours for a session that did not happen).
    not_held = {
        (row["session_id"], row["date"])
        for row in await demo_db.fetchall("SELECT session_id, date FROM attendance WHERE held = 0")
    }
    assert not_held and s["not_held"] == len({k for k in not_held if start.isoformat() <= k[1] <= until.isoformat()})
    sessions = await demo_db.read(queries.sessions)
    held = 0
    total_hours = 0.0
    for x in sessions:
        occ = await demo_db.read(lambda d, x=x: queries.occurrences(d, start, until, session_id=x["id"]))
        kept = [o for o in occ if o["status"] != "cancelled" and (o["session"], o["date"].isoformat()) not in not_held]
        held += len(kept)
        total_hours += sum(hours_of(o) for o in kept)
    assert s["held"] == held
    assert r["hours"]["total"] == pytest.approx(total_hours, abs=0.05)  # one decimal
    assert sum(m["hours"] for m in r["hours"]["months"]) == pytest.approx(total_hours, abs=0.6)
    for m in r["hours"]["months"]:
        assert sum(m["axis_hours"].values()) == pytest.approx(m["hours"], abs=0.05)
        assert sum(m["site_hours"].values()) == pytest.approx(m["hours"], abs=0.05)
        if m["partial"]:  # a month not over has no weekly average (issue 21: 73.5 h/week in December)
            assert m["per_week"] is None and m["axis_per_week"] is None
        else:  # each axis rounded once to a tenth, the month's total their sum
            assert m["per_week"] == pytest.approx(m["hours"] / (m["days"] / 7), abs=0.2)
            assert m["per_week"] == pytest.approx(sum(m["axis_per_week"].values()), abs=1e-9)
    # Forums, notes, attendance, decisions: straight from the forum's tables.
    hack = "SELECT board_id FROM forum_hackathons UNION SELECT board_id FROM forum_teams"
    boards = f"SELECT id FROM forum_boards WHERE created >= ? AND created < ? AND id NOT IN ({hack})"
    assert r["forums"]["boards"] == (await sql(f"SELECT count(*) AS n FROM ({boards}) AS b", (t0, t1)))["n"] >= 2
    for source, n in r["notes"]["by_source"].items():
        row = await sql(
            f"SELECT count(*) AS n FROM forum_notes WHERE source = ? AND board_id IN ({boards})", (source, t0, t1)
        )
        assert n == row["n"]
    assert r["notes"]["total"] > 20
    row = await sql(f"SELECT sum(attendance) AS n FROM forum_board_meta WHERE board_id IN ({boards})", (t0, t1))
    assert r["attendance"]["forum_people"] == row["n"] > 0
    for kind, key in (("decision", "decisions"), ("action", "actions")):
        row = await sql(
            "SELECT count(*) AS n FROM forum_notes n JOIN forum_boards b ON b.id = n.board_id "
            "WHERE n.kind = ? AND n.status = 'published' AND b.created >= ? AND b.created < ?",
            (kind, t0, t1),
        )
        assert r["decisions"][key] == row["n"] > 0
    assert r["decisions"]["done"] + r["decisions"]["open"] == r["decisions"]["actions"]
    assert r["decisions"]["done"] >= 1
    row = await sql(
        "SELECT count(*) AS n FROM feedback_answers WHERE date BETWEEN ? AND ? AND axis IS NOT NULL",
        (start.isoformat(), until.isoformat()),
    )
    assert r["attendance"]["feedback_responses"] == sum(f["responses"] for f in r["feedback"].values()) == row["n"]
    assert all(1 <= f["mean"] <= 5 for f in r["feedback"].values())
    rows = await demo_db.fetchall("SELECT DISTINCT board_id FROM forum_minutes WHERE state = 'published'")
    assert {m["board"] for m in r["minutes"]} == {x["board_id"] for x in rows}
    assert len(r["minutes"]) >= 1


async def test_the_counts_outlive_the_raw_notes(demo_db, settings):
    year = dt.datetime.now(settings.tz).year
    before = await demo_db.read(lambda d: report.build(d, year, settings.tz))
    purged = await demo_db.write(lambda tx: minutes_store.purge_due_tx(tx, 1))
    assert purged  # last month's Blosne forum, published more than a day ago
    after = await demo_db.read(lambda d: report.build(d, year, settings.tz))
    assert after["notes"] == before["notes"] and after["decisions"] == before["decisions"]
    left = await demo_db.fetchone(
        f"SELECT count(*) AS n FROM forum_notes WHERE kind = 'note' AND board_id = {purged[0]}"
    )
    assert left["n"] == 0


async def test_the_staff_page_and_csv_show_the_same_figures(organizer, server):
    from quartier.typedefs import DB, SETTINGS

    settings = server.app[SETTINGS]
    year = dt.datetime.now(settings.tz).year
    r = await organizer.get("/staff/report", params={"year": year})
    assert r.status == 200
    page = await r.text()
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 7
    assert page.count("<table") >= 9  # a table under every chart
    built = await server.app[DB].read(lambda d: report.build(d, year, settings.tz))
    assert f"{built['sessions']['held']} séances tenues" in text_of(page)
    rows = list(csv.reader(io.StringIO(await (await organizer.get("/staff/report.csv", params={"year": year})).text())))
    assert ["seances", "total", "tenues", str(built["sessions"]["held"])] in rows
    assert (await organizer.get("/staff/report", params={"year": "20x6"})).status == 422


async def test_the_report_is_for_staff(client):
    r = await client.get("/staff/report", allow_redirects=False)
    assert r.status in (302, 303)


async def test_the_cli_prints_the_report_in_three_formats(demo_db, settings, tmp_path):
    year = dt.datetime.now(settings.tz).year
    config = tmp_path / "quartier.yaml"
    config.write_text(f"database: {settings.database_location}\n", encoding="utf-8")
    r = await demo_db.read(lambda d: report.build(d, year, settings.tz))
    await demo_db.close()
    run = [sys.executable, "-m", "quartier", "report", "--config", str(config), "--year", str(year)]
    out = {}
    for fmt in ("csv", "md", "html"):
        done = subprocess.run([*run, "--format", fmt], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        out[fmt] = done.stdout
    rows = list(csv.reader(io.StringIO(out["csv"])))
    assert ["seances", "total", "annulees", str(r["sessions"]["cancelled"])] in rows
    assert f"{r['sessions']['held']} séances tenues, {r['sessions']['cancelled']} annulées." in out["md"]
    assert out["html"].startswith("<!doctype html>") and "<style>" in out["html"] and 'class="chart"' in out["html"]
    await demo_db.open(features.migration_sets(features.load()))
