"""The catalogue of workshops and trainings (issue 21, point 4): sheets, documents checked by content,
a session created from a sheet on the programme and on the sheet, open data and the API."""

import datetime as dt
import io
import json
import zipfile
from zoneinfo import ZoneInfo

import pytest
import yaml

from quartier.typedefs import CLOCK
from tests.conftest import form, text_of
from tests.events.helpers import add_site

NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))
SHEET = {
    "title": "Premiers pas sur la tablette",
    "kind": "atelier",
    "axis": "accompagnement",
    "aims": "Allumer, toucher, faire défiler.",
    "audience": ["seniors", "habitants"],
    "duration_minutes": 90,
    "group_min": 3,
    "group_max": 8,
    "materials": "Une tablette par personne",
    "steps": "Accueil\nAllumer la tablette\nLe geste de défilement",
    "skills": "Utiliser un écran tactile",
    "pix": ["5"],
    "facilitators": "ESC Maurepas",
}


def odt_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


@pytest.fixture
async def sheet(server, bearer, client):
    server.app[CLOCK].fixed = NOW
    await add_site(server.app)
    r = await client.post("/api/v1/workshops", json=SHEET, headers=bearer)
    assert r.status == 201, await r.text()
    return (await r.json())["slug"]


async def test_a_sheet_is_public_printable_and_licensed(client, sheet):
    assert sheet == "premiers-pas-sur-la-tablette"
    page = await client.get(f"/catalogue/{sheet}")
    assert page.status == 200
    text = text_of(await page.text())
    assert "Le geste de défilement" in text and "CC BY-SA 4.0" in text and "5. Environnement numérique" in text
    listing = text_of(await (await client.get("/catalogue?audience=seniors&pix=5")).text())
    assert "Premiers pas sur la tablette" in listing
    none = text_of(await (await client.get("/catalogue?audience=professionnels")).text())
    assert "Premiers pas sur la tablette" not in none
    assert (await client.get("/catalogue?audience=martiens")).status == 422
    data = await (await client.get("/open-data/catalogue.json")).json()
    assert (
        data["workshops"][0]["licence"] == "CC-BY-SA-4.0"
        and data["workshops"][0]["steps"][2] == "Le geste de défilement"
    )
    as_yaml = yaml.safe_load(await (await client.get("/open-data/catalogue.yaml")).text())
    assert as_yaml == json.loads(json.dumps(data))


async def test_bad_sheets_and_bad_documents_get_a_422(client, bearer, facilitator, sheet):
    r = await client.post("/api/v1/workshops", json={**SHEET, "audience": ["martiens"]}, headers=bearer)
    assert r.status == 422
    r = await client.post("/api/v1/workshops", json={**SHEET, "group_min": 9, "group_max": 2}, headers=bearer)
    assert r.status == 422
    from tests.conftest import csrf_for

    async def upload(name: str, data: bytes):
        from aiohttp import FormData

        fd = FormData()
        fd.add_field("csrf_token", csrf_for(facilitator))
        fd.add_field("document", data, filename=name, content_type="application/pdf")
        return await facilitator.post(f"/staff/catalogue/{sheet}/documents", data=fd, allow_redirects=False)

    assert (await upload("fiche.pdf", b"MZ\x90\x00 not a pdf at all")).status == 422  # named .pdf, an executable
    assert (await upload("fiche.odt", b"PK\x03\x04broken zip")).status == 422
    assert (await upload("big.pdf", b"%PDF-1.4\n" + b"x" * 1000 * 1024)).status in (413, 422)
    assert (await upload("fiche.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")).status == 303
    assert (await upload("fiche.odt", odt_bytes())).status == 303
    r = await client.get(f"/api/v1/workshops/{sheet}")
    docs = (await r.json())["documents"]
    assert [(d["filename"], d["media_type"]) for d in docs] == [
        ("fiche.pdf", "application/pdf"),
        ("fiche.odt", "application/vnd.oasis.opendocument.text"),
    ]
    got = await client.get(docs[0]["url"].replace("http://quartier.test", ""))
    assert got.status == 200 and (await got.read()).startswith(b"%PDF-")


async def test_a_session_from_a_sheet_is_on_the_programme_and_on_the_sheet(client, facilitator, sheet):
    r = await form(
        facilitator,
        f"/staff/catalogue/{sheet}/sessions",
        {"site": "maurepas", "date": "2026-12-09", "start": "14:00", "weekly": "on"},
        allow_redirects=False,
    )
    assert r.status == 303, await r.text()
    programme = await (await client.get("/api/v1/sessions?from=2026-12-07&to=2026-12-13")).json()
    mine = [o for o in programme["occurrences"] if o["title"] == "Premiers pas sur la tablette"]
    assert [(o["kind"], o["start"][11:16], o["end"][11:16], o["capacity"]) for o in mine] == [
        ("atelier", "14:00", "15:30", 8)
    ]
    detail = await (await client.get(f"/api/v1/workshops/{sheet}")).json()
    assert [o["date"] for o in detail["next"]][:2] == ["2026-12-09", "2026-12-16"]
    page = text_of(await (await client.get(f"/catalogue/{sheet}")).text())
    assert "Prochaines dates" in page and "ESC Maurepas" in page


async def test_a_training_for_social_workers_through_the_api(client, bearer, sheet):
    body = {**SHEET, "title": "Former les travailleurs sociaux", "kind": "formation", "audience": ["professionnels"]}
    r = await client.post("/api/v1/workshops", json=body, headers=bearer)
    assert r.status == 201
    slug = (await r.json())["slug"]
    r = await client.post(
        f"/api/v1/workshops/{slug}/sessions",
        json={"site": "maurepas", "date": "2026-12-10", "start": "09:30"},
        headers=bearer,
    )
    assert r.status == 201, await r.text()
    listed = await (await client.get("/api/v1/workshops?kind=formation")).json()
    assert [w["slug"] for w in listed["workshops"]] == [slug]
    detail = await (await client.get(f"/api/v1/workshops/{slug}")).json()
    assert detail["next"][0]["date"] == "2026-12-10"
    programme = await (await client.get("/api/v1/sessions?from=2026-12-10&to=2026-12-10&kind=formation")).json()
    assert [o["title"] for o in programme["occurrences"]] == ["Former les travailleurs sociaux"]
    assert (await client.post("/api/v1/workshops", json=body)).status in (401, 403)
