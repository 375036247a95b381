"""Issue 22's demo: last spring's city-wide forum across the six ESC, and the GT ESC's meetings."""

from forum import queries
from forum.schema import migrations
from quartier.db import Database
from quartier.demo import fill
from reports import city_minutes, meetings
from reports.meetings_schema import migrations as meeting_migrations
from reports.minutes_store import migrations as minutes_migrations


async def test_the_demo_has_a_city_wide_forum_and_gt_esc_meetings_whose_actions_carried_over(settings):
    await fill(settings, "demo-password-123")
    db = Database(settings.database_location)
    await db.open([migrations, meeting_migrations, minutes_migrations])
    try:

        def read(d):
            [forum] = queries.forums(d)
            gt = next(s for s in meetings.series_list(d) if s["title"] == "GT ESC")
            held = [meetings.meeting(d, m["id"]) for m in reversed(meetings.meetings(d, series_id=gt["id"]))]
            return forum, queries.city_notes(d, forum), held, city_minutes.versions(d, forum["id"])

        forum, notes, held, minutes = await db.read(read)
    finally:
        await db.close()
    assert len(forum["boards"]) == 6 and forum["state"] == "closed"
    assert len({n["place"] for n in notes}) == 6
    assert [m["state"] for m in minutes] == ["published"]
    assert "Classement dans toute la ville" in minutes[0]["markdown"]
    assert len(held) == 3
    carried = [[i["title"] for i in m["items"] if i["carried"]] for m in held]
    assert carried[0] == []
    assert "Remplacer l'imprimante de l'accès libre de Cleunay" in carried[1]
    assert len(carried[2]) == 2  # the printer (done there) and the translation (still open)
    assert sorted(i["status"] for i in held[2]["items"] if i["carried"]) == ["done", "open"]
