"""Pairing a screen by code, its hashed token, revocation and the registry."""

import hashlib

from quartier.typedefs import DB

from .helpers import add_site, pair, snapshot


async def test_a_screen_pairs_by_code_and_gets_its_token_exactly_once(client, bearer, server):
    await add_site(server.app)
    r = await client.post("/api/v1/displays/pair", json={})
    assert r.status == 201
    pairing = await r.json()
    assert len(pairing["code"]) == 6 and pairing["claim"]
    # Until staff claim the code, the screen hears 202.
    r = await client.get(f"/api/v1/displays/pair/{pairing['claim']}")
    assert r.status == 202
    # Staff type the code as they read it (lower case, with a space).
    typed = pairing["code"][:3].lower() + " " + pairing["code"][3:]
    r = await client.post(
        "/api/v1/displays/claim",
        headers=bearer,
        json={"code": typed, "site": "maurepas", "name": "Hall", "orientation": "portrait"},
    )
    assert r.status == 201
    display_id = (await r.json())["id"]
    r = await client.get(f"/api/v1/displays/pair/{pairing['claim']}")
    assert r.status == 200
    given = await r.json()
    assert given["id"] == display_id and given["token"].startswith("qd_")
    assert given["channel"] == f"display:{display_id}"
    # Only once: a second poll (or someone replaying the claim) gets nothing.
    r = await client.get(f"/api/v1/displays/pair/{pairing['claim']}")
    assert r.status == 404
    # The database keeps only the token's hash.
    row = await server.app[DB].fetchone("SELECT * FROM signage_displays WHERE id = ?", (display_id,))
    assert row["token_hash"] == hashlib.sha256(given["token"].encode()).hexdigest()
    assert given["token"] not in str(row)
    assert row["orientation"] == "portrait"
    r = await snapshot(client, given)
    assert r.status == 200


async def test_claiming_needs_an_organizer_and_a_known_code_and_site(client, bearer, server, facilitator):
    await add_site(server.app)
    pairing = await (await client.post("/api/v1/displays/pair", json={})).json()
    r = await client.post("/api/v1/displays/claim", json={"code": pairing["code"], "site": "maurepas", "name": "x"})
    assert r.status == 401
    r = await facilitator.post(
        "/api/v1/displays/claim", json={"code": pairing["code"], "site": "maurepas", "name": "x"}
    )
    assert r.status == 403
    r = await client.post(
        "/api/v1/displays/claim", headers=bearer, json={"code": "ZZZZZZ", "site": "maurepas", "name": "x"}
    )
    assert r.status == 404
    r = await client.post(
        "/api/v1/displays/claim", headers=bearer, json={"code": pairing["code"], "site": "nowhere", "name": "x"}
    )
    assert r.status == 422
    r = await client.post(
        "/api/v1/displays/claim",
        headers=bearer,
        json={"code": pairing["code"], "site": "maurepas", "name": "x", "orientation": "diagonal"},
    )
    assert r.status == 422


async def test_without_a_valid_token_the_snapshot_is_401(client, bearer, server):
    await add_site(server.app)
    screen = await pair(client, bearer)
    url = f"/api/v1/displays/{screen['id']}/snapshot"
    assert (await client.get(url)).status == 401
    assert (await client.get(url, headers={"Authorization": "Bearer qd_nope"})).status == 401
    r = await client.get(url, headers={"Authorization": f"Bearer {screen['token']}"})
    assert r.status == 200


async def test_a_token_reaches_only_its_own_screen(client, bearer, server):
    await add_site(server.app)
    first = await pair(client, bearer, name="Hall")
    second = await pair(client, bearer, name="Étage")
    headers = {"Authorization": f"Bearer {first['token']}"}
    assert (await client.get(f"/api/v1/displays/{second['id']}/snapshot", headers=headers)).status == 401
    assert (await client.post(f"/api/v1/displays/{second['id']}/heartbeat", headers=headers, json={})).status == 401
    # Nor another screen's channel on the bus.
    r = await client.get(f"/ws?channels=display:{second['id']}&token={first['token']}")
    assert r.status == 403
    async with client.ws_connect(f"/ws?channels=display:{first['id']}&token={first['token']}") as ws:
        assert not ws.closed
    # And a display token is no staff token.
    assert (await client.get("/api/v1/displays", headers=headers)).status == 401


async def test_a_revoked_token_gets_401_until_the_screen_is_paired_again(client, bearer, server):
    await add_site(server.app)
    screen = await pair(client, bearer)
    r = await client.post(f"/api/v1/displays/{screen['id']}/revoke", headers=bearer)
    assert r.status == 200
    assert (await snapshot(client, screen)).status == 401
    # Re-pairing: a new code claimed for the same screen gives a new token to the new device.
    pairing = await (await client.post("/api/v1/displays/pair", json={})).json()
    r = await client.post(
        "/api/v1/displays/claim",
        headers=bearer,
        json={"code": pairing["code"], "site": "maurepas", "name": "Hall", "display": screen["id"]},
    )
    assert (await r.json())["id"] == screen["id"]
    again = await (await client.get(f"/api/v1/displays/pair/{pairing['claim']}")).json()
    assert again["id"] == screen["id"] and again["token"] != screen["token"]
    assert (await snapshot(client, again)).status == 200
    assert (await snapshot(client, screen)).status == 401


async def test_staff_rename_and_move_a_screen_and_it_hears_of_it(client, bearer, server):
    await add_site(server.app)
    await add_site(server.app, slug="cleunay", name="ESC Cleunay")
    screen = await pair(client, bearer)
    before = (await (await snapshot(client, screen)).json())["version"]
    async with client.ws_connect(f"/ws?channels=display:{screen['id']}&token={screen['token']}") as ws:
        r = await client.patch(
            f"/api/v1/displays/{screen['id']}", headers=bearer, json={"name": "Accueil", "site": "cleunay"}
        )
        assert r.status == 200
        message = await ws.receive_json(timeout=2)
        assert message["channel"] == f"display:{screen['id']}"
    snap = await (await snapshot(client, screen)).json()
    assert snap["display"]["name"] == "Accueil" and snap["site"]["slug"] == "cleunay"
    assert snap["version"] > before


async def test_heartbeat_feeds_the_monitoring(client, bearer, server):
    await add_site(server.app, opening_hours="24/7")
    screen = await pair(client, bearer)
    snap = await (await snapshot(client, screen)).json()
    r = await client.post(
        f"/api/v1/displays/{screen['id']}/heartbeat",
        headers={"Authorization": f"Bearer {screen['token']}"},
        json={
            "agent": "quartier-display",
            "agent_version": "0.1",
            "uptime": 3600,
            "load": [0.1, 0.2, 0.3],
            "memory": 200e6,
            "temperature": 51.5,
            "disk": 4e9,
            "snapshot_version": snap["version"],
            "browser_alive": True,
            "extra": "ignored",
        },
    )
    assert r.status == 200 and (await r.json())["version"] == snap["version"]
    listing = (await (await client.get("/api/v1/displays", headers=bearer)).json())["displays"]
    d = listing[0]
    assert d["health"]["temperature"] == 51.5 and d["health"]["browser_alive"] is True and "extra" not in d["health"]
    assert d["shown_version"] == snap["version"] and d["up_to_date"] and not d["flagged"]
    # Unseen for 3 minutes while the site is open: flagged.
    await server.app[DB].write(lambda tx: tx.execute("UPDATE signage_displays SET last_seen = last_seen - 180"))
    d = (await (await client.get("/api/v1/displays", headers=bearer)).json())["displays"][0]
    assert d["should_be_on"] and d["flagged"]
