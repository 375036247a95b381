"""The programme's JSON API: public reads with expanded occurrences, staff writes, bus changes."""

from .helpers import SITE, add_session, add_site, session_data


async def test_sites_list_addresses_hours_and_accessibility(client, app):
    await add_site(app, accessibility=["step-free", "hearing-loop"])
    data = await (await client.get("/api/v1/sites")).json()
    (site,) = data["sites"]
    assert site["slug"] == "maurepas" and site["insee"] == "35238"
    assert site["opening_hours"] == SITE["opening_hours"]
    assert site["accessibility"] == ["step-free", "hearing-loop"]


async def test_sessions_are_expanded_with_filters(client, app):
    await add_site(app)
    await add_site(app, slug="le-blosne", name="ESC Le Blosne")
    await add_session(app)
    await add_session(
        app, site="le-blosne", title="Accès libre", kind="acces-libre", axis="acces-libre", date="2025-03-04"
    )
    r = await client.get("/api/v1/sessions", params={"from": "2025-03-03", "to": "2025-03-16"})
    occ = (await r.json())["occurrences"]
    assert [(o["date"], o["site"]) for o in occ] == [
        ("2025-03-03", "maurepas"),
        ("2025-03-04", "le-blosne"),
        ("2025-03-10", "maurepas"),
        ("2025-03-11", "le-blosne"),
    ]
    assert occ[0]["start"] == "2025-03-03T09:00:00+01:00" and occ[0]["status"] == "scheduled"
    for params, expected in [({"site": "le-blosne"}, 2), ({"axis": "droits"}, 2), ({"kind": "acces-libre"}, 2)]:
        r = await client.get("/api/v1/sessions", params={"from": "2025-03-03", "to": "2025-03-16", **params})
        assert len((await r.json())["occurrences"]) == expected
    r = await client.get("/api/v1/sessions", params={"axis": "nope"})
    assert r.status == 400 and (await r.json())["error"]["code"] == "invalid_axis"
    r = await client.get("/api/v1/sessions", params={"from": "2025-03-03", "to": "2027-03-03"})
    assert r.status == 400


async def test_staff_cancel_an_occurrence_and_the_bus_carries_it(client, app, bearer):
    await add_site(app)
    id = await add_session(app)
    ws = await client.ws_connect("/ws?channels=programme,site:maurepas")
    r = await client.post(
        f"/api/v1/sessions/{id}/cancellations", json={"date": "2025-03-10", "reason": "Grève"}, headers=bearer
    )
    assert r.status == 201, await r.text()
    assert (await r.json())["status"] == "cancelled"
    got = {(m["channel"], m["type"]) for m in [await ws.receive_json(timeout=2), await ws.receive_json(timeout=2)]}
    assert got == {("programme", "occurrence.cancelled"), ("site:maurepas", "occurrence.cancelled")}
    await ws.close()
    r = await client.get("/api/v1/sessions", params={"from": "2025-03-10", "to": "2025-03-10"})
    (o,) = (await r.json())["occurrences"]
    assert (o["status"], o["reason"]) == ("cancelled", "Grève")


async def test_cancellations_need_staff_and_a_real_occurrence(client, app, bearer):
    await add_site(app)
    id = await add_session(app)
    r = await client.post(f"/api/v1/sessions/{id}/cancellations", json={"date": "2025-03-10"})
    assert r.status == 401
    r = await client.post(f"/api/v1/sessions/{id}/cancellations", json={"date": "2025-03-11"}, headers=bearer)
    assert r.status == 422 and (await r.json())["error"]["code"] == "no_occurrence"
    r = await client.post("/api/v1/sessions/999/cancellations", json={"date": "2025-03-11"}, headers=bearer)
    assert r.status == 404


async def test_staff_create_update_and_delete_through_the_api(client, app, bearer):
    r = await client.post("/api/v1/sites", json={**SITE, "opening_hours": "Mo-Fx 25:00"}, headers=bearer)
    assert r.status == 422 and "opening_hours" in (await r.json())["error"]["message"]
    r = await client.post("/api/v1/sites", json=SITE, headers=bearer)
    assert r.status == 201
    r = await client.post("/api/v1/sessions", json=session_data(), headers=bearer)
    assert r.status == 201
    id = (await r.json())["id"]
    r = await client.put(f"/api/v1/sessions/{id}", json=session_data(start="10:00", end="12:00"), headers=bearer)
    assert r.status == 200
    s = await (await client.get(f"/api/v1/sessions/{id}")).json()
    assert (s["start"], s["repeat"]["every"]) == ("10:00", "weekly")
    r = await client.put(f"/api/v1/sessions/{id}", json=session_data(end="08:00"), headers=bearer)
    assert r.status == 422
    assert (await client.delete(f"/api/v1/sessions/{id}", headers=bearer)).status == 204
    assert (await client.get(f"/api/v1/sessions/{id}")).status == 404
    assert (await client.delete("/api/v1/sites/maurepas", headers=bearer)).status == 204
    assert (await (await client.get("/api/v1/sites")).json())["sites"] == []
