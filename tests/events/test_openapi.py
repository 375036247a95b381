"""The programme's answers have the shapes its OpenAPI part documents."""

from openapi_schema_validator import OAS30Validator

from .helpers import SITE, add_session, add_site, session_data


def check(doc, name, instance):
    OAS30Validator({**doc["components"]["schemas"][name], "components": doc["components"]}).validate(instance)


async def test_responses_and_inputs_match_the_documented_schemas(client, app, bearer):
    doc = await (await client.get("/api/v1/openapi.json")).json()
    await add_site(app)
    id = await add_session(app)
    r = await client.post(
        f"/api/v1/sessions/{id}/exceptions",
        headers=bearer,
        json={"date": "2025-03-10", "status": "moved", "new_date": "2025-03-11", "room": "Hall"},
    )
    check(doc, "Occurrence", await r.json())
    await client.post(
        f"/api/v1/sessions/{id}/cancellations", headers=bearer, json={"date": "2025-03-17", "reason": "Grève"}
    )
    for site in (await (await client.get("/api/v1/sites")).json())["sites"]:
        check(doc, "Site", site)
    r = await client.get("/api/v1/sessions", params={"from": "2025-03-03", "to": "2025-03-20"})
    occurrences = (await r.json())["occurrences"]
    assert {o["status"] for o in occurrences} == {"scheduled", "moved", "cancelled"}
    for o in occurrences:
        check(doc, "Occurrence", o)
    check(doc, "Session", await (await client.get(f"/api/v1/sessions/{id}")).json())
    check(doc, "SessionInput", session_data(repeat={"every": "monthly", "interval": 2, "count": 4}))
    check(doc, "SiteInput", SITE)
