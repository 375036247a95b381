"""Open-data exports: the places CSV passes the national standard's schema; services and events follow theirs."""

import csv
import datetime as dt
import io
import json
import time
from pathlib import Path

from frictionless import Resource, Schema, system

from events import store
from events.demo import demo
from events.model import clean_exception
from quartier.demo import DemoContext
from quartier.typedefs import DB, SETTINGS

from .helpers import add_session, add_site

STANDARD = Path(__file__).parent.parent / "data" / "mediation-num"


async def fill_demo(app):
    settings = app[SETTINGS]
    now = dt.datetime.now(settings.tz)
    await demo(DemoContext(db=app[DB], settings=settings, today=now.date(), now=now))


def check_against_standard(text: str, tmp_path: Path):
    path = tmp_path / "lieux.csv"
    path.write_text(text, encoding="utf-8")
    schema = Schema.from_descriptor(str(STANDARD / "schema.json"))
    with system.use_context(trusted=True):  # the file is in a temporary folder: an absolute path
        report = Resource(path=str(path), schema=schema).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_standard_s_own_example_passes(tmp_path):
    check_against_standard((STANDARD / "exemple-valide.csv").read_text(encoding="utf-8"), tmp_path)


async def test_places_csv_passes_the_official_schema(client, server, tmp_path):
    await fill_demo(server.app)
    started = time.perf_counter()
    r = await client.get("/open-data/lieux-mediation-numerique.csv")
    elapsed = time.perf_counter() - started
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/csv")
    text = await r.text()
    check_against_standard(text, tmp_path)
    schema = json.loads((STANDARD / "schema.json").read_text(encoding="utf-8"))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [f["name"] for f in schema["fields"]]
    assert len(rows) == 9
    blosne = next(r for r in rows if r["id"] == "le-blosne")
    assert blosne["code_insee"] == "35238" and blosne["typologie"] == "CS|MUNI"
    assert blosne["frais_a_charge"] == "Gratuit"
    assert blosne["horaires"] == "Mo-Fr 09:00-12:30,13:30-18:00; PH off"
    # Derived from the sessions' axes and kinds, "|" between values.
    assert set(blosne["services"].split("|")) >= {
        "Aide aux démarches administratives",
        "Maîtrise des outils numériques du quotidien",
        "Accès internet et matériel informatique",
    }
    assert set(blosne["modalites_accompagnement"].split("|")) == {
        "Accompagnement individuel",
        "En autonomie",
        "Dans un atelier collectif",
    }
    assert "Langues étrangères (autres)" in blosne["prise_en_charge_specifique"]
    assert elapsed < 1.0


async def test_a_site_without_siret_is_left_out_and_listed(client, server, tmp_path):
    await add_site(server.app, siret="21350238800019", typologie="cs", phone="02 99 12 34 56")
    await add_site(server.app, slug="cleunay", name="ESC Cleunay")
    await add_session(server.app)
    text = await (await client.get("/open-data/lieux-mediation-numerique.csv")).text()
    check_against_standard(text, tmp_path)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in rows] == ["maurepas"]
    assert rows[0]["telephone"] == "+33299123456" and rows[0]["typologie"] == "CS"
    page = await (await client.get("/open-data")).text()
    assert "ESC Cleunay" in page


async def test_exports_are_regenerated_on_change_and_revalidate(client, server):
    await add_site(server.app, siret="21350238800019")
    r = await client.get("/open-data/services.json")
    etag = r.headers["ETag"]
    assert (await client.get("/open-data/services.json", headers={"If-None-Match": etag})).status == 304
    assert await r.json() == []
    id = await add_session(server.app)
    r = await client.get("/open-data/services.json", headers={"If-None-Match": etag})
    assert r.status == 200 and r.headers["ETag"] != etag
    [service] = await r.json()
    assert (
        service["id"]
        == f"quartier--{(await server.app[DB].read(lambda db: db.conn.execute('SELECT key FROM sessions').fetchone()[0]))}"
    )
    assert service["horaires_accueil"] == "Mo 09:00-12:00; PH off"
    assert service["volume_horaire_hebdomadaire"] == 3
    assert service["code_insee"] == "35238" and service["frais"] == "gratuit"
    assert service["lien_mobilisation"] == f"http://quartier.test/sessions/{id}"


