"""Decision records (issue 9): every decision and action across forums, filters, CSV, marking done."""

import csv
import io

from forum import store
from quartier.typedefs import DB
from reports import decisions
from tests.conftest import form, text_of
from tests.forum.conftest import make_board


async def two_forums(app):
    a = await make_board(app, "post", site="maurepas")
    b = await make_board(app, "post", site="le-blosne")

    def write(tx):
        ids = {}
        for board, name, text, theme, kind, who in (
            (a, "imprimante", "Réparer l'imprimante", "acces-libre", "action", "ESC Maurepas"),
            (a, "samedi", "Ouvrir le samedi matin", "accompagnement", "decision", None),
            (b, "traduire", "Traduire les affiches", "droits", "action", "Centre social Le Blosne"),
            (b, "caf", "Permanence CAF le soir", "droits", "action", "CAF"),
            (b, "simple", "Une simple note", "autre", None, None),
        ):
            ids[name] = store.post_note_tx(tx, board["id"], text=text, theme=theme, source="paper", trusted=True)["id"]
            if kind == "action":
                store.moderate_tx(tx, ids[name], "action", {"who": who, "due": "2026-12-01"})
            elif kind == "decision":
                store.moderate_tx(tx, ids[name], "decision", {})
        decisions.set_done_tx(tx, ids["caf"], True)
        return ids

    return await app[DB].write(write)


async def test_the_log_filters_by_site_axis_status_and_owner(organizer, server):
    ids = await two_forums(server.app)

    async def texts(**params):
        r = await organizer.get("/forum/decisions", params=params)
        assert r.status == 200
        page = text_of(await r.text())
        return {
            name
            for name in ("imprimante", "samedi", "affiches", "CAF le soir", "simple note")
            if name.lower() in page.lower()
        }

    assert await texts() == {"imprimante", "samedi", "affiches", "CAF le soir"}  # plain notes are not records
    assert await texts(site="le-blosne") == {"affiches", "CAF le soir"}
    assert await texts(axis="droits") == {"affiches", "CAF le soir"}
    assert await texts(status="open") == {"imprimante", "affiches"}
    assert await texts(status="done") == {"CAF le soir"}
    assert await texts(owner="maurepas") == {"imprimante"}
    assert await texts(q="samedi") == {"samedi"}
    assert (await organizer.get("/forum/decisions", params={"status": "bof"})).status == 422
    assert ids


async def test_csv_export_follows_the_filters(organizer, server):
    await two_forums(server.app)
    r = await organizer.get("/forum/decisions.csv", params={"site": "le-blosne"})
    assert r.content_type == "text/csv"
    rows = list(csv.DictReader(io.StringIO(await r.text())))
    assert sorted((row["texte"], row["etat"]) for row in rows) == [
        ("Permanence CAF le soir", "done"),
        ("Traduire les affiches", "open"),
    ]
    assert all(row["lieu"] == "le-blosne" and row["axe"] == "droits" for row in rows)


async def test_staff_mark_an_action_done_and_the_board_hears_it(organizer, client, server):
    ids = await two_forums(server.app)
    r = await form(
        organizer,
        f"/forum/decisions/{ids['imprimante']}/done",
        {"done": "1", "back": "/forum/decisions?status=open"},
        allow_redirects=False,
    )
    assert r.status == 303 and r.headers["Location"].startswith("/forum/decisions?status=open")
    rows = await server.app[DB].read(lambda d: decisions.records(d, status="done"))
    assert {row["id"] for row in rows} == {ids["imprimante"], ids["caf"]}
    changes = await server.app[DB].fetchall("SELECT type FROM changes WHERE type = 'action.updated'")
    assert len(changes) == 2
    # Residents cannot, and the log is for staff.
    r = await form(client, f"/forum/decisions/{ids['traduire']}/done", {"done": "1"}, allow_redirects=False)
    assert r.status in (303, 401, 403)
    assert (await client.get("/forum/decisions", allow_redirects=False)).status in (302, 303)
    # A decision has no "done".
    r = await form(organizer, f"/forum/decisions/{ids['samedi']}/done", {"done": "1"})
    assert r.status == 404
