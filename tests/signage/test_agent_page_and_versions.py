"""What the server gives the Pi agent and shows of it (issue 27): the screen page the agent serves
offline (one source: the server's template and files), and on the staff page a screen whose agent
is older than the one this server ships, and how its screen is switched off."""

from __future__ import annotations

import re

import displays
from signage import service
from signage.screen import SNAPSHOT_SLOT

from .helpers import add_site, pair


async def test_the_agent_gets_the_screen_page_with_a_slot_and_the_files_it_loads(client, bearer, server):
    await add_site(server.app)
    screen = await pair(client, bearer)
    auth = {"Authorization": f"Bearer {screen['token']}"}
    r = await client.get(f"/api/v1/displays/{screen['id']}/page", headers=auth)
    assert r.status == 200, await r.text()
    page = await r.json()
    assert page["slot"] == SNAPSHOT_SLOT and page["html"].count(SNAPSHOT_SLOT) == 1
    assert 'data-snapshot-url="/snapshot.json"' in page["html"] and 'data-ws-url="/events"' in page["html"]
    assert page["files"] == ["/static/signage/screen.css", "/static/signage/screen.js"]
    for path in page["files"]:  # the agent downloads them from the very paths the page names
        assert re.search(rf'(href|src)="{re.escape(path)}\?v=[0-9a-f]+"', page["html"])
        assert (await client.get(path)).status == 200
    r2 = await client.get(f"/api/v1/displays/{screen['id']}/page", headers={**auth, "If-None-Match": r.headers["ETag"]})
    assert r2.status == 304
    # Another screen's token, or none, opens nothing.
    other = await pair(client, bearer, name="Accueil")
    r = await client.get(f"/api/v1/displays/{screen['id']}/page", headers={"Authorization": f"Bearer {other['token']}"})
    assert r.status in (401, 403)
    assert (await client.get(f"/api/v1/displays/{screen['id']}/page")).status in (401, 403)


def test_the_server_knows_the_agent_version_it_ships():
    assert service.AGENT_VERSION == displays.AGENT_VERSION
    assert service.outdated("0.1.0") and not service.outdated(displays.AGENT_VERSION)
    assert not service.outdated("0.10.0") and not service.outdated(None)


async def test_the_staff_page_flags_an_old_agent_and_says_how_its_screen_is_switched_off(
    client, bearer, server, organizer
):
    await add_site(server.app)
    old = await pair(client, bearer, name="Hall")
    new = await pair(client, bearer, name="Accueil")
    for screen, version, control, ok in ((old, "0.1.0", "none", True), (new, displays.AGENT_VERSION, "cec", False)):
        r = await client.post(
            f"/api/v1/displays/{screen['id']}/heartbeat",
            headers={"Authorization": f"Bearer {screen['token']}"},
            json={"agent": "displays", "agent_version": version, "power_control": control, "power_ok": ok},
        )
        assert r.status == 200, await r.text()
    html = await (await organizer.get("/staff/screens")).text()
    rows = {m[0]: m[1] for m in re.findall(r'data-display="(\d+)">(.*?)</tr>', html, re.S)}
    assert "ancienne version de l'agent : à mettre à jour (0.2.0)" in rows[str(old["id"])]
    assert "ne s&#39;éteint pas (page noire hors horaires)" in rows[str(old["id"])]
    assert "data-outdated" not in rows[str(new["id"])]
    assert "veille par HDMI-CEC" in rows[str(new["id"])] and "ne répond pas" in rows[str(new["id"])]
    r = await client.get("/api/v1/displays", headers=bearer)
    flags = {d["id"]: d["agent_outdated"] for d in (await r.json())["displays"]}
    assert flags == {old["id"]: True, new["id"]: False}


async def test_the_staff_page_says_how_much_memory_a_screen_has_free(client, bearer, server, organizer):
    """The agent reports the memory in use and the total (displays.health): free is what is left."""
    await add_site(server.app)
    screen = await pair(client, bearer)
    r = await client.post(
        f"/api/v1/displays/{screen['id']}/heartbeat",
        headers={"Authorization": f"Bearer {screen['token']}"},
        json={"agent": "displays", "memory": 300 * 1048576, "memory_total": 512 * 1048576},
    )
    assert r.status == 200, await r.text()
    html = await (await organizer.get("/staff/screens")).text()
    assert "mémoire libre 212 Mo" in html and "mémoire libre 300 Mo" not in html
