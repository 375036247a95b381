"""The service-time dashboard: hours per week, site and axis equal the hours counted by hand."""

import csv
import datetime as dt
import io

from events import hours, store
from events.demo import demo
from events.demo_data import WEEKLY
from events.model import clean_exception
from quartier import formats
from quartier.app import create_app
from quartier.demo import DemoContext
from quartier.typedefs import DB, SETTINGS
from reports.dashboard import figures
from tests.conftest import create_user, form, login, text_of
from tests.events.helpers import add_session, add_site

MONDAY = dt.date(2025, 3, 10)  # ISO week 2025-W11


async def known_week(app):
    """Two sites, a week of sessions whose hours are easy to count by hand."""
    await add_site(app)
    await add_site(app, slug="cleunay", name="ESC Cleunay")
    weekly = await add_session(app, date="2025-03-03", start="09:00", end="12:00", room="Bureau 3")  # droits, Mo 3 h
    await add_session(
        app,
        title="Accès libre",
        kind="acces-libre",
        axis="acces-libre",
        date="2025-03-04",
        start="14:00",
        end="17:30",
        room="Espace numérique",
    )  # Tu 3.5 h
    await add_session(
        app,
        site="cleunay",
        title="Atelier mail",
        kind="atelier",
        axis="accompagnement",
        date="2025-03-12",
        start="10:00",
        end="11:30",
        room="Salle 1",
        repeat=None,
    )  # We 1.5 h, once
    cancelled = await add_session(
        app, site="cleunay", title="Permanence impôts", date="2025-03-06", start="13:30", end="16:00", room="Salle 1"
    )  # Th 2.5 h, cancelled in W11
    exception = clean_exception({"date": "2025-03-13", "status": "cancelled", "reason": "Absente"})
    await app[DB].write(lambda tx: store.set_exception(tx, cancelled, exception))
    return weekly


async def test_totals_equal_the_hours_counted_by_hand(organizer, server):
    await known_week(server.app)
    r = await organizer.get("/dashboard", params={"from": "2025-W10", "to": "2025-W12", "week": "2025-W11"})
    assert r.status == 200, await r.text()
    text = text_of(await r.text())
    # W10: 3 + 3.5 + 2.5 (Thursday not cancelled yet) = 9; W11: 3 + 3.5 + 1.5 = 8 (the impôts one is cancelled).
    # Columns: access, support, rights, total.
    # Weeks are named by their Monday (issue 23: not "2025-W10").
    assert "semaine du 3 mars 2025 3,5 0 5,5 9" in text
    assert "semaine du 10 mars 2025 3,5 1,5 3 8" in text
    assert "2025-W" not in text
    r = await organizer.get("/dashboard.csv", params={"from": "2025-W10", "to": "2025-W12"})
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(await r.text())))

    def total(week: str, **kw: str) -> float:
        hours = (float(x["heures"]) for x in rows if x["semaine"] == week and all(x[k] == v for k, v in kw.items()))
        return round(sum(hours), 2)

    assert total("2025-W10") == 9
    assert total("2025-W11") == 8
    assert total("2025-W11", lieu="maurepas") == 6.5
    assert total("2025-W11", lieu="cleunay", axe="accompagnement") == 1.5
    assert total("2025-W11", axe="droits") == 3
    assert total("2025-W12") == 9


async def test_figures_of_a_known_week(server):
    await known_week(server.app)

    def read(db):
        return figures(db, MONDAY, MONDAY, baseline=MONDAY - dt.timedelta(weeks=1), factor=2, current=MONDAY)

    f = await server.app[DB].read(read)
    week = f["current"]
    assert week.total == 8 and week.sessions == 3
    assert week.by_site == {"maurepas": 6.5, "cleunay": 1.5}
    assert week.by_axis == {"acces-libre": 3.5, "accompagnement": 1.5, "droits": 3}
    assert f["goal"] == 18 and f["progress"] == round(100 * 8 / 18, 1)
    assert f["shares"] == {"acces-libre": 43.8, "accompagnement": 18.8, "droits": 37.5}
    assert f["missing"] == {"maurepas": ["accompagnement"], "cleunay": ["acces-libre", "droits"]}
    # Half-days Monday to Friday: maurepas' Bureau 3 (Monday morning) and Espace numérique (Tuesday afternoon)
    # each use one of 10; cleunay's Salle 1 is used Wednesday morning only (Thursday's session is cancelled).
    half = f["half_days"]
    assert half["maurepas"]["rooms"] == {"Bureau 3": {"used": 1, "free": 9}, "Espace numérique": {"used": 1, "free": 9}}
    assert half["cleunay"]["rooms"] == {"Salle 1": {"used": 1, "free": 9}}
    assert f["free_half_days"] == 27 and f["used_half_days"] == 3


def test_a_session_across_noon_uses_both_half_days():
    tz = dt.UTC
    occ = {
        "status": "scheduled",
        "room": "Salle",
        "site": "s",
        "axis": "droits",
        "start": dt.datetime(2025, 3, 10, 11, 0, tzinfo=tz),
        "end": dt.datetime(2025, 3, 10, 14, 0, tzinfo=tz),
    }
    assert hours.half_days([occ], MONDAY, {"s": ["Salle"]})["s"]["used"] == 2
    occ["end"] = dt.datetime(2025, 3, 10, 13, 0, tzinfo=tz)
    assert hours.half_days([occ], MONDAY, {"s": ["Salle"]})["s"]["used"] == 1


