"""Issue 22: the partners' meetings (GT ESC), open actions carried over, and the one decision log."""

from __future__ import annotations

import csv
import io
from typing import Any
from xml.etree import ElementTree as ET

from forum import store
from quartier.typedefs import DB
from tests.conftest import form, text_of
from tests.events.helpers import add_site
from tests.forum.conftest import make_board


async def new_meeting(client: Any, bearer: dict[str, str], day: str, **kw: Any) -> dict[str, Any]:
    body = {"series": "GT ESC", "day": day, **kw}
    r = await client.post("/api/v1/meetings", json=body, headers=bearer)
    assert r.status == 201, await r.text()
    created = await r.json()
    return await (await client.get(f"/api/v1/meetings/{created['id']}", headers=bearer)).json()


async def outcome(client: Any, bearer: dict[str, str], item: int, **body: Any) -> None:
    r = await client.post(f"/api/v1/meeting-items/{item}/outcome", json=body, headers=bearer)
    assert r.status == 200, await r.text()


async def test_an_action_left_open_appears_on_the_next_meetings_agenda_until_done(client, bearer):
    first = await new_meeting(
        client,
        bearer,
        "2026-01-15",
        agenda=["Bilan du temps fort", "Imprimantes"],
        attendees=["CAF", "Ville de Rennes"],
    )
    bilan, imprimantes = first["items"]
    await outcome(client, bearer, bilan["id"], outcome="decision", text="Un temps fort par an dans chaque ESC.")
    await outcome(
        client,
        bearer,
        imprimantes["id"],
        outcome="action",
        text="Remplacer l'imprimante de Cleunay",
        who="Ville de Rennes",
        due="2026-02-28",
    )
    second = await new_meeting(client, bearer, "2026-03-12", agenda=["Budget"])
    carried = [i for i in second["items"] if i["carried_from"]]
    assert [(i["title"], i["who"], i["status"]) for i in carried] == [
        ("Remplacer l'imprimante de Cleunay", "Ville de Rennes", "open")
    ]
    third = await new_meeting(client, bearer, "2026-05-07")
    assert [i["carried_from"] for i in third["items"]] == [imprimantes["id"]]  # still open: carried again
    # Done at the third meeting: done at the first, and no fourth meeting carries it.
    r = await client.post(f"/api/v1/meeting-items/{third['items'][0]['id']}/done", json={"done": True}, headers=bearer)
    assert r.status == 200
    fourth = await new_meeting(client, bearer, "2026-06-18")
    assert fourth["items"] == []
    again = await (await client.get(f"/api/v1/meetings/{first['id']}", headers=bearer)).json()
    assert again["items"][1]["status"] == "done"
    assert again["attendees"] == ["CAF", "Ville de Rennes"]


async def test_an_action_recorded_late_reaches_a_meeting_already_planned(client, bearer):
    first = await new_meeting(client, bearer, "2026-01-15", agenda=["Wi-Fi"])
    planned = await new_meeting(client, bearer, "2026-03-12")
    assert planned["items"] == []
    await outcome(client, bearer, first["items"][0]["id"], outcome="action", text="Tester le Wi-Fi", who="ESC Cleunay")
    planned = await (await client.get(f"/api/v1/meetings/{planned['id']}", headers=bearer)).json()
    assert [i["title"] for i in planned["items"]] == ["Tester le Wi-Fi"]


async def test_planned_meetings_are_staffs_and_held_ones_are_public(client, bearer):
    m = await new_meeting(client, bearer, "2026-01-15", agenda=["Point"])
    assert (await client.get(f"/api/v1/meetings/{m['id']}")).status == 404
    assert (await (await client.get("/api/v1/meetings")).json())["meetings"] == []
    r = await client.post(f"/api/v1/meetings/{m['id']}/state", json={"state": "held"}, headers=bearer)
    assert r.status == 200
    assert (await client.get(f"/api/v1/meetings/{m['id']}")).status == 200
    bad = await client.post("/api/v1/meetings", json={"series": "GT ESC", "day": "2026-02-30"}, headers=bearer)
    assert bad.status == 422 and (await bad.json())["error"]["message"]
    bad = await client.post(
        f"/api/v1/meeting-items/{m['items'][0]['id']}/outcome", json={"outcome": "action", "text": "x"}, headers=bearer
    )
    assert bad.status == 422 and (await bad.json())["error"]["message"] == "Indiquez qui s'en charge."