async def test_services_follow_data_inclusion(client, server):
    await fill_demo(server.app)
    services = await (await client.get("/open-data/services.json")).json()
    assert len(services) == 17  # one per recurring session; the forum day and the hackathon happen once
    required = {"source", "structure_id", "id", "nom", "description", "date_maj"}
    for s in services:
        assert required <= set(s)
        assert 3 <= len(s["nom"]) <= 150 and not s["nom"].endswith(".")
        assert 50 <= len(s["description"]) <= 2000
        assert s["type"] in {
            "accompagnement",
            "aide-financiere",
            "aide-materielle",
            "atelier",
            "formation",
            "information",
        }
        assert s["modes_accueil"] == ["en-presentiel"] and s["zone_eligibilite"] == ["35238"]
    caf = next(s for s in services if s["id"] == "quartier--blosne-caf")
    assert caf["volume_horaire_hebdomadaire"] == 3 and caf["horaires_accueil"] == "Tu 09:00-12:00; PH off"
    assert sum(s["volume_horaire_hebdomadaire"] for s in services) == 45.5


async def test_events_carry_schedules_and_cancellations(client, server):
    await add_site(server.app, siret="21350238800019", typologie="CS")
    id = await add_session(server.app, date="2025-03-03", repeat={"every": "weekly", "until": "2025-06-30"})
    today = dt.datetime.now(server.app[SETTINGS].tz).date()
    monday = today - dt.timedelta(days=today.weekday())
    await add_session(server.app, title="Forum", kind="forum", date=monday.isoformat(), repeat=None)
    future = monday + dt.timedelta(weeks=1)
    other = await add_session(
        server.app, title="Accès libre", axis="acces-libre", kind="acces-libre", date=future.isoformat()
    )
    exception = clean_exception({"date": future.isoformat(), "status": "cancelled", "reason": "Fermé"})
    await server.app[DB].write(lambda tx: store.set_exception(tx, other, exception))
    r = await client.get("/open-data/events.jsonld")
    assert r.headers["Content-Type"].startswith("application/ld+json")
    doc = await r.json()
    assert doc["@context"] == "https://schema.org"
    by_name = {e["name"]: e for e in doc["@graph"]}
    weekly = by_name["Permanence CAF"]
    assert weekly["@id"] == f"http://quartier.test/sessions/{id}"
    assert weekly["eventSchedule"] == {
        "@type": "Schedule",
        "startDate": "2025-03-03",
        "startTime": "09:00:00",
        "endTime": "12:00:00",
        "duration": "PT180M",
        "scheduleTimezone": "Europe/Paris",
        "byDay": "https://schema.org/Monday",
        "repeatFrequency": "P1W",
        "endDate": "2025-06-30",
    }
    assert {"propertyID": "code_insee", "value": "35238", "@type": "PropertyValue"} in weekly["location"][
        "additionalProperty"
    ]
    assert "eventSchedule" not in by_name["Forum"] and by_name["Forum"]["startDate"].startswith(monday.isoformat())
    [cancelled] = by_name["Accès libre"]["subEvent"]
    assert cancelled["eventStatus"] == "https://schema.org/EventCancelled"
    assert cancelled["description"] == "Fermé" and cancelled["startDate"].startswith(future.isoformat())


async def test_the_open_data_is_linked_from_the_public_pages(client, server):
    """Issue 23: `/open-data` was linked from nowhere public; the programme and every footer lead to it."""
    await add_site(server.app)
    await add_session(server.app)
    for path in ("/", "/programme", "/sites/maurepas"):
        page = await (await client.get(path)).text()
        footer = page[page.index('<footer class="site-footer">') :]
        assert 'href="/open-data"' in footer, path
    programme = await (await client.get("/programme")).text()
    main = programme[programme.index("<main") : programme.index("</main>")]
    assert 'href="/open-data"' in main and "Réutiliser ce programme" in main
