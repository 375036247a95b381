"""The partners registry (issue 18, point 1): the migration from free text, the staff form with its
logo, the public pages, sessions naming their partner everywhere, the API and the YAML file, and a
deletion refused while something holds the partner."""

from __future__ import annotations

import sqlite3

import sqlite_utils

from events import schema as events_schema
from events import yamlio
from quartier.db import Database
from quartier.schema import core_migrations
from quartier.typedefs import DB
from tests.conftest import form, text_of
from tests.events.helpers import add_session, add_site
from tests.hostile import table_counts

from .helpers import add_partner, png_bytes, post_with_file


async def test_free_text_partners_become_one_partner_per_name(tmp_path):
    """Today's `sessions.partner` values are matched by name (case, accents, apostrophes ignored)."""
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    core_migrations.apply(db)
    events_schema.migrations.apply(db, stop_before="0005_partners")
    db.execute("INSERT INTO sites (slug, name, updated) VALUES ('maurepas', 'ESC Maurepas', 0)")
    for key, partner in [
        ("a", "CAF d'Ille-et-Vilaine"),
        ("b", " caf d’ille-et-vilaine "),
        ("c", "Mission locale"),
        ("d", ""),
    ]:
        db.execute(
            "INSERT INTO sessions (key, site_id, title, kind, axis, first_date, start_time, end_time, partner, created, "
            "updated) VALUES (?, 1, 'S', 'permanence', 'droits', '2025-01-06', '09:00', '10:00', ?, 0, 0)",
            (key, partner),
        )
    db.conn.close()
    database = Database(path)
    await database.open([events_schema.migrations])
    await database.close()
    db = sqlite3.connect(path)
    partners = db.execute("SELECT key, name, kind, circle FROM partners ORDER BY key").fetchall()
    assert partners == [
        ("caf-d-ille-et-vilaine", "CAF d'Ille-et-Vilaine", "caf", 2),
        ("mission-locale", "Mission locale", "other", 2),
    ]
    assert db.execute("SELECT key, partner_id FROM sessions ORDER BY key").fetchall() == [
        ("a", 1),
        ("b", 1),
        ("c", 2),
        ("d", None),
    ]
    assert "partner" not in [r[1] for r in db.execute("PRAGMA table_info(sessions)")]  # the free text is gone


async def test_an_organizer_adds_a_partner_with_its_logo(organizer, client, app):
    await add_site(app)
    logo = png_bytes(400, 160)
    response = await post_with_file(
        organizer,
        "/staff/partners/new",
        {
            "name": "CAF d'Ille-et-Vilaine",
            "short_name": "CAF",
            "kind": "caf",
            "circle": "1",
            "website": "https://www.caf.fr/",
            "description": "Permanences et bornes.",
            "sites": "maurepas",
            "charter_0": "Charte rennaise de l'e-inclusion",
            "signed_0": "2025-04-02",
        },
        "logo",
        logo,
        allow_redirects=False,
    )
    assert response.status == 303 and response.headers["Location"] == "/staff/partners/caf", await response.text()
    public = await (await client.get("/partenaires")).text()
    assert "Premier cercle" in public and "CAF d&#39;Ille-et-Vilaine" in public
    src = public.split('class="partner-logo" src="')[1].split('"')[0]
    image = await client.get(src)
    assert image.status == 200 and image.content_type == "image/png" and await image.read() == logo
    assert "immutable" in image.headers["Cache-Control"]
    page = text_of(await (await client.get("/partenaires/caf")).text())
    assert "Charte rennaise de l'e-inclusion, signée le mercredi 2 avril 2025" in page and "ESC Maurepas" in page


async def test_logos_are_checked_by_their_bytes_and_sized_for_print(organizer, app):
    await add_partner(app, "caf-35", "CAF d'Ille-et-Vilaine")
    before = await table_counts(app)
    cases = [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 415, "pas de SVG"),
        (b"<html>not an image</html>", 415, "PNG, JPEG, WebP ou GIF"),
        (png_bytes(120, 60), 422, "Le logo fait 120 × 60 pixels : il en faut au moins 300"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * (801 * 1024), 413, "L'image dépasse 800 Ko"),
    ]
    for data, status, message in cases:
        response = await post_with_file(
            organizer, "/staff/partners/caf-35", {"name": "CAF d'Ille-et-Vilaine"}, "logo", data
        )
        assert response.status == status, (message, await response.text())
        assert message in text_of(await response.text())
    assert await table_counts(app) == before  # nothing written, not even the other fields


