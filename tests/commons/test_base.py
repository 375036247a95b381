"""The common base, kept working (issue 19, point 2): a site's checklist with states and last checks,
fault reports from a device's QR code (one tap, no account, rate-limited), tickets with their
history, the site page and lobby screen saying what is out of order, and the coverage per site."""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
from zoneinfo import ZoneInfo

from commons import base, base_words
from quartier.typedefs import DB
from tests.conftest import form, text_of
from tests.events.helpers import add_site

PARIS = ZoneInfo("Europe/Paris")


async def _printer(app) -> dict:
    await add_site(app)

    def write(tx):
        site_id = tx.execute("SELECT id FROM sites WHERE slug = 'maurepas'").fetchone()[0]
        base.add_item(tx, site_id, "wifi", "Wi-Fi gratuit")
        return base.add_item(tx, site_id, "scan_print", "Imprimante")

    id = await app[DB].write(write)
    return await app[DB].read(lambda db: next(i for i in base.items(db) if i["id"] == id))


async def test_a_fault_reported_from_its_qr_shows_on_the_site_page_at_once(app, client, make_client, organizer):
    printer = await _printer(app)
    ws = await client.ws_connect("/ws?channels=site:maurepas&since=0")
    page = await client.get(f"/panne/{printer['code']}")
    assert page.status == 200 and "Imprimante" in text_of(await page.text())
    response = await form(client, f"/panne/{printer['code']}", {}, allow_redirects=False)
    assert response.status == 303
    while (message := await asyncio.wait_for(ws.receive_json(), 5))["type"] != "base.changed":
        pass
    assert message["data"]["site"] == "maurepas"
    site = text_of(await (await (await make_client()).get("/sites/maurepas")).text())
    assert "Imprimante en panne depuis aujourd'hui" in site
    english = await (await make_client()).get("/sites/maurepas", headers={"Accept-Language": "en"})
    assert "Imprimante out of order since today" in text_of(await english.text())
    # The ticket and its history, on the staff console.
    console = text_of(await (await organizer.get("/staff/socle/maurepas")).text())
    assert "signalé par QR" in console
    [fault] = await app[DB].read(lambda db: base.faults(db, "maurepas"))
    response = await form(organizer, f"/staff/pannes/{fault['id']}/close", {"note": "cartouche changée"})
    assert response.status == 200
    again = text_of(await (await (await make_client()).get("/sites/maurepas")).text())
    assert "en panne" not in again and "Tous les équipements du lieu fonctionnent" in again
    [closed] = await app[DB].read(lambda db: base.faults(db, "maurepas"))
    assert [(e["kind"], e["note"]) for e in closed["history"]] == [("report", ""), ("closed", "cartouche changée")]


async def test_a_flood_of_reports_from_one_device_gets_429(app, client):
    printer = await _printer(app)
    statuses = [(await form(client, f"/panne/{printer['code']}", {}, allow_redirects=False)).status for _ in range(5)]
    assert statuses[:3] == [303, 303, 303] and statuses[-1] == 429
    unknown = await client.get("/panne/nothing-here")
    assert unknown.status == 404


def test_the_words_say_since_when():
    today = dt.date(2026, 12, 3)  # a Thursday
    tuesday = dt.datetime(2026, 12, 1, 10, tzinfo=PARIS).timestamp()
    item = {"label": "Imprimante", "state": "broken", "since": tuesday}
    assert base_words.say(item, today, PARIS) == "Imprimante en panne depuis mardi"
    long_ago = dt.datetime(2026, 11, 2, 10, tzinfo=PARIS).timestamp()
    assert base_words.say({**item, "since": long_ago, "state": "degraded"}, today, PARIS) == (
        "Imprimante fonctionne mal depuis le 2 novembre 2026"
    )


