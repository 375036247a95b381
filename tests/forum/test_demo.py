"""The demo has a forum in progress at the ESC Maurepas: every source, some pending, one decision."""

from forum import queries
from forum.schema import migrations
from quartier.db import Database
from quartier.demo import fill


async def test_the_demo_forum_is_in_progress_at_maurepas(settings):
    await fill(settings, "demo-password-123")
    db = Database(settings.database_location)
    await db.open([migrations])
    try:

        def read(d):
            [board] = queries.boards_running_at(d, "maurepas")
            return board, queries.all_notes(d, board["id"]), queries.decisions(d, board["id"])

        board, notes, decisions = await db.read(read)
    finally:
        await db.close()
    assert board["state"] == "open"
    assert {n["source"] for n in notes} == {"tablet", "phone", "paper", "spoken"}
    assert sum(n["status"] == "pending" for n in notes) >= 2
    assert [n["kind"] for n in decisions].count("decision") == 1
    assert any(n["count"] > 1 for n in notes)  # a merge kept its count


async def test_the_demo_hackathon_has_challenges_teams_pitches_and_a_closed_final_vote(settings):
    from events import queries as programme
    from forum import hackathon

    await fill(settings, "demo-password-123")
    db = Database(settings.database_location)
    await db.open([migrations])
    try:

        def read(d):
            [row] = hackathon.hackathons(d, "carrefour-18")
            session = [s for s in programme.sessions(d, site="carrefour-18") if s["kind"] == "hackathon"]
            return hackathon.results(d, row["id"]), session

        res, session = await db.read(read)
    finally:
        await db.close()
    assert len(res["challenges"]) == 3 and any(c["note_id"] for c in res["challenges"])
    assert len(res["teams"]) >= 3 and all(t["members"] and t["built"] for t in res["teams"])
    assert res["session_id"] == session[0]["id"] and all(s["starts"] for s in res["slots"])
    assert res["final"]["state"] == "closed" and res["final"]["frozen"] and res["final"]["dots"] > 0
    assert res["ranked"][0]["votes"] > res["ranked"][-1]["votes"]
