"""Issue 17: the open data passes the official validators and says everything it holds.

- data·inclusion: `services.json` and `structures.json` pass `data_inclusion.schema.v1` (warnings
  as errors), and every service's structure_id resolves;
- schema.org: every event and sub-event of `events.jsonld` and of the session page carries the
  fields structured-data events require and recommend, self-contained;
- sessions.csv, sites.geojson, datapackage.json (validated by frictionless with its data), the
  sitemap, robots.txt, the open-data page linked from every footer, `itinerance` from the site.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

from data_inclusion.schema.v1 import Service, Structure
from frictionless import Package, system

from events.feature import demo as events_demo
from quartier.demo import DemoContext
from quartier.typedefs import DB, SETTINGS
from tests.commons.helpers import add_partner

from .helpers import add_session, add_site

TODAY = dt.date(2026, 3, 25)
BCP47 = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


async def demo_programme(app) -> None:
    settings = app[SETTINGS]
    now = dt.datetime.combine(TODAY, dt.time(10), settings.tz)
    await events_demo(DemoContext(db=app[DB], settings=settings, today=TODAY, now=now))


async def test_services_and_structures_pass_data_inclusion_v1(client, app):
    await demo_programme(app)
    await add_site(app, slug="bus", name="Bus numérique", mobile=True, siret="")
    await add_session(app, site="bus", title="Permanence itinérante", audience=["tous publics", "seniors"])
    services = await (await client.get("/open-data/services.json")).json()
    structures = await (await client.get("/open-data/structures.json")).json()
    assert len(services) > 10 and len(structures) == 10
    for record in services:
        Service.model_validate(record, context={"ignore_warnings": False})
    for record in structures:
        Structure.model_validate(record, context={"ignore_warnings": False})
    ids = {s["id"] for s in structures}
    assert len(ids) == len(structures) and {s["structure_id"] for s in services} <= ids
    # Open to all with an emphasis: `tous-publics` alone, the emphasis in the precisions.
    bus = next(s for s in services if s["nom"] == "Permanence itinérante")
    assert bus["publics"] == ["tous-publics"] and "seniors" in bus["publics_precisions"]
    droits = next(s for s in services if s["id"] == "quartier--blosne-caf")
    assert "numerique--acceder-a-des-services-en-ligne" in droits["thematiques"]
    caf = next(s for s in structures if s["id"] == "quartier--le-blosne")
    assert caf["siret"] == "21350238800019" and caf["code_insee"] == "35238" and caf["latitude"]


def check_event(ev: dict, where: str) -> None:
    """Google's structured-data Event: required, then recommended fields, all inside the event."""
    for field in ("name", "startDate", "location"):
        assert ev.get(field), f"{where}: no {field}"
    place = ev["location"]
    assert place["@type"] == "Place" and place["name"], where
    address = place["address"]
    for field in ("streetAddress", "addressLocality", "postalCode", "addressCountry"):
        assert address.get(field), f"{where}: address without {field}"
    for field in ("description", "endDate", "eventAttendanceMode", "eventStatus", "image", "offers", "organizer"):
        assert ev.get(field), f"{where}: no {field}"
    assert dt.datetime.fromisoformat(ev["endDate"]) > dt.datetime.fromisoformat(ev["startDate"]), where
    assert ev["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert all(url.startswith("http://quartier.test/") for url in ev["image"]), where
    offer = ev["offers"]
    for field in ("price", "priceCurrency", "availability", "url", "validFrom"):
        assert field in offer, f"{where}: offer without {field}"
    assert offer["price"] == 0 and offer["priceCurrency"] == "EUR"
    assert ev["organizer"]["name"] and ev["organizer"]["url"].startswith("http"), where
    assert ev["inLanguage"] and all(BCP47.match(tag) for tag in ev["inLanguage"]), (where, ev["inLanguage"])
    if ev["eventStatus"].endswith("EventRescheduled"):
        assert ev["previousStartDate"], where


def bare_references(node) -> list:
    """Objects that only point to an @id: a reader would find no name or address behind them."""
    if isinstance(node, dict):
        found = [node] if set(node) == {"@id"} else []
        return found + [r for v in node.values() for r in bare_references(v)]
    if isinstance(node, list):
        return [r for v in node for r in bare_references(v)]
    return []


async def test_every_event_is_complete_and_self_contained(client, app, bearer):
    await demo_programme(app)
    await add_site(app, slug="cleunay-test", name="ESC Test", siret="21350238800019")
    await add_partner(app, "caf-35-test", "CAF 35")
    id = await add_session(
        app, site="cleunay-test", date="2026-03-02", languages=["français", "arabe", "turc"], partner="CAF 35"
    )
    # Sub-events are the exceptions of the last month and after: a Monday to come.
    today = dt.datetime.now(app[SETTINGS].tz).date()
    monday = today + dt.timedelta(days=7 - today.weekday())
    moved = {"date": monday.isoformat(), "status": "moved", "start": "14:00", "end": "16:00"}
    assert (await client.post(f"/api/v1/sessions/{id}/exceptions", json=moved, headers=bearer)).status == 201
    doc = await (await client.get("/open-data/events.jsonld")).json()
    assert not bare_references(doc)
    checked = 0
    for ev in doc["@graph"]:
        check_event(ev, ev["url"])
        checked += 1
        for sub in ev.get("subEvent", []):
            check_event(sub, sub["url"])
            checked += 1
    assert checked > 20
    ours = next(e for e in doc["@graph"] if e["@id"] == f"http://quartier.test/sessions/{id}")
    assert ours["inLanguage"] == ["fr", "ar", "tr"] and ours["performer"]["name"] == "CAF 35"
    [sub] = ours["subEvent"]
    assert sub["eventStatus"] == "https://schema.org/EventRescheduled"
    assert sub["location"]["address"]["streetAddress"] == "rue Guy Ropartz"
    html = await (await client.get(f"/sessions/{id}?date={monday.isoformat()}")).text()
    page_ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1])
    check_event(page_ld, "session page")
    assert page_ld["startDate"].startswith(f"{monday.isoformat()}T14:00:00+0")
    # The image is served, from this site.
    image = await client.get(ours["image"][0].removeprefix("http://quartier.test"))
    assert image.status == 200 and image.content_type == "image/svg+xml"