async def test_days_broken_this_year_count_the_log_of_states(app, server):
    printer = await _printer(app)
    jan = dt.datetime(2026, 1, 10, tzinfo=PARIS).timestamp()
    await app[DB].write(lambda tx: base.report(tx, printer["id"], "", "staff", None, at=jan))
    await app[DB].write(lambda tx: base.set_state(tx, printer["id"], "working", None, at=jan + 3.5 * 86400))
    now = dt.datetime(2026, 6, 1, tzinfo=PARIS).timestamp()
    assert await app[DB].read(lambda db: base.days_broken(db, printer["id"], 2026, now, PARIS)) == 3.5
    coverage = await app[DB].read(lambda db: base_words.coverage(db, 2026, now, PARIS))
    assert coverage == [{"site": "maurepas", "name": "ESC Maurepas", "working": 2, "total": 2, "days_broken": 3.5}]


async def test_the_printed_label_decodes_to_the_fault_form(app, organizer, tmp_path):
    printer = await _printer(app)
    sheet = await (await organizer.get("/staff/socle/maurepas/etiquettes")).text()
    assert f"/panne/{printer['code']}/qr.png" in sheet
    image = tmp_path / "label.png"
    image.write_bytes(await (await organizer.get(f"/panne/{printer['code']}/qr.png")).read())
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True, check=True)
    assert decoded.stdout.strip() == f"http://quartier.test/panne/{printer['code']}"


async def test_the_lobby_screen_says_what_is_out_of_order_on_its_next_snapshot(client, bearer, server):
    from tests.signage.helpers import pair, snapshot

    app = server.app
    printer = await _printer(app)
    screen = await pair(client, bearer)
    before = await (await snapshot(client, screen)).json()
    assert not [a for a in before["announcements"] if a["urgent"]]
    assert "site:maurepas" in before["channels"]
    ws = await client.ws_connect(f"/ws?channels=site:maurepas&since={before['version']}")
    resident = await form(client, f"/panne/{printer['code']}", {"note": "bourrage"}, allow_redirects=False)
    assert resident.status == 303
    while (await asyncio.wait_for(ws.receive_json(), 5))["type"] != "base.changed":
        pass
    after = await (await snapshot(client, screen)).json()
    assert after["version"] > before["version"]
    assert [(a["title"], a["urgent"]) for a in after["announcements"]] == [
        ("Imprimante en panne depuis aujourd'hui", True)
    ]


async def test_the_api_gives_the_base_and_takes_reports(app, server, make_client, bearer):
    printer = await _printer(app)
    resident = await make_client()
    listed = await (await resident.get("/api/v1/sites/maurepas/base")).json()
    assert [(i["label"], i["state"]) for i in listed["items"]] == [
        ("Wi-Fi gratuit", "working"),
        ("Imprimante", "working"),
    ]
    assert listed["out_of_order"] == []
    made = await resident.post("/api/v1/faults", json={"code": printer["code"], "note": "plus d'encre"})
    assert made.status == 201, await made.text()
    said = await (await resident.get("/api/v1/sites/maurepas/base")).json()
    assert [o["text"] for o in said["out_of_order"]] == ["Imprimante en panne depuis aujourd'hui"]
    # Only staff name an item by its id; a flood from one device is refused.
    assert (await resident.post("/api/v1/faults", json={"item": printer["id"]})).status == 403
    statuses = [(await resident.post("/api/v1/faults", json={"code": printer["code"]})).status for _ in range(4)]
    assert 429 in statuses
    staff = await (await resident.get("/api/v1/faults?state=open", headers=bearer)).json()
    [ticket] = staff["faults"]
    assert ticket["label"] == "Imprimante" and ticket["history"][0]["note"] == "plus d'encre"
    assert (await resident.get("/api/v1/sites/nowhere/base")).status == 404
    # Staff check an item: its state and today's date; the ticket stays open until closed.
    checked = await resident.post(
        f"/api/v1/sites/maurepas/base/{printer['id']}", json={"state": "working"}, headers=bearer
    )
    assert checked.status == 200 and (await checked.json())["state"] == "working"
    again = await (await resident.get("/api/v1/sites/maurepas/base")).json()
    assert again["out_of_order"] == [] and again["items"][1]["checked"] == (await checked.json())["checked"]
    assert (await resident.post(f"/api/v1/sites/maurepas/base/{printer['id']}", json={"state": "working"})).status in (
        401,
        403,
    )
    other = await resident.post(f"/api/v1/sites/cleunay/base/{printer['id']}", json={"state": "broken"}, headers=bearer)
    assert other.status == 404