async def forum_and_meeting(server: Any, client: Any, bearer: dict[str, str]) -> dict[str, Any]:
    await add_site(server.app)
    board = await make_board(server.app, "post", site="maurepas")

    def write(tx: Any) -> int:
        nid = store.post_note_tx(
            tx, board["id"], text="Ouvrir le samedi", theme="droits", source="paper", trusted=True
        )["id"]
        store.moderate_tx(tx, nid, "decision", {})
        return nid

    note = await server.app[DB].write(write)
    m = await new_meeting(client, bearer, "2026-01-15", agenda=["Samedi", "Budget"], site="maurepas")
    await client.post(
        f"/api/v1/meetings/{m['id']}/items", json={"title": "Suite du forum", "forum_note": note}, headers=bearer
    )
    await outcome(
        client, bearer, m["items"][0]["id"], outcome="action", text="Trouver un bénévole pour le samedi", who="CAF"
    )
    await outcome(client, bearer, m["items"][1]["id"], outcome="decision", text="Budget voté")
    return {"note": note, "meeting": m}


async def test_the_log_holds_forum_and_meeting_records_and_filters_by_source(server, client, bearer, organizer):
    await forum_and_meeting(server, client, bearer)

    async def texts(**params: str) -> set[str]:
        r = await organizer.get("/forum/decisions", params=params)
        assert r.status == 200, await r.text()
        page = text_of(await r.text())
        return {t for t in ("Ouvrir le samedi", "Trouver un bénévole", "Budget voté") if t in page}

    assert await texts() == {"Ouvrir le samedi", "Trouver un bénévole", "Budget voté"}
    assert await texts(source="meeting") == {"Trouver un bénévole", "Budget voté"}
    assert await texts(source="forum") == {"Ouvrir le samedi"}
    assert await texts(status="open") == {"Trouver un bénévole"}
    assert await texts(q="bénévole") == {"Trouver un bénévole"}
    assert (await organizer.get("/forum/decisions", params={"source": "bof"})).status == 422
    r = await organizer.get("/forum/decisions.csv", params={"source": "meeting"})
    rows = list(csv.DictReader(io.StringIO(await r.text())))
    assert sorted((row["source"], row["texte"]) for row in rows) == [
        ("meeting", "Budget voté"),
        ("meeting", "Trouver un bénévole pour le samedi"),
    ]


async def test_the_atom_feed_and_the_api_show_meetings_once_held(server, client, bearer):
    made = await forum_and_meeting(server, client, bearer)
    feed = await client.get("/forum/decisions.atom")
    assert feed.content_type == "application/atom+xml"
    titles = [e.text for e in ET.fromstring(await feed.text()).iter("{http://www.w3.org/2005/Atom}title")]
    assert any("Ouvrir le samedi" in (t or "") for t in titles)
    assert not any("Budget voté" in (t or "") for t in titles)
    await client.post(f"/api/v1/meetings/{made['meeting']['id']}/state", json={"state": "held"}, headers=bearer)
    feed = await client.get("/forum/decisions.atom")
    assert "Budget voté" in await feed.text()
    api = await (await client.get("/api/v1/decisions", params={"source": "meeting"}, headers=bearer)).json()
    assert {d["text"] for d in api["decisions"]} == {"Budget voté", "Trouver un bénévole pour le samedi"}
    assert {d["origin"] for d in api["decisions"]} == {"GT ESC · 2026-01-15"}
    assert (await client.get("/api/v1/decisions")).status == 401  # the log itself is staff's


async def test_staff_run_a_meeting_from_its_pages(server, organizer):
    r = await form(
        organizer,
        "/meetings",
        {
            "series": "GT ESC spécial numérique",
            "day": "2026-04-02",
            "agenda": "Tablettes\nFormation",
            "attendees": "CAF",
        },
        allow_redirects=False,
    )
    assert r.status == 303, await r.text()
    page = await organizer.get(r.headers["Location"])
    html = await page.text()
    assert "Tablettes" in html and "Formation" in html and "CAF" in html
