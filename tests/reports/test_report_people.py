"""The annual report's people and its reconciliation (issue 21): every chart's figures equal its table
and the CSV; a partial month is not multiplied up; one rounding; French decimal commas."""

import csv
import datetime as dt
import io
import re
from html import unescape

import pytest

from quartier import i18n
from quartier.app import create_app
from quartier.demo import fill
from quartier.typedefs import DB, SETTINGS
from reports import report
from reports.report_formats import _num
from reports.report_people import round1
from tests.conftest import text_of


@pytest.fixture
async def app(settings):
    """The app over the demo: a year of programme with counts on most past occurrences."""
    await fill(settings, "password-for-demo")
    return create_app(settings)


def chart(page: str, name: str) -> list[tuple[str, str]]:
    """(label, total) of each bar of one SVG chart, as the reader sees them."""
    svg = re.search(rf'<svg [^>]*aria-labelledby="{name}-title.*?</svg>', page, re.S)
    assert svg, name
    raw = re.findall(r'class="label[^"]*">(.*?)</text>', svg.group(0))
    labels = [unescape(" ".join(re.findall(r">([^<]+)<", f">{t}<"))) for t in raw]  # two lines: their tspans
    totals = [unescape(t) for t in re.findall(r'class="total">([^<]*)</text>', svg.group(0))]
    return list(zip(labels, totals, strict=True))


def table(page: str, caption: str) -> list[list[str]]:
    found = re.search(rf"<caption>{re.escape(caption)}</caption>(.*?)</table>", page, re.S)
    assert found, caption
    rows = re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)
    return [[text_of(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]


async def test_people_reached_agree_in_chart_table_and_csv(organizer, server):
    settings = server.app[SETTINGS]
    year = dt.datetime.now(settings.tz).year
    page = await (await organizer.get("/staff/report", params={"year": year})).text()
    rows = list(csv.reader(io.StringIO(await (await organizer.get("/staff/report.csv", params={"year": year})).text())))
    built = await server.app[DB].read(lambda d: report.build(d, year, settings.tz))
    p = built["people"]
    assert p["people"] > 100 and 0 < p["counted"] < p["held"]  # the demo leaves a few uncounted
    assert ["personnes", "total", "", str(p["people"])] in rows
    assert f"{p['people']} personnes accueillies" in text_of(page)
    # People per month: chart bar = table row total = CSV row.
    months = table(page, "Personnes accueillies par mois et par axe")[1:]
    bars = chart(page, "report-people-months")
    assert len(bars) == len(months) > 0
    for (label, total), row in zip(bars, months, strict=True):
        assert label == row[0] and total == row[-1]
    csv_months = [r for r in rows if r[0] == "personnes_mois" and r[2] == "total"]
    assert [r[3] for r in csv_months] == [row[-1] for row in months]
    assert sum(int(r[3]) for r in csv_months) == p["people"]
    # People per site.
    sites = table(page, "Personnes accueillies par lieu")[1:]
    assert [(r[0], r[1]) for r in sites] == chart(page, "report-people-sites")
    assert [r[3] for r in rows if r[0] == "personnes_lieu"] == [r[1] for r in sites]
    # Hours per week: chart = table for every finished month; the month under way has no average.
    hours = {r[0]: r for r in table(page, "Heures par semaine, par axe")[1:]}
    bars = chart(page, "report-hours")
    assert len(bars) == sum(1 for m in built["hours"]["months"] if not m["partial"])
    for label, total in bars:
        assert hours[label][-1] + " h" == total
    finished = [m for m in built["hours"]["months"] if not m["partial"]]
    weekly = {r[1]: r[3] for r in rows if r[0] == "heures_par_semaine"}
    for m in finished:
        assert _num(float(weekly[f"{year}-{m['month']:02d}"])) == _num(m["per_week"])


async def test_a_partial_month_is_not_multiplied_up(organizer, server):
    """Issue 21: "December shows 73.5 h/week" on 2 December: one day's hours times seven."""
    settings = server.app[SETTINGS]
    year = dt.datetime.now(settings.tz).year
    built = await server.app[DB].read(lambda d: report.build(d, year, settings.tz))
    last = built["hours"]["months"][-1]
    today = dt.datetime.now(settings.tz).date()
    month_end = dt.date(year, 12, 31) if today.month == 12 else dt.date(year, today.month + 1, 1) - dt.timedelta(days=1)
    assert last["partial"] == (built["until"] < month_end)
    if last["partial"]:
        assert last["per_week"] is None
        page = text_of(await (await organizer.get("/staff/report", params={"year": year})).text())
        assert "mois en cours" in page


def test_one_rounding_halves_up_and_the_language_s_decimal_mark():
    assert round1(47.25) == 47.3 and round1(0.05) == 0.1 and round1(2.349) == 2.3
    token = i18n.current_language.set("fr")
    try:
        assert _num(47.25) == "47,3" and _num(3.9) == "3,9" and _num(12.0) == "12"
    finally:
        i18n.current_language.reset(token)
    token = i18n.current_language.set("en")
    try:
        assert _num(47.25) == "47.3"
    finally:
        i18n.current_language.reset(token)


async def test_no_decimal_point_in_the_french_report(organizer, server):
    year = dt.datetime.now(server.app[SETTINGS].tz).year
    page = await (await organizer.get("/staff/report", params={"year": year})).text()
    main = page.split("<main", 1)[1]
    visible = text_of(re.sub(r"<(title|desc)[^>]*>.*?</\1>", " ", main, flags=re.S))
    assert not re.search(r"\d\.\d", visible), re.search(r".{30}\d\.\d.{30}", visible)
    svg_text = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", main))
    assert not re.search(r"\d\.\d", svg_text)


async def test_the_trend_compares_the_same_days_of_last_year(server):
    """The demo's history starts a year back: last year's same days hold its first weeks only."""
    settings = server.app[SETTINGS]
    year = dt.datetime.now(settings.tz).year
    built = await server.app[DB].read(lambda d: report.build(d, year, settings.tz))
    p = built["people"]
    before = p["previous"]
    assert before["until"] == built["until"].replace(year=year - 1)
    last_year = await server.app[DB].read(
        lambda d: report.build(d, year - 1, settings.tz, before["until"] + dt.timedelta(days=1))
    )
    assert before["people"] == last_year["people"]["people"] and before["held"] == last_year["sessions"]["held"]
    assert p["trend"] == (
        round1(100 * (p["people"] - before["people"]) / before["people"]) if before["people"] else None
    )