async def test_a_session_names_its_partner_from_the_registry(client, app, bearer):
    await add_site(app)
    await add_partner(app, "caf-35", "CAF d'Ille-et-Vilaine", short_name="CAF", website="https://www.caf.fr/")
    r = await client.post(
        "/api/v1/sessions",
        headers=bearer,
        json={
            "site": "maurepas",
            "title": "Permanence CAF",
            "kind": "permanence",
            "axis": "droits",
            "date": "2025-03-03",
            "start": "09:00",
            "end": "12:00",
            "partner": "caf",  # its short name, any case
            "staff_count": 2,
        },
    )
    assert r.status == 201, await r.text()
    id = (await r.json())["id"]
    s = await (await client.get(f"/api/v1/sessions/{id}")).json()
    assert (s["partner"], s["partner_name"], s["staff_count"]) == ("caf-35", "CAF d'Ille-et-Vilaine", 2)
    page = await (await client.get(f"/sessions/{id}")).text()
    performer = '"performer": {"@type": "Organization", "name": "CAF d\'Ille-et-Vilaine", "url": "https://www.caf.fr/"}'
    assert 'href="/partenaires/caf-35"' in page and performer in page
    poster = text_of(await (await client.get("/sites/maurepas/poster?week=2025-W10")).text())
    assert "Permanence CAF · avec CAF" in poster and "Avec : CAF" in poster
    ical = await (await client.get("/calendar.ics")).text()
    assert "CONTACT:CAF d'Ille-et-Vilaine — https://www.caf.fr/" in ical.replace("\r\n ", "")
    jsonld = await (await client.get("/open-data/events.jsonld")).json()
    performer = next(e for e in jsonld["@graph"] if e["name"] == "Permanence CAF")["performer"]
    assert performer == {"@type": "Organization", "name": "CAF d'Ille-et-Vilaine", "url": "https://www.caf.fr/"}
    r = await client.post("/api/v1/sessions", headers=bearer, json={**s, "partner": "Nobody", "exceptions": []})
    assert r.status == 422 and (await r.json())["error"]["code"] == "unknown_partner"


async def test_renaming_a_partner_renames_it_on_every_session(client, app, bearer):
    await add_site(app)
    await add_partner(app, "caf-35", "CAF 35")
    id = await add_session(app, partner="caf-35")
    r = await client.put("/api/v1/partners/caf-35", headers=bearer, json={"name": "CAF d'Ille-et-Vilaine"})
    assert r.status == 200
    assert (await (await client.get(f"/api/v1/sessions/{id}")).json())["partner_name"] == "CAF d'Ille-et-Vilaine"


async def test_the_yaml_file_names_partners_by_key_or_name(tmp_path):
    text = """\
sites:
  - {slug: maurepas, name: ESC Maurepas}
partners:
  - {key: caf-35, name: "CAF d'Ille-et-Vilaine", short_name: CAF, kind: caf, circle: 1, sites: [maurepas]}
sessions:
  - {key: a, site: maurepas, title: A, kind: permanence, axis: droits, date: 2025-01-06, start: "09:00", end: "10:00", partner: caf-35}
  - {key: b, site: maurepas, title: B, kind: permanence, axis: droits, date: 2025-01-06, start: "10:00", end: "11:00", partner: "caf d'ille-et-vilaine"}
  - {key: c, site: maurepas, title: C, kind: permanence, axis: droits, date: 2025-01-06, start: "11:00", end: "12:00", partner: Nobody}
"""
    db = Database(tmp_path / "y.db")
    await db.open([events_schema.migrations])
    try:
        programme = yamlio.read(text)
        try:
            await db.write(lambda tx: yamlio.apply(tx, programme))
            raise AssertionError("an unknown partner must refuse the file")
        except yamlio.ImportFailed as e:
            assert [str(p) for p in e.problems] == ["8: partner: partenaire inconnu : Nobody"]
        assert await db.fetchall("SELECT key FROM partners") == []  # all or nothing
        programme = yamlio.read(text.rsplit("  - {key: c", 1)[0])
        await db.write(lambda tx: yamlio.apply(tx, programme))
        rows = await db.fetchall("SELECT key, partner_id FROM sessions ORDER BY key")
        assert rows == [{"key": "a", "partner_id": 1}, {"key": "b", "partner_id": 1}]
        exported = await db.read(yamlio.export)
        assert "partner: caf-35" in exported and "sites:\n  - maurepas" in exported
    finally:
        await db.close()


