"""Issue 20, point 3: the answer to "this person needs X: where can they go this week?".

The clock is fixed (a Wednesday at 10:00): this week's drop-ins that serve the need come first,
in time order, then third-party places, open now or soon first and nearest first; an answer with
nothing says so and offers the nearest library; an unknown need is a 404 listing the needs.
"""

from __future__ import annotations

import datetime as dt

from quartier.typedefs import CLOCK, DB
from tests.conftest import text_of
from tests.events.helpers import add_session

from .helpers import NOW, import_places, programme, structure


async def answer(client, need: str, site: str | None = None) -> dict:
    query = f"need={need}" + (f"&site={site}" if site else "")
    response = await client.get(f"/api/v1/orientation?{query}")
    assert response.status == 200, await response.text()
    return await response.json()


async def test_this_weeks_drop_ins_come_before_third_party_places(client, app):
    await programme(app)
    await import_places(app)
    found = await answer(client, "titre-de-sejour", "maurepas")
    assert [p["key"] for p in found["parts"]] == ["sessions", "places"]
    sessions, places = (p["items"] for p in found["parts"])
    # Today's 14:00 at Le Blosne, then tomorrow's at Maurepas; this morning's (over) and the CAF one are not there.
    assert [(s["title"], s["start"][:16]) for s in sessions] == [
        ("Permanence accès aux droits", "2026-03-25T14:00"),
        ("Permanence titres de séjour", "2026-03-26T09:00"),
    ]
    assert sessions[1]["here"] and not sessions[0]["here"] and sessions[0]["distance_km"] == 4.6
    # Open now (the prefecture, 09:00-12:00) before those that open soon (France Services, tomorrow).
    assert [(p["name"], p["opening"]["state"]) for p in places] == [
        ("Point numérique des étrangers", "open"),
        ("Aide aux démarches", "soon"),
    ]
    assert places[0]["opening"]["until"].startswith("2026-03-25T12:00")
    assert places[1]["opening"]["next"].startswith("2026-03-26T09:00")


async def test_the_page_shows_the_same_order_and_works_without_javascript(client, app):
    await programme(app)
    await import_places(app)
    html = await (await client.get("/orientation?need=titre-de-sejour&site=maurepas")).text()
    text = text_of(html)
    order = [
        text.index(t)
        for t in (
            "Cette semaine au programme",
            "Permanence accès aux droits",
            "Permanence titres de séjour",
            "Autres lieux",
            "Point numérique des étrangers",
            "Aide aux démarches",
            "Ce qu'il faut apporter",
            "Votre passeport",
        )
    ]
    assert order == sorted(order)
    assert "Permanence démarches CAF" not in text and "du matin" not in text
    assert "Ouvert maintenant" in text and "Ouvre demain à 09:00" in text and "à 4.6 km" in text
    # No script is needed: the site and the search are GET forms, printing is a POST form
    # (the only script is the optional read-aloud of issue 24, after the page's content).
    assert "<script" not in html.split("</footer>")[0]
    assert 'method="get"' in html and html.count('action="/orientation/slips"') == 4


async def test_places_nearest_first_within_the_same_opening(client, app):
    await programme(app)
    await import_places(app)
    found = await answer(client, "imprimer", "maurepas")
    places = found["parts"][1]["items"]
    # Both libraries print (a library's kind serves the need); France Services too. It is 10:00 on a
    # Wednesday: Cleunay is open now, Gros-Chêne opens at 14:00, France Services tomorrow.
    assert [(p["name"], p["opening"]["state"]) for p in places] == [
        ("Médiathèque de Cleunay", "open"),
        ("Bibliothèque du Gros-Chêne", "soon"),
        ("Aide aux démarches", "soon"),  # France Services' service: its structure's kind
    ]
    app[CLOCK].fixed = NOW.replace(hour=15)  # now both libraries are open: the nearer one first
    places = (await answer(client, "imprimer", "maurepas"))["parts"][1]["items"]
    assert [p["name"] for p in places[:2]] == ["Bibliothèque du Gros-Chêne", "Médiathèque de Cleunay"]
    assert places[0]["distance_km"] < places[1]["distance_km"]


async def test_a_cancelled_occurrence_is_not_offered(client, app, bearer):
    ids = await programme(app)
    r = await client.post(
        f"/api/v1/sessions/{ids['droits']}/cancellations",
        json={"date": "2026-03-25", "reason": "Grève"},
        headers=bearer,
    )
    assert r.status == 201, await r.text()
    titles = [s["title"] for s in (await answer(client, "titre-de-sejour"))["parts"][0]["items"]]
    assert titles == ["Permanence titres de séjour"]


