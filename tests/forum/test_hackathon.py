"""Hackathon mode: challenges (typed or from a note), teams joined from phones, pitches, final vote, results."""

import datetime as dt
import re
import time

from forum import hackathon, queries
from quartier.typedefs import DB
from tests.conftest import form, text_of

from .conftest import make_board


async def test_a_hackathon_runs_end_to_end_from_the_staff_pages(organizer, make_client, server):
    board = await make_board(server.app, "post", site="carrefour-18")
    note = (
        await (
            await organizer.post(
                f"/api/v1/boards/{board['id']}/notes", json={"text": "Comprendre les courriers de la CAF"}
            )
        ).json()
    )["id"]
    response = await form(
        organizer, "/hackathons/staff", {"title": "Hackathon social", "site": "carrefour-18"}, allow_redirects=False
    )
    manage = response.headers["Location"]
    hid = int(re.search(r"/hackathons/(\d+)/staff", manage).group(1))
    await form(
        organizer, f"/hackathons/{hid}/challenges", {"title": "Trouver la bonne permanence", "description": "Où, quand"}
    )
    await form(organizer, f"/hackathons/{hid}/challenges", {"note": str(note)})
    h = await server.app[DB].read(lambda d: hackathon.hackathon(d, hid))
    c1, c2 = h["challenges"]
    assert c2["title"] == "Comprendre les courriers de la CAF" and c2["note_id"] == note
    for name, c in (("Les Déclic", c1), ("Mots simples", c2)):
        assert (
            await form(
                organizer, f"/hackathons/{hid}/teams", {"name": name, "challenge": str(c["id"])}, allow_redirects=False
            )
        ).status == 303
    duplicate = await form(organizer, f"/hackathons/{hid}/teams", {"name": "les déclic"})
    assert duplicate.status in (409, 422)
    h = await server.app[DB].read(lambda d: hackathon.hackathon(d, hid))
    t1, t2 = h["teams"]

    # Residents join from their phones with a first name; a phone is in one team at a time.
    awa = await make_client()
    await awa.get(f"/hackathons/{hid}")
    await form(awa, f"/hackathons/teams/{t1['id']}/join", {"first_name": "Awa"})
    await form(awa, f"/hackathons/teams/{t2['id']}/join", {"first_name": "Awa"})
    tom = await make_client()
    await tom.get(f"/hackathons/{hid}")
    await form(tom, f"/hackathons/teams/{t2['id']}/join", {"first_name": "Tom"})
    h = await server.app[DB].read(lambda d: hackathon.hackathon(d, hid))
    assert [t["members"] for t in h["teams"]] == [[], ["Awa", "Tom"]]

    # Each team has its own progress board with a wall.
    code = t1["board_code"]
    await form(tom, f"/j/{code}", {"text": "Premier prototype papier", "theme": "autre"})
    assert "Premier prototype papier" in await (await tom.get(f"/forum/boards/{t1['board_id']}/wall")).text()
    await form(organizer, f"/hackathons/teams/{t2['id']}/built", {"built": "Un lexique FALC de 30 mots"})

    # Pitches: team 2 first, starting now.
    await form(
        organizer,
        f"/hackathons/{hid}/pitches",
        {"minutes": "5", "now": "1", f"position-{t1['id']}": "2", f"position-{t2['id']}": "1"},
    )
    screen = text_of(await (await awa.get(f"/hackathons/{hid}/pitches")).text())
    assert "Pitch en cours Mots simples" in screen and "Ensuite Les Déclic" in screen
    pitches = await server.app[DB].read(lambda d: queries.current_pitches(d, "carrefour-18", dt.datetime.now(dt.UTC)))
    assert pitches[0]["current"]["name"] == "Mots simples" and pitches[0]["next"]["name"] == "Les Déclic"
    later = await server.app[DB].read(lambda d: queries.current_pitches(d, "carrefour-18", time.time() + 7 * 60))
    assert later[0]["current"]["name"] == "Les Déclic" and later[0]["next"] is None
    assert await server.app[DB].read(lambda d: queries.current_pitches(d, "carrefour-18", time.time() + 3600)) == []

    # Final vote across teams, from the phones, then results.
    await form(organizer, f"/hackathons/{hid}/vote", {"action": "open", "budget": "2"})
    page = await (await awa.get(f"/hackathons/{hid}")).text()
    assert "Le vote final est ouvert" in page
    h = await server.app[DB].read(lambda d: hackathon.hackathon(d, hid))
    for phone, team in ((awa, t2), (tom, t2), (tom, t1)):
        response = await phone.post(f"/api/v1/notes/{team['pitch_note']}/votes", json={})
        assert response.status == 201
    await form(organizer, f"/hackathons/{hid}/vote", {"action": "close"})
    results = text_of(await (await awa.get(f"/hackathons/{hid}/results")).text())
    assert "Mots simples — 2 gommettes" in results and "Les Déclic — 1 gommette" in results
    assert "Un lexique FALC de 30 mots" in results and "Awa, Tom" in results
    assert "Né d'une note du forum : « Comprendre les courriers de la CAF »" in results


async def test_staff_pages_need_staff_and_first_names_are_text(client, server, organizer):
    response = await client.get("/hackathons/staff", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/login")
    hid = await server.app[DB].write(lambda tx: hackathon.create_hackathon_tx(tx, title="H"))
    tid = await server.app[DB].write(lambda tx: hackathon.add_team_tx(tx, hid, name="A", challenge_id=None))
    await client.get(f"/hackathons/{hid}")
    await form(client, f"/hackathons/teams/{tid}/join", {"first_name": "<img src=x onerror=alert(1)>"})
    html = await (await client.get(f"/hackathons/{hid}")).text()
    assert "<img src=x" not in html and "&lt;img src=x" in html
    too_long = await form(client, f"/hackathons/teams/{tid}/join", {"first_name": "x" * 31})
    assert too_long.status == 422
