"""Issue 17, point 6: an API for everything a page shows, on the demo's data.

Hackathons (public), published minutes (public), the decision log and the annual report (staff),
the dashboard (staff, or public by setting): each JSON answer holds what its page shows, and each
answer is checked against the OpenAPI document.
"""

from __future__ import annotations

import datetime as dt

from openapi_schema_validator import OAS30Validator

from ..conftest import text_of
from ..hostile import server  # noqa: F401  (the demo-filled server)


async def document(client) -> dict:
    return await (await client.get("/api/v1/openapi.json")).json()


def check(doc: dict, path: str, status: int, body: dict) -> None:
    """The answer matches the documented schema of that path and status."""
    schema = doc["paths"][path]["get"]["responses"][str(status)]
    schema = schema.get("content", {}).get("application/json", {}).get("schema")
    if "$ref" in doc["paths"][path]["get"]["responses"][str(status)]:
        schema = {"$ref": "#/components/schemas/Error"}
    OAS30Validator({**schema, "components": doc["components"]}).validate(body)


async def test_hackathons_as_their_pages_show_them(client):
    doc = await document(client)
    r = await client.get("/api/v1/hackathons")
    assert r.status == 200
    listing = await r.json()
    check(doc, "/api/v1/hackathons", 200, listing)
    [h] = listing["hackathons"]
    r = await client.get(f"/api/v1/hackathons/{h['id']}")
    detail = await r.json()
    check(doc, "/api/v1/hackathons/{id}", 200, detail)
    assert len(detail["challenges"]) == 3 and len(detail["teams"]) == 3
    assert all(t["members"] and t["built"] for t in detail["teams"])
    assert detail["final_vote"]["state"] == "closed" and detail["final_vote"]["dots"] > 0
    votes = [t["votes"] for t in detail["teams"]]
    assert votes == sorted(votes, reverse=True)
    # The same teams and challenges as the public results page.
    page = text_of(await (await client.get(f"/hackathons/{h['id']}/results")).text())
    assert all(t["name"] in page for t in detail["teams"]) and all(c["title"] in page for c in detail["challenges"])
    assert (await client.get("/api/v1/hackathons/99999")).status == 404
    assert (await client.get("/api/v1/hackathons?site=nowhere")).status == 200


async def test_published_minutes_for_everyone(client):
    doc = await document(client)
    listing = await (await client.get("/api/v1/minutes")).json()
    check(doc, "/api/v1/minutes", 200, listing)
    assert listing["minutes"]
    first = listing["minutes"][0]
    r = await client.get(f"/api/v1/minutes?board={first['board']}")
    one = await r.json()
    check(doc, "/api/v1/minutes", 200, one)
    assert one["markdown"].strip() and one["versions"][-1]["version"] == first["version"]
    md = await (await client.get(first["markdown_url"].removeprefix("http://quartier.test"))).text()
    assert md.strip() == one["markdown"].strip()
    assert (await client.get("/api/v1/minutes?board=abc")).status == 400
    assert (await client.get("/api/v1/minutes?board=99999")).status == 404


async def test_staff_get_decisions_dashboard_and_report(client, bearer):
    doc = await document(client)
    for path in ("/api/v1/decisions", "/api/v1/report", "/api/v1/dashboard"):
        r = await client.get(path)
        assert r.status == 401, path
        check(doc, path, 401, await r.json())
    decisions = await (await client.get("/api/v1/decisions", headers=bearer)).json()
    check(doc, "/api/v1/decisions", 200, decisions)
    assert {d["kind"] for d in decisions["decisions"]} == {"decision", "action"}
    year = (dt.date.today() - dt.timedelta(days=14)).year  # the demo holds the weeks before today
    report = await (await client.get(f"/api/v1/report?year={year}", headers=bearer)).json()
    check(doc, "/api/v1/report", 200, report)
    assert report["year"] == year and report["sessions"]["held"] > 0
    assert (await client.get("/api/v1/report?year=20x6", headers=bearer)).status == 422
    dash = await (await client.get("/api/v1/dashboard", headers=bearer)).json()
    check(doc, "/api/v1/dashboard", 200, dash)
    assert len(dash["weeks"]) == 9 and dash["weeks"][4]["total"] > 0
    # The page's CSV gives the same hours per week.
    csv_text = await (await client.get("/dashboard.csv", headers=bearer)).text()
    monday = dash["weeks"][4]["monday"]
    in_csv = sum(float(line.split(",")[-1]) for line in csv_text.splitlines()[1:] if f",{monday}," in line)
    assert round(in_csv, 2) == round(dash["weeks"][4]["total"], 2)
    assert (await client.get("/api/v1/dashboard?from=2026-W40&to=2026-W30", headers=bearer)).status == 400