async def test_no_answer_says_so_and_offers_the_nearest_library(client, app):
    await programme(app)
    await import_places(app, services=[])  # libraries only, no service for a computer
    found = await answer(client, "ordinateur", "maurepas")
    assert found["empty"] and all(not p["items"] for p in found["parts"])
    assert found["fallback"]["name"] == "Bibliothèque du Gros-Chêne"
    text = text_of(await (await client.get("/orientation?need=ordinateur&site=maurepas")).text())
    assert "Nous n'avons pas trouvé de lieu pour ce besoin cette semaine" in text
    assert "La bibliothèque la plus proche peut souvent aider" in text and "Bibliothèque du Gros-Chêne" in text
    # From Cleunay's side of town (no site: the first by name), the answer still names a library.
    assert (await answer(client, "ordinateur"))["fallback"]["kind"] == "library"


async def test_without_any_library_the_answer_sends_to_a_reception(client, app):
    await programme(app)
    text = text_of(await (await client.get("/orientation?need=ordinateur")).text())
    assert "Demandez à l'accueil d'un espace social" in text


async def test_an_unknown_need_is_a_404_with_the_list_of_needs(client, app):
    await programme(app)
    r = await client.get("/api/v1/orientation?need=voler-un-velo")
    assert r.status == 404
    body = await r.json()
    assert body["error"]["code"] == "unknown_need" and "titre-de-sejour" in body["error"]["message"]
    assert "titre-de-sejour" in {n["id"] for n in body["needs"]}
    r = await client.get("/orientation?need=voler-un-velo")
    assert r.status == 404
    text = text_of(await r.text())
    assert "Ce besoin n'existe pas : « voler-un-velo »" in text and "Renouveler un titre de séjour" in text
    r = await client.get("/api/v1/orientation")
    assert r.status == 400 and len((await r.json())["needs"]) > 10
    r = await client.get("/orientation?need=caf&site=nulle-part")
    assert r.status == 404 and "Ce lieu n'existe pas" in text_of(await r.text())


async def test_the_search_box_finds_needs_in_residents_words(client, app):
    await programme(app)
    for query, first in (
        ("titre de séjour", "Renouveler un titre de séjour"),
        ("APL", "Faire une demande à la CAF"),
        ("imprimante", "Imprimer ou scanner"),
        ("wifi", "Utiliser un ordinateur ou le Wi-Fi"),
    ):
        html = await (await client.get("/orientation", params={"q": query})).text()
        results = text_of(html.split('id="results-title"')[1].split('id="all-needs"')[0])
        assert results.split(" » ", 1)[1].strip().startswith(first), (query, results[:120])
    html = await (await client.get("/orientation", params={"q": "zzzz"})).text()
    assert "Aucun besoin ne correspond" in text_of(html)


async def test_the_answer_in_english(client, app):
    await programme(app)
    r = await client.get("/orientation?need=titre-de-sejour", headers={"Accept-Language": "en"})
    text = text_of(await r.text())
    assert "Renew a residence permit" in text and "This week in the programme" in text and "What to bring" in text
    assert "Wednesday 25 March, 14:00–17:00" in text  # a month keeps its capital letter
    french = text_of(await (await client.get("/orientation?need=titre-de-sejour")).text())
    assert "Mercredi 25 mars, 14:00–17:00" in french
    found = await (await client.get("/api/v1/needs", headers={"Accept-Language": "en"})).json()
    sejour = next(n for n in found["needs"] if n["id"] == "titre-de-sejour")
    assert sejour["label"] == "Renew a residence permit" and sejour["label_fr"] == "Renouveler un titre de séjour"


async def test_a_one_off_session_in_the_week_and_none_beyond(client, app):
    await programme(app)
    await add_session(app, site="maurepas", title="Journée accès aux droits", date="2026-03-31", repeat=None)
    await add_session(app, site="maurepas", title="Forum accès aux droits", date="2026-04-02", repeat=None)
    titles = [s["title"] for s in (await answer(client, "titre-de-sejour"))["parts"][0]["items"]]
    # Six days ahead (Tuesday 31st) is in, the Thursday after is not.
    assert "Journée accès aux droits" in titles and "Forum accès aux droits" not in titles


async def test_a_staff_typed_place_without_hours_comes_after_those_with_hours(client, app, organizer):
    await programme(app)
    await import_places(
        app, structures=[structure("x", "Bibliothèque X", horaires_accueil="Mo-Su 00:00-24:00")], services=[]
    )
    from referral import store
    from referral.model import clean_resource

    r = clean_resource({"name": "Accueil sans horaires", "kind": "library"})
    await app[DB].write(lambda tx: store.save_resource(tx, r))
    names = [p["name"] for p in (await answer(client, "imprimer"))["parts"][1]["items"]]
    assert names == ["Bibliothèque X", "Accueil sans horaires"]
    assert dt.datetime.fromisoformat((await answer(client, "imprimer"))["at"]) == NOW