async def test_a_partner_still_in_use_cannot_be_deleted_and_the_refusal_says_why(client, app, bearer, organizer):
    await add_site(app)
    caf = await add_partner(app, "caf-35", "CAF d'Ille-et-Vilaine")
    session = await add_session(app, title="Permanence CAF", partner="caf-35")
    from quartier import auth

    await auth.add_user(app[DB], "caf", "partner", "a long password", caf)
    r = await client.post(
        "/api/v1/contributions",
        headers=bearer,
        json={"partner": "caf-35", "kind": "money", "quantity": 500, "date": "2025-02-01"},
    )
    assert r.status == 201
    r = await client.delete("/api/v1/partners/caf-35", headers=bearer)
    assert r.status == 409
    message = (await r.json())["error"]["message"]
    assert "la séance « Permanence CAF » (ESC Maurepas)" in message
    assert "1 contribution en 2025" in message and "le compte « caf »" in message
    page = text_of(await (await organizer.get("/staff/partners/caf-35")).text())
    assert "ne peut pas être supprimé" in page and "la séance « Permanence CAF »" in page
    response = await form(organizer, "/staff/partners/caf-35/delete", {})
    assert response.status == 409
    # Once nothing holds it, it goes.
    await client.delete(f"/api/v1/sessions/{session}", headers=bearer)
    lines = (await (await client.get("/api/v1/contributions?year=2025", headers=bearer)).json())["lines"]
    await client.delete(f"/api/v1/contributions/{lines[0]['id']}", headers=bearer)
    await app[DB].write(lambda tx: tx.execute("DELETE FROM users WHERE name = 'caf'"))
    assert (await client.delete("/api/v1/partners/caf-35", headers=bearer)).status == 204
    assert (await client.get("/api/v1/partners/caf-35")).status == 404


async def test_the_partners_api_is_public_to_read_and_checked_to_write(client, app, bearer, facilitator):
    await add_site(app)
    r = await client.post(
        "/api/v1/partners",
        headers=bearer,
        json={"name": "Epitech Rennes", "short_name": "Epitech", "kind": "school", "sites": ["maurepas"]},
    )
    assert r.status == 201 and (await r.json()) == {"key": "epitech"}
    listed = (await (await client.get("/api/v1/partners")).json())["partners"]
    assert [(p["key"], p["circle"], p["sites"], p["logo"], p["url"]) for p in listed] == [
        ("epitech", 2, ["maurepas"], None, "/partenaires/epitech")
    ]
    for body, code in [
        ({"name": "EPITECH rennes"}, "name_taken"),
        ({"name": "X", "website": "ftp://x"}, "invalid"),
        ({"name": "X", "kind": "bank"}, "invalid"),
        ({"name": "X", "sites": ["nowhere"]}, "invalid"),
        ({"name": "X", "charters": [{"charter": "C", "signed": "yesterday"}]}, "invalid"),
    ]:
        r = await client.post("/api/v1/partners", headers=bearer, json=body)
        assert r.status in (409, 422) and (await r.json())["error"]["code"] == code, body
    r = await facilitator.post("/api/v1/partners", json={"name": "Y"})
    assert r.status == 403


async def test_a_partner_page_lists_its_sessions_of_the_week(client, app):
    await add_site(app)
    await add_partner(app, "caf-35", "CAF d'Ille-et-Vilaine", description="Permanences.\n\nBornes en accès libre.")
    await add_session(app, title="Permanence CAF", date="2025-03-03", partner="caf-35")
    await add_session(app, title="Autre chose", date="2025-03-03", start="13:00", end="14:00")
    page = text_of(await (await client.get("/partenaires/caf-35?week=2025-W10")).text())
    assert "Permanence CAF" in page and "Autre chose" not in page and "Bornes en accès libre." in page
    page = text_of(await (await client.get("/partenaires/caf-35?week=2024-W30")).text())
    assert "Aucune séance cette semaine." in page  # before its first date
    assert (await client.get("/partenaires/nobody")).status == 404
    assert (await client.get("/partenaires/caf-35?week=nope")).status == 400
