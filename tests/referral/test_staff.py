"""Staff keep the directory: type a place (every problem shown beside its field), edit, remove it,
and say which sessions and places serve each need when the defaults get it wrong."""

from __future__ import annotations

import re

from quartier.typedefs import DB
from tests.conftest import form, text_of

from .helpers import import_places, programme

PLACE = {
    "name": "Espace numérique de la Bellangerais",
    "kind": "epn",
    "address": "5 rue du Morbihan",
    "postal_code": "35700",
    "commune": "Rennes",
    "latitude": "48.1330",
    "longitude": "-1.6520",
    "opening_hours": "Mo-Fr 14:00-18:00",
    "access": "Bus C3, arrêt Gast.",
    "languages": "français, portugais",
    "accessibility": ["step-free"],
    "needs": ["email", "debuter"],
}


async def test_staff_type_a_place_and_it_answers_its_needs(organizer, client, app):
    await programme(app)
    r = await form(organizer, "/staff/orientation/resources/new", PLACE, allow_redirects=False)
    assert r.status == 303
    found = (await (await client.get("/api/v1/resources")).json())["resources"]
    assert [(p["name"], p["needs"], p["languages"]) for p in found] == [
        ("Espace numérique de la Bellangerais", ["email", "debuter"], ["français", "portugais"])
    ]
    answer = await (await client.get("/api/v1/orientation?need=email&site=maurepas")).json()
    place = answer["parts"][1]["items"][0]
    assert place["name"] == PLACE["name"] and place["opening"]["state"] == "soon" and place["distance_km"] == 0.6
    # The need ticked off is no longer served (an EPN prints by default: unticked, it does not).
    assert not (await (await client.get("/api/v1/orientation?need=imprimer")).json())["parts"][1]["items"]


async def test_every_problem_is_shown_beside_its_field(organizer, app):
    await programme(app)
    bad = {
        **PLACE,
        "name": "",
        "email": "pas-une-adresse",
        "opening_hours": "le matin",
        "latitude": "200",
        "website": "www.example.org",
        "needs": ["voler"],
    }
    r = await form(organizer, "/staff/orientation/resources/new", bad, headers={"Accept-Language": "en"})
    assert r.status == 422
    html = await r.text()
    for field in ("name", "email", "opening_hours", "latitude", "website", "needs"):
        assert f'id="{field}-error"' in html, field
    text = text_of(html)
    assert "Invalid e-mail address." in text and "OpenStreetMap syntax expected" in text
    assert await app[DB].fetchone("SELECT count(*) AS n FROM referral_resources") == {"n": 0}
    assert 'value="pas-une-adresse"' in html  # what was typed is kept


async def test_staff_edit_and_remove_a_typed_place(organizer, app):
    await programme(app)
    await form(organizer, "/staff/orientation/resources/new", PLACE)
    row = await app[DB].fetchone("SELECT id FROM referral_resources")
    page = await (await organizer.get(f"/staff/orientation/resources/{row['id']}")).text()
    assert 'value="Espace numérique de la Bellangerais"' in page and "readonly" not in page
    r = await form(
        organizer,
        f"/staff/orientation/resources/{row['id']}",
        {**PLACE, "name": "EPN Bellangerais"},
        allow_redirects=False,
    )
    assert r.status == 303
    assert (await app[DB].fetchone("SELECT name FROM referral_resources"))["name"] == "EPN Bellangerais"
    r = await form(organizer, f"/staff/orientation/resources/{row['id']}/delete", {}, allow_redirects=False)
    assert r.status == 303
    assert await app[DB].fetchone("SELECT count(*) AS n FROM referral_resources") == {"n": 0}
    assert (await organizer.get(f"/staff/orientation/resources/{row['id']}")).status == 404


async def test_an_imported_place_shows_the_files_fields_read_only(organizer, app):
    await programme(app)
    await import_places(app)
    row = await app[DB].fetchone("SELECT id FROM referral_resources WHERE origin LIKE 'service:%' ORDER BY id")
    page = await (await organizer.get(f"/staff/orientation/resources/{row['id']}")).text()
    assert "Ce lieu vient d'un fichier data·inclusion (test)" in text_of(page)
    assert 'name="name" type="text" value="Point numérique des étrangers" required readonly' in page
    assert 'name="access"' in page and 'id="f-access" name="access" rows="2" readonly' not in page


async def test_staff_change_which_sessions_and_places_serve_a_need(organizer, client, app):
    ids = await programme(app)
    await import_places(app)
    page = await (await organizer.get("/staff/orientation/needs/titre-de-sejour")).text()
    ticked = {int(v) for v in re.findall(r'name="session" value="(\d+)" checked', page)}
    assert ticked == {ids["droits"], ids["sejour"], ids["early"]}  # the defaults, from the titles
    # Staff: the morning drop-in is not for residence permits; the smartphone workshop is not either;
    # the CAF drop-in is (its agent helps with ANEF); places unchanged.
    places = {int(v) for v in re.findall(r'name="place" value="(\d+)" checked', page)}
    sessions = {ids["droits"], ids["sejour"], ids["caf"]}
    r = await form(
        organizer,
        "/staff/orientation/needs/titre-de-sejour",
        {"session": [str(i) for i in sessions], "place": [str(i) for i in places]},
        allow_redirects=False,
    )
    assert r.status == 303
    rows = await app[DB].fetchall("SELECT session_id, need, served FROM referral_session_needs ORDER BY session_id")
    assert sorted(rows, key=lambda r: r["served"]) == [
        {"session_id": ids["early"], "need": "titre-de-sejour", "served": 0},
        {"session_id": ids["caf"], "need": "titre-de-sejour", "served": 1},
    ]
    answer = await (await client.get("/api/v1/orientation?need=titre-de-sejour")).json()
    titles = [s["title"] for s in answer["parts"][0]["items"]]
    assert titles == ["Permanence accès aux droits", "Permanence titres de séjour", "Permanence démarches CAF"]
    # Its other needs are untouched: the CAF drop-in still serves CAF claims.
    caf = await (await client.get("/api/v1/orientation?need=caf")).json()
    assert "Permanence démarches CAF" in [s["title"] for s in caf["parts"][0]["items"]]
    # Putting the defaults back removes the overrides.
    await form(
        organizer,
        "/staff/orientation/needs/titre-de-sejour",
        {"session": [str(i) for i in (ids["droits"], ids["sejour"], ids["early"])], "place": [str(i) for i in places]},
    )
    assert await app[DB].fetchall("SELECT * FROM referral_session_needs") == []


async def test_the_staff_home_counts_who_serves_each_need(organizer, app):
    await programme(app)
    await import_places(app)
    text = text_of(await (await organizer.get("/staff/orientation")).text())
    assert "Renouveler un titre de séjour 3 2" in text and "Les lieux (5)" in text
    assert "Annuaire d'orientation : lieux, besoins, import" in text_of(await (await organizer.get("/staff")).text())