async def test_sessions_csv_covers_a_date_range(client, app, bearer):
    await add_site(app)
    id = await add_session(app, date="2026-03-02", title="=HYPERLINK()", repeat={"every": "weekly"})
    await client.post(
        f"/api/v1/sessions/{id}/cancellations", json={"date": "2026-03-09", "reason": "Grève"}, headers=bearer
    )
    r = await client.get("/open-data/sessions.csv?from=2026-03-01&to=2026-03-31")
    assert r.status == 200 and r.content_type == "text/csv" and r.headers["Access-Control-Allow-Origin"] == "*"
    rows = list(csv.DictReader(io.StringIO(await r.text())))
    assert [row["date"] for row in rows] == ["2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23", "2026-03-30"]
    assert rows[1]["status"] == "cancelled" and rows[1]["reason"] == "Grève"
    assert rows[0]["start"] == "2026-03-02T09:00:00+01:00" and rows[4]["start"] == "2026-03-30T09:00:00+02:00"
    assert rows[0]["title"] == "'=HYPERLINK()"  # a spreadsheet shows it, never runs it
    assert rows[0]["url"] == f"http://quartier.test/sessions/{id}?date=2026-03-02"
    assert (await client.get("/open-data/sessions.csv?from=2026-03-31&to=2026-03-01")).status == 400
    assert (await client.get("/open-data/sessions.csv?from=demain")).status == 400


async def test_sites_geojson_and_itinerance(client, app, tmp_path):
    await add_site(app, latitude=48.1283, longitude=-1.6555, siret="21350238800019")
    await add_site(app, slug="bus", name="Bus numérique", mobile=True, siret="21350238800019")
    doc = await (await client.get("/open-data/sites.geojson")).json()
    assert doc["type"] == "FeatureCollection"
    by_id = {f["id"]: f for f in doc["features"]}
    assert by_id["maurepas"]["geometry"] == {"type": "Point", "coordinates": [-1.6555, 48.1283]}
    assert by_id["bus"]["geometry"] is None and by_id["bus"]["properties"]["itinerance"] == "Itinérant"
    places = list(
        csv.DictReader(io.StringIO(await (await client.get("/open-data/lieux-mediation-numerique.csv")).text()))
    )
    assert {p["id"]: p["itinerance"] for p in places} == {"maurepas": "Fixe", "bus": "Itinérant"}
    # The flag goes through the staff form's checkbox, the API and the YAML file too.
    exported = await (await client.get("/api/v1/sites/bus")).json()
    assert exported["mobile"] is True


async def test_datapackage_describes_every_file_and_frictionless_validates_it(client, app, tmp_path):
    await demo_programme(app)
    descriptor = await (await client.get("/open-data/datapackage.json")).json()
    names = {r["path"] for r in descriptor["resources"]}
    assert names == {
        "lieux-mediation-numerique.csv",
        "structures.json",
        "services.json",
        "events.jsonld",
        "sessions.csv",
        "sites.geojson",
    }
    for resource in descriptor["resources"]:
        r = await client.get(f"/open-data/{resource['path']}")
        assert r.status == 200 and r.content_type == resource["mediatype"], resource["path"]
        (tmp_path / resource["path"]).write_bytes(await r.read())
    # The places' resource names the standard's published schema; validate against our copy of it.
    [places] = [r for r in descriptor["resources"] if r["path"] == "lieux-mediation-numerique.csv"]
    assert places["schema"].endswith("/standard-mediation-num/v1.0.2/schema.json")
    places["schema"] = str(Path(__file__).parent.parent / "data" / "mediation-num" / "schema.json")
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    with system.use_context(trusted=True):
        report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["resourcePath", "rowNumber", "fieldName", "type", "note"])
    page = await (await client.get("/open-data")).text()
    for name in names | {"datapackage.json", "sitemap.xml", "robots.txt", "calendar.ics"}:
        assert name in page, name


async def test_sitemap_robots_and_the_footer_link(client, app):
    await add_site(app)
    id = await add_session(app)
    r = await client.get("/sitemap.xml")
    assert r.status == 200 and r.content_type == "application/xml"
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {e.text for e in ET.fromstring(await r.text()).findall("s:url/s:loc", ns)}
    assert {
        "http://quartier.test/",
        "http://quartier.test/sites/maurepas",
        f"http://quartier.test/sessions/{id}",
    } <= locs
    robots = await (await client.get("/robots.txt")).text()
    assert "Sitemap: http://quartier.test/sitemap.xml" in robots and "Disallow: /staff" in robots
    for path in ("/", "/programme", "/sites/maurepas", f"/sessions/{id}", "/changes"):
        assert 'href="/open-data"' in await (await client.get(path)).text(), path


def test_the_package_really_holds_the_v1_schema():
    import data_inclusion.schema.v1 as v1

    assert Path(v1.__file__).parent.name == "v1" and {"Service", "Structure"} <= set(v1.__all__)
