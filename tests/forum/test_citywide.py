"""Issue 22: a forum across sites — one step creates a board per site, a city-wide wall, one budget."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from forum import citywide
from quartier.typedefs import DB
from tests.conftest import form
from tests.events.helpers import add_site

SITES = (("maurepas", "Maurepas – Gros-Chêne"), ("cleunay", "Cleunay"), ("blosne", "Le Blosne"))


async def add_sites(app: Any) -> None:
    for slug, neighbourhood in SITES:
        await add_site(app, slug=slug, name=f"ESC {slug.title()}", neighbourhood=neighbourhood)


async def make_forum(client: Any, bearer: dict[str, str], **kw: Any) -> dict[str, Any]:
    body = {"title": "Temps fort du numérique", "sites": ["maurepas", "cleunay", "blosne"], "moderation": "post", **kw}
    r = await client.post("/api/v1/forums", json=body, headers=bearer)
    assert r.status == 201, await r.text()
    created = await r.json()
    r = await client.get(f"/api/v1/forums/{created['id']}")
    assert r.status == 200
    return await r.json()


async def post(client: Any, board_id: int, text: str, theme: str = "droits") -> None:
    r = await client.post(f"/api/v1/boards/{board_id}/notes", json={"text": text, "theme": theme})
    assert r.status == 201, await r.text()


async def test_one_step_makes_a_board_per_site_each_with_its_own_code(server, client, bearer):
    await add_sites(server.app)
    f = await make_forum(client, bearer, themes=["Se former", "Mes droits"], prompt="Et vous ?")
    assert [b["site"] for b in f["boards"]] == ["maurepas", "cleunay", "blosne"]
    assert [b["place"] for b in f["boards"]] == [n for _s, n in SITES]
    assert len({b["code"] for b in f["boards"]}) == 3
    assert [t["slug"] for t in f["themes"]] == ["se-former", "mes-droits"]
    board = await (await client.get(f"/api/v1/boards/{f['boards'][1]['id']}")).json()
    assert [t["label"] for t in board["themes"]] == ["Se former", "Mes droits"]
    assert board["forum"] == f["id"] and board["prompt"] == "Et vous ?"


async def test_a_forum_with_an_unknown_site_is_refused_in_words(server, client, bearer):
    await add_sites(server.app)
    r = await client.post("/api/v1/forums", json={"title": "T", "sites": ["atlantis"]}, headers=bearer)
    assert r.status == 422
    assert (await r.json())["error"]["message"] == "Ce lieu n'existe pas dans le programme."
    r = await client.post("/api/v1/forums", json={"title": "T", "sites": []}, headers=bearer)
    assert r.status == 422
    r = await client.post("/api/v1/forums", json={"title": "T", "sites": ["maurepas"]})
    assert r.status in (401, 403)


async def test_the_city_wide_wall_shows_every_site_labelled_with_its_neighbourhood(server, client, bearer):
    await add_sites(server.app)
    f = await make_forum(client, bearer)
    await post(client, f["boards"][0]["id"], "Un atelier CAF le soir")
    await post(client, f["boards"][1]["id"], "Du Wi-Fi à la médiathèque", theme="acces-libre")
    r = await client.get(f"/api/v1/forums/{f['id']}/notes")
    notes = (await r.json())["notes"]
    assert {(n["text"], n["place"]) for n in notes} == {
        ("Un atelier CAF le soir", "Maurepas – Gros-Chêne"),
        ("Du Wi-Fi à la médiathèque", "Cleunay"),
    }
    html = await (await client.get(f"/forums/{f['id']}/wall")).text()
    assert "Un atelier CAF le soir" in html and "Maurepas – Gros-Chêne" in html
    for b in f["boards"]:
        assert f"board:{b['id']}" in html  # the wall follows every site's board


async def test_a_device_has_one_budget_for_the_whole_forum(server, client, bearer):
    await add_sites(server.app)
    f = await make_forum(client, bearer)
    ids = []
    for i, b in enumerate(f["boards"]):
        created = await client.post(f"/api/v1/boards/{b['id']}/notes", json={"text": f"Idée {i}"})
        ids.append((await created.json())["id"])
    r = await client.post(f"/api/v1/forums/{f['id']}/rounds", json={"title": "Priorités", "budget": 2}, headers=bearer)
    assert r.status == 201, await r.text()
    city = await r.json()
    assert len(city["rounds"]) == 3
    await client.get("/j")  # a device cookie first, as a phone gets it
    first = await client.post(f"/api/v1/notes/{ids[0]}/votes", json={})
    assert first.status == 201, await first.text()
    second = await client.post(f"/api/v1/notes/{ids[1]}/votes", json={})
    assert (await second.json())["left"] == 0
    third = await client.post(f"/api/v1/notes/{ids[2]}/votes", json={})
    assert third.status == 409
    assert (await third.json())["error"]["message"] == "Vous avez déjà posé vos 2 gommettes."
    closed = await client.post(f"/api/v1/forums/{f['id']}/rounds/{city['id']}/close", json={}, headers=bearer)
    ranking = (await closed.json())["ranking"]
    assert [(row["text"], row["votes"]) for row in ranking][:2] == [("Idée 0", 1), ("Idée 1", 1)]
    assert ranking[0]["place"] == "Maurepas – Gros-Chêne"


async def test_staff_create_a_forum_from_the_form(server, organizer):
    await add_sites(server.app)
    data = {"title": "Forum d'automne", "sites": ["maurepas", "blosne"], "themes": "Se former\nMes droits, mes aides"}
    r = await form(organizer, "/forums", data, allow_redirects=False)
    assert r.status == 303
    forums = await server.app[DB].read(lambda d: citywide.forums(d))
    assert [b["site"] for b in forums[0]["boards"]] == ["maurepas", "blosne"]
    assert [t["label"] for t in forums[0]["themes"]] == ["Se former", "Mes droits, mes aides"]
    page = await organizer.get(r.headers["Location"])
    assert page.status == 200 and "Le Blosne" in await page.text()


async def test_closing_the_forum_closes_every_board(server, client, bearer):
    await add_sites(server.app)
    f = await make_forum(client, bearer)
    r = await client.post(f"/api/v1/forums/{f['id']}/state", json={"state": "closed"}, headers=bearer)
    assert r.status == 200
    assert {b["state"] for b in (await r.json())["boards"]} == {"closed"}
    assert await server.app[DB].read(lambda d: citywide.forums_running_at(d, "maurepas")) == []


async def test_a_forums_changes_go_on_its_channel(server, client, bearer):
    """The bus: `forum:{id}` hears the vote opening and closing, and the forum closing."""
    await add_sites(server.app)
    f = await make_forum(client, bearer)
    ws = await client.ws_connect(f"/ws?channels=forum:{f['id']}")
    await asyncio.sleep(0.05)
    opened = await (
        await client.post(f"/api/v1/forums/{f['id']}/rounds", json={"title": "Priorités"}, headers=bearer)
    ).json()
    await client.post(f"/api/v1/forums/{f['id']}/rounds/{opened['id']}/close", json={}, headers=bearer)
    await client.post(f"/api/v1/forums/{f['id']}/state", json={"state": "closed"}, headers=bearer)
    seen = []
    while len(seen) < 3:
        seen.append(json.loads((await ws.receive(timeout=2)).data))
    await ws.close()
    assert [m["type"] for m in seen] == ["city_round.opened", "city_round.closed", "forum.updated"]
    assert seen[2]["data"]["state"] == "closed" and "link_salt" not in json.dumps(seen)


async def test_a_second_city_round_while_one_is_open_is_refused(server, client, bearer):
    await add_sites(server.app)
    f = await make_forum(client, bearer)
    body = {"title": "Priorités"}
    assert (await client.post(f"/api/v1/forums/{f['id']}/rounds", json=body, headers=bearer)).status == 201
    again = await client.post(f"/api/v1/forums/{f['id']}/rounds", json=body, headers=bearer)
    assert again.status == 409
    assert (await client.get("/api/v1/forums/999")).status == 404
