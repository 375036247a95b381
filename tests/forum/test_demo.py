"""The demo has a forum in progress at the ESC Maurepas: every source, some pending, one decision."""

from forum import queries
from quartier.db import Database
from quartier.demo import fill
from forum.store import migrations


async def test_the_demo_forum_is_in_progress_at_maurepas(settings):
    await fill(settings, "demo-password-123")
    db = Database(settings.database_path)
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
