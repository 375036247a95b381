"""Issue 20, point 6: /api/v1/needs, /api/v1/resources, /api/v1/orientation, as documented.

Every answer is checked against its schema in the OpenAPI document (refusals included), and the
orientation answer says what the page shows, in the same order.
"""

from __future__ import annotations

from openapi_schema_validator import OAS30Validator

from events import thematiques
from tests.conftest import text_of

from .helpers import import_places, programme


async def check(client, url: str, status: int) -> dict:
    """GET url, expect status, and validate the body against the documented response."""
    response = await client.get(url)
    assert response.status == status, (url, await response.text())
    body = await response.json()
    doc = await (await client.get("/api/v1/openapi.json")).json()
    path = url.split("?")[0]
    if path.startswith("/api/v1/resources/"):
        path = "/api/v1/resources/{id}"
    documented = doc["paths"][path]["get"]["responses"][str(status)]
    if "$ref" in documented:
        documented = doc["components"]["responses"][documented["$ref"].rsplit("/", 1)[1]]
    schema = documented["content"]["application/json"]["schema"]
    OAS30Validator({**schema, "components": doc["components"]}).validate(body)
    return body


async def test_the_needs_with_their_thematiques_and_what_to_bring(client, app):
    body = await check(client, "/api/v1/needs", 200)
    ids = [n["id"] for n in body["needs"]]
    assert ids[:2] == ["caf", "titre-de-sejour"] and len(ids) == len(set(ids)) == 14
    sejour = body["needs"][1]
    assert sejour["axis"] == "droits" and thematiques.CITIZENSHIP in sejour["thematiques"]
    assert "Votre passeport" in sejour["documents"]
    assert sejour["url"] == "http://quartier.test/orientation?need=titre-de-sejour"
    assert sejour["calendar"] == "http://quartier.test/orientation/needs/titre-de-sejour/calendar.ics"


async def test_the_needs_a_thematique_describes_the_open_datas_way_in(client, app):
    equipment = await check(client, f"/api/v1/needs?thematique={thematiques.EQUIPMENT}", 200)
    assert [n["id"] for n in equipment["needs"]] == ["ordinateur"]
    both = await check(
        client, f"/api/v1/needs?thematique={thematiques.EQUIPMENT}&thematique={thematiques.CITIZENSHIP}", 200
    )
    assert [n["id"] for n in both["needs"]] == ["titre-de-sejour", "ordinateur"]
    # An official thématique no need uses is no error; a made-up one is refused by name.
    assert (await check(client, "/api/v1/needs?thematique=sante--acces-aux-soins", 200))["needs"] == []
    refused = await check(client, "/api/v1/needs?thematique=numerique--nope", 400)
    assert "numerique--nope" in refused["error"]["message"]


async def test_resources_filtered_by_need_and_kind(client, app):
    await programme(app)
    await import_places(app)
    every = (await check(client, "/api/v1/resources", 200))["resources"]
    assert len(every) == 5 and [r["name"] for r in every] == sorted((r["name"] for r in every), key=str.lower)
    sejour = (await check(client, "/api/v1/resources?need=titre-de-sejour", 200))["resources"]
    assert {r["name"] for r in sejour} == {"Point numérique des étrangers", "Aide aux démarches"}
    libraries = (await check(client, "/api/v1/resources?kind=library", 200))["resources"]
    assert {r["name"] for r in libraries} == {"Bibliothèque du Gros-Chêne", "Médiathèque de Cleunay"}
    one = await check(client, f"/api/v1/resources/{libraries[0]['id']}", 200)
    assert one["origin"].startswith("structure:test--") and one["needs"] == ["debuter", "imprimer", "acces-libre"]
    await check(client, "/api/v1/resources/999", 404)
    await check(client, "/api/v1/resources?need=nope", 404)
    await check(client, "/api/v1/resources?kind=nope", 400)


async def test_the_orientation_answer_is_what_the_page_shows(client, app):
    await programme(app)
    await import_places(app)
    body = await check(client, "/api/v1/orientation?need=titre-de-sejour&site=maurepas", 200)
    assert body["url"] == "http://quartier.test/orientation?need=titre-de-sejour&site=maurepas"
    text = text_of(await (await client.get("/orientation?need=titre-de-sejour&site=maurepas")).text())
    names = [i.get("title") or i["name"] for p in body["parts"] for i in p["items"]]
    positions = [text.index(n) for n in names]
    assert positions == sorted(positions) and len(names) == 4
    assert "fallback" not in body and body["empty"] is False
    empty = await check(client, "/api/v1/orientation?need=ordinateur&site=le-blosne", 200)
    assert empty["parts"][1]["items"][0]["name"] == "Ordinateurs reconditionnés"
    await check(client, "/api/v1/orientation?need=nope", 404)
    await check(client, "/api/v1/orientation", 400)
    await check(client, "/api/v1/orientation?need=caf&site=nowhere", 404)
