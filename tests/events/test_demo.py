"""The demo programme: Rennes' places, a week across the three axes, one cancellation, one move."""

import datetime as dt

from events import queries
from events.schema import migrations
from quartier.db import Database
from quartier.demo import fill


async def test_demo_has_the_sites_others_rely_on_and_a_realistic_week(settings):
    fill_task = fill(settings, "password-for-demo")
    await fill_task
    db = Database(settings.database_location)
    await db.open([migrations])
    try:
        today = dt.datetime.now(settings.tz).date()

        def read(d):
            return queries.sites(d), queries.occurrences(d, today, today + dt.timedelta(days=6)), queries.is_demo(d)

        sites, week, demo = await db.read(read)
    finally:
        await db.close()
    assert demo
    assert {s["slug"] for s in sites} == {
        "maurepas",
        "cleunay",
        "centre",
        "le-blosne",
        "villejean",
        "brequigny",
        "carrefour-18",
        "maison-des-aines",
        "leperdit",
    }
    assert all(s["insee"] == "35238" and s["commune"] == "Rennes" for s in sites)
    assert {o["axis"] for o in week} == {"acces-libre", "accompagnement", "droits"}
    assert [o["status"] for o in week].count("cancelled") == 1
    assert [o["status"] for o in week].count("moved") == 1
    assert any(o["kind"] == "forum" and o["site"] == "maurepas" and o["date"] == today for o in week)
    assert any(o["kind"] == "hackathon" for o in week)