async def test_the_demo_week_matches_its_timetable(organizer, server):
    settings = server.app[SETTINGS]
    now = dt.datetime.now(settings.tz)
    await demo(DemoContext(db=server.app[DB], settings=settings, today=now.date(), now=now))
    # Two weeks ahead, the demo has only its weekly timetable: no forum day, hackathon or exception.
    monday = now.date() - dt.timedelta(days=now.weekday()) + dt.timedelta(weeks=2)
    by_hand: dict[str, float] = {}
    for _key, _site, _title, _kind, axis, _day, start, end, *_rest in WEEKLY:
        h = (dt.datetime.strptime(end, "%H:%M") - dt.datetime.strptime(start, "%H:%M")).seconds / 3600
        by_hand[axis] = by_hand.get(axis, 0) + h
    assert by_hand == {"droits": 17.5, "acces-libre": 15.5, "accompagnement": 12.5}
    week = monday.isocalendar()
    iso = f"{week[0]}-W{week[1]:02d}"
    r = await organizer.get("/dashboard.csv", params={"from": iso, "to": iso})
    rows = list(csv.DictReader(io.StringIO(await r.text())))
    for axis, h in by_hand.items():
        assert round(sum(float(x["heures"]) for x in rows if x["axe"] == axis), 2) == h
    r = await organizer.get("/dashboard", params={"week": iso})
    text = text_of(await r.text())
    assert f"{formats.ucfirst(formats.week_of(monday, 'fr'))} : 45,5 h." in text
    # The programme counts at least 24 free half-days a week to share with partners.
    free = await server.app[DB].read(
        lambda db: figures(db, monday, monday, baseline=None, factor=2, current=monday)["free_half_days"]
    )
    assert free >= 24
    assert f"{free} demi-journées libres" in text


async def test_the_dashboard_is_for_staff_unless_made_public(client, settings, aiohttp_client):
    for path in ("/dashboard", "/dashboard.csv"):
        r = await client.get(path, allow_redirects=False)
        assert r.status in (302, 303, 401, 403)
    public = await aiohttp_client(create_app(settings.replace(dashboard_public=True, database="public.db")))
    for path in ("/dashboard", "/dashboard.csv"):
        r = await public.get(path)
        assert r.status == 200


async def test_an_organizer_sets_the_baseline_week_on_the_page(organizer, facilitator, server):
    """Issue 23: the goal line said to edit `service_baseline_week`; the page now keeps the organizer's week."""
    await known_week(server.app)
    params = {"from": "2025-03-10", "to": "2025-03-10", "week": "2025-03-12"}  # any day names its week
    text = text_of(await (await organizer.get("/dashboard", params=params)).text())
    assert "Aucun objectif" in text and "service_baseline_week" not in text
    r = await form(organizer, "/dashboard/baseline", {"baseline": "2025-03-05"}, allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == "/dashboard#goal"
    text = text_of(await (await organizer.get("/dashboard", params=params)).text())
    # W10 had 9 h, so the goal is 18 h; W11 has 8 h of it.
    assert "Semaine du 10 mars 2025 : 8 h sur un objectif de 18 h (44,4 %)." in text
    assert "semaine de référence (semaine du 3 mars 2025)" in text
    # Back to the setting (empty here): no goal again.
    assert (await form(organizer, "/dashboard/baseline", {"default": "1"}, allow_redirects=False)).status == 303
    assert "Aucun objectif" in text_of(await (await organizer.get("/dashboard", params=params)).text())


async def test_the_baseline_form_refuses_what_it_should(organizer, facilitator, client):
    r = await form(organizer, "/dashboard/baseline", {"baseline": "le 3 mars"}, allow_redirects=False)
    assert r.status in (400, 422) and "500" not in str(r.status)
    assert (await form(organizer, "/dashboard/baseline", {}, allow_redirects=False)).status == 422
    # Without its CSRF token, from a facilitator, or from a resident: refused.
    assert (await organizer.post("/dashboard/baseline", data={"baseline": "2025-03-05"})).status == 403
    assert (await form(facilitator, "/dashboard/baseline", {"baseline": "2025-03-05"})).status == 403
    r = await form(client, "/dashboard/baseline", {"baseline": "2025-03-05"}, allow_redirects=False)
    assert r.status in (303, 401, 403) and "/dashboard#goal" not in r.headers.get("Location", "")


async def test_the_stored_baseline_overrides_the_setting(settings, aiohttp_client):
    app = create_app(settings.replace(service_baseline_week="2025-W10", database="baseline.db"))
    client = await aiohttp_client(app)
    await known_week(app)
    await create_user(app, "orga", "organizer")
    await login(client, "orga")
    params = {"from": "2025-W11", "to": "2025-W11", "week": "2025-W11"}
    assert "objectif de 18 h" in text_of(await (await client.get("/dashboard", params=params)).text())
    await form(client, "/dashboard/baseline", {"baseline": "2025-03-12"})  # W11: 8 h, so 16 h
    text = text_of(await (await client.get("/dashboard", params=params)).text())
    assert "objectif de 16 h" in text and "Revenir à la semaine du réglage (semaine du 3 mars 2025)" in text
