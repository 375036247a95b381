"""Issue 22: one compiled compte rendu for a forum across sites, with the sites' minutes as annexes."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from odf.opendocument import load

from quartier.typedefs import DB
from reports import minutes_store
from tests.conftest import form
from tests.forum.test_citywide import add_sites, make_forum


async def city_forum_with_notes(server: Any, client: Any, bearer: dict[str, str]) -> dict[str, Any]:
    await add_sites(server.app)
    f = await make_forum(client, bearer)
    maurepas, cleunay, blosne = f["boards"]
    ids = {}
    for board, text, theme, source in (
        (maurepas, "Aide pour la CAF", "droits", "phone"),
        (maurepas, "Des ordinateurs le samedi", "acces-libre", "tablet"),
        (cleunay, "Comprendre la CPAM", "droits", "tablet"),
        (blosne, "Un atelier mails", "accompagnement", "phone"),
    ):
        r = await client.post(
            f"/api/v1/boards/{board['id']}/notes", json={"text": text, "theme": theme, "source": source}
        )
        ids[text] = (await r.json())["id"]
    city = await (
        await client.post(f"/api/v1/forums/{f['id']}/rounds", json={"title": "Priorités", "budget": 1}, headers=bearer)
    ).json()
    await client.get("/j")
    assert (await client.post(f"/api/v1/notes/{ids['Comprendre la CPAM']}/votes", json={})).status == 201
    await client.post(f"/api/v1/forums/{f['id']}/rounds/{city['id']}/close", json={}, headers=bearer)
    await server.app[DB].write(lambda tx: minutes_store.attendance_tx(tx, maurepas["id"], value=12))
    return f


async def test_the_combined_minutes_compile_publish_and_export(server, client, bearer, organizer):
    f = await city_forum_with_notes(server, client, bearer)
    assert (await form(organizer, f"/forums/{f['id']}/minutes/compile", {}, allow_redirects=False)).status == 303
    editor = await (await organizer.get(f"/forums/{f['id']}/minutes")).text()
    assert "Ce que chaque quartier a dit" in editor
    assert (await client.get(f"/forums/{f['id']}/minutes/v/1")).status == 404  # a draft is staff's
    r = await form(organizer, f"/forums/{f['id']}/minutes/publish", {}, allow_redirects=False)
    assert r.status == 303 and r.headers["Location"].endswith("/minutes/v/1")
    base = f"/forums/{f['id']}/minutes/v/1"
    md = await (await client.get(base + "/minutes.md")).text()
    assert md.startswith("# Compte rendu : Temps fort du numérique")
    # Per theme, what each neighbourhood said.
    rights = md.split("### Mes droits")[1].split("###")[0]
    assert "**Maurepas – Gros-Chêne** (1 note)" in rights and "Comprendre la CPAM (1 gommette)" in rights
    assert "| Maurepas – Gros-Chêne | 12 | 2 | 1 | 1 | 0 | 0 | 0 |" in md  # attendance, notes by source
    assert "1. Comprendre la CPAM — Cleunay (1 gommette)" in md  # the city-wide ranking
    annexes = md.split("## Annexes")[1]
    assert all(f"### {place}" in annexes for place in ("Maurepas – Gros-Chêne", "Cleunay", "Le Blosne"))
    html = await (await client.get(base + "/print")).text()
    assert "<h2>Classement dans toute la ville</h2>" in html
    rows = list(csv.DictReader(io.StringIO(await (await client.get(base + "/notes.csv")).text())))
    assert {(r["quartier"], r["texte"]) for r in rows} >= {
        ("Cleunay", "Comprendre la CPAM"),
        ("Le Blosne", "Un atelier mails"),
    }
    r = await client.get(base + "/minutes.odt")
    assert r.content_type == "application/vnd.oasis.opendocument.text"
    body = await r.read()
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        assert z.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        assert "Ce que chaque quartier a dit" in z.read("content.xml").decode()
    doc = load(io.BytesIO(body))  # a full ODF parse, as an office suite reads it
    assert doc.text is not None


async def test_a_residents_words_stay_text_in_the_combined_minutes(server, client, bearer, organizer):
    await add_sites(server.app)
    f = await make_forum(client, bearer)
    board = f["boards"][0]["id"]
    await client.post(
        f"/api/v1/boards/{board}/notes", json={"text": "# <b>titre</b> [lien](http://x)", "theme": "droits"}
    )
    await form(organizer, f"/forums/{f['id']}/minutes/compile", {})
    await form(organizer, f"/forums/{f['id']}/minutes/publish", {})
    html = await (await client.get(f"/forums/{f['id']}/minutes/v/1")).text()
    assert "<b>titre</b>" not in html and 'href="http://x"' not in html
    assert (await form(organizer, f"/forums/{f['id']}/minutes/publish", {}, allow_redirects=False)).status == 409
