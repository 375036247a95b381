"""Minutes (issue 9): compiled from the board, edited, published read-only, corrected as new
versions; edits survive a re-compile; exports; the CLI; retention keeps the counts."""

import csv
import io
import json
import shutil
import subprocess
import sys
import time
import zipfile

import pytest

from forum import queries, store, votes
from quartier.typedefs import DB, SETTINGS
from reports import minutes_compile, minutes_store
from tests.conftest import form, text_of
from tests.forum.conftest import make_board


async def fill_board(app):
    """A forum that happened: notes from every source, a merge, a hidden note, a decision, an
    action, a closed vote and five people counted in."""
    board = await make_board(app, "post", site="maurepas")
    bid = board["id"]

    def write(tx):
        ids = {}
        for name, text, theme, source in (
            ("caf", "Aide pour la déclaration CAF en ligne", "accompagnement", "tablet"),
            ("caf2", "Déclaration CAF : besoin d'aide", "accompagnement", "phone"),
            ("print", "Une imprimante qui marche", "acces-libre", "paper"),
            ("soir", "Ouvrir le soir", "acces-libre", "spoken"),
            ("rude", "Texte à masquer", "autre", "phone"),
            ("wifi", "Le wifi gratuit <script>alert(1)</script>", "acces-libre", "tablet"),
        ):
            ids[name] = store.post_note_tx(
                tx, bid, text=text, theme=theme, source=source, author="Fatou", trusted=True
            )["id"]
        store.moderate_tx(tx, ids["caf2"], "merge", {"into": ids["caf"]})
        store.moderate_tx(tx, ids["rude"], "hide", {})
        store.moderate_tx(tx, ids["soir"], "decision", {})
        store.moderate_tx(tx, ids["print"], "action", {"who": "ESC Maurepas", "due": "2026-12-15"})
        r = votes.open_round_tx(tx, bid, title="Priorités", budget=3)
        for voter in range(4):
            votes.cast_tx(tx, ids["wifi"], device=f"v{voter}")
        votes.cast_tx(tx, ids["caf"], device="v9")
        votes.close_round_tx(tx, r["id"])
        for _ in range(5):
            minutes_store.attendance_tx(tx, bid, delta=1)
        return ids

    ids = await app[DB].write(write)
    return board, ids


async def compile_(organizer, board):
    r = await form(
        organizer,
        f"/forum/boards/{board['id']}/minutes/compile",
        {"facilitators": "Awa, médiatrice"},
        allow_redirects=False,
    )
    assert r.status == 303, await r.text()


async def draft_of(app, board):
    return await app[DB].read(lambda d: minutes_store.draft(d, board["id"]))


async def test_the_draft_is_compiled_from_what_happened(organizer, server):
    board, ids = await fill_board(server.app)
    await compile_(organizer, board)
    d = await draft_of(server.app, board)
    md = d["markdown"]
    data = d["data"]
    assert data["attendance"] == 5
    assert data["counts"]["by_source"] == {"tablet": 2, "phone": 2, "paper": 1, "spoken": 1}
    assert data["counts"]["received"] == 6
    assert "Awa, médiatrice" in md and "De quoi avez-vous besoin" in md
    assert "Personnes présentes** (compteur de l'animation) : 5" in md
    # Notes by theme, most voted first, the merged pair shown once with its count; hidden note left out.
    acces = [t for t in data["themes"] if t["slug"] == "acces-libre"][0]
    assert [n["id"] for n in acces["notes"]] == [ids["wifi"]]  # the others became a decision and an action
    accomp = [t for t in data["themes"] if t["slug"] == "accompagnement"][0]["notes"]
    assert [(n["id"], n["count"]) for n in accomp] == [(ids["caf"], 2)]
    notes_block = minutes_compile.blocks_of(md)["notes"]
    assert notes_block.count("déclaration CAF en ligne") == 1 and "besoin d'aide" not in md
    assert "Texte à masquer" not in md
    assert "| Une imprimante qui marche | ESC Maurepas | 15 décembre 2026 | à faire |" in md
    assert "### Priorités" in md and "1. Le wifi gratuit" in md
    assert f"/minutes/{board['id']}/wordcloud.svg" in md
    # Residents' text is literal Markdown: a script in a note is escaped, never HTML.
    page = await (await organizer.get(f"/forum/boards/{board['id']}/minutes")).text()
    assert "<script>alert" not in page


async def test_edits_survive_a_recompile_and_new_data_is_merged(organizer, server):
    board, ids = await fill_board(server.app)
    await compile_(organizer, board)
    d = await draft_of(server.app, board)
    team_text = "Merci à l'équipe de l'ESC pour l'accueil."
    edited = d["markdown"].replace("<!-- Écrivez ici", team_text + "\n\n<!-- Écrivez ici")
    # A hand edit inside the votes block: that block is then kept as edited.
    edited = edited.replace("### Priorités", "### Priorités du jour (corrigé)")
    r = await form(
        organizer,
        f"/forum/boards/{board['id']}/minutes/save",
        {"markdown": edited, "then": "save"},
        allow_redirects=False,
    )
    assert r.status == 303
    # Meanwhile more happens: a new note and two more people.
    await server.app[DB].write(
        lambda tx: store.post_note_tx(
            tx, board["id"], text="Des cours le samedi", theme="accompagnement", source="paper", trusted=True
        )
    )
    await server.app[DB].write(lambda tx: minutes_store.attendance_tx(tx, board["id"], delta=2))
    r = await form(organizer, f"/forum/boards/{board['id']}/minutes/compile", {}, allow_redirects=False)
    assert "kept=votes" in r.headers["Location"]
    md = (await draft_of(server.app, board))["markdown"]
    assert team_text in md  # staff text outside the blocks: kept
    assert "Priorités du jour (corrigé)" in md  # a block edited by hand: kept
    assert "Des cours le samedi" in md  # new data: merged
    assert "(compteur de l'animation) : 7" in md
    assert md.count("<!-- quartier:notes -->") == 1


async def test_publish_is_read_only_and_corrections_make_versions(organizer, client, server):
    board, _ids = await fill_board(server.app)
    bid = board["id"]
    # Nothing public before publishing.
    assert (await client.get(f"/minutes/{bid}")).status == 404
    await compile_(organizer, board)
    assert (await client.get(f"/minutes/{bid}/v/1")).status == 404  # a draft is not public
    r = await form(organizer, f"/forum/boards/{bid}/minutes/publish", {}, allow_redirects=False)
    assert r.headers["Location"] == f"/minutes/{bid}/v/1"
    page = text_of(await (await client.get(f"/minutes/{bid}")).text())
    assert "Compte rendu : Temps fort" in page and "Version 1" in page
    # A published version cannot be saved over.
    r = await form(organizer, f"/forum/boards/{bid}/minutes/save", {"markdown": "# Autre", "then": "save"})
    assert r.status == 409
    # A correction: a new draft (version 2) from version 1's text; version 1 stays as it was.
    r = await form(organizer, f"/forum/boards/{bid}/minutes/correct", {}, allow_redirects=False)
    assert r.status == 303
    d = await draft_of(server.app, board)
    assert d["version"] == 2
    fixed = d["markdown"].replace("Temps fort", "Temps fort du 12", 1)
    r = await form(
        organizer, f"/forum/boards/{bid}/minutes/save", {"markdown": fixed, "then": "publish"}, allow_redirects=False
    )
    assert r.headers["Location"] == f"/minutes/{bid}/v/2"
    assert "Temps fort du 12" in await (await client.get(f"/minutes/{bid}")).text()
    v1 = await (await client.get(f"/minutes/{bid}/v/1")).text()
    assert "Temps fort du 12" not in v1 and "Voir la dernière version (2)" in v1
    history = await server.app[DB].read(lambda d: minutes_store.versions(d, bid))
    assert [(v["version"], v["state"]) for v in history] == [(1, "published"), (2, "published")]


async def test_the_preview_is_rendered_and_sanitised_by_the_server(organizer, client, server):
    board, _ids = await fill_board(server.app)
    md = "# Titre\n\n**gras** <script>alert(1)</script> <img src=x onerror=alert(1)> [lien](javascript:alert(1))"
    r = await form(organizer, f"/forum/boards/{board['id']}/minutes/preview", {"markdown": md})
    html = await r.text()
    assert "<h1>Titre</h1>" in html and "<strong>gras</strong>" in html
    assert "<script" not in html and "onerror" not in html and 'href="javascript' not in html
    # Not for residents.
    r = await form(client, f"/forum/boards/{board['id']}/minutes/preview", {"markdown": md}, allow_redirects=False)
    assert r.status in (303, 401, 403)


async def published_board(organizer, server):
    board, ids = await fill_board(server.app)
    await compile_(organizer, board)
    await form(organizer, f"/forum/boards/{board['id']}/minutes/publish", {})
    return board, ids


async def test_exports_markdown_printable_html_csv_and_odt(organizer, client, server):
    board, ids = await published_board(organizer, server)
    base = f"/minutes/{board['id']}/v/1"
    md = await (await client.get(base + "/minutes.md")).text()
    assert md.startswith("# Compte rendu : Temps fort") and "quartier:" not in md
    assert server.app[SETTINGS].base_url.rstrip("/") + f"/minutes/{board['id']}/wordcloud.svg" in md
    r = await client.get(base + "/print")
    html = await r.text()
    assert "minutes-print.css" in html and "<h2>Participation</h2>" in html
    css = await (await client.get("/static/reports/minutes-print.css")).text()
    assert "size: A4" in css
    svg = await client.get(f"/minutes/{board['id']}/wordcloud.svg")
    assert svg.content_type == "image/svg+xml" and "caf" in await svg.text()
    rows = list(csv.DictReader(io.StringIO(await (await client.get(base + "/notes.csv")).text())))
    by_id = {int(r["id"]): r for r in rows}
    assert by_id[ids["caf"]]["notes_regroupees"] == "2" and by_id[ids["wifi"]]["gommettes"] == "4"
    assert by_id[ids["print"]]["qui"] == "ESC Maurepas" and ids["rude"] not in by_id
    assert "Fatou" not in json.dumps(rows)  # no first names in exports
    r = await client.get(base + "/minutes.odt")
    assert r.content_type == "application/vnd.oasis.opendocument.text"
    body = await r.read()
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        assert z.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        content = z.read("content.xml").decode()
        assert "Participation" in content and "ESC Maurepas" in content and "<table:table " in content
        assert any(n.endswith(".svg") for n in z.namelist())


@pytest.mark.skipif(
    not shutil.which("soffice") and not shutil.which("libreoffice"),
    reason="LibreOffice is not installed (apt-get install libreoffice-writer-nogui): the ODT is not opened in it",
)
async def test_the_odt_opens_in_libreoffice(organizer, client, server, tmp_path):
    board, _ids = await published_board(organizer, server)
    body = await (await client.get(f"/minutes/{board['id']}/v/1/minutes.odt")).read()
    source = tmp_path / "cr.odt"
    source.write_bytes(body)
    office = shutil.which("soffice") or shutil.which("libreoffice")
    done = subprocess.run(
        [
            office,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "cr.pdf").stat().st_size > 1000
    # LibreOffice says nothing about the document (its note about Java being absent is about the machine).
    complaints = [line for line in done.stderr.splitlines() if line.strip() and "javaldx" not in line]
    assert not complaints, done.stderr


async def test_the_cli_prints_minutes_by_id_or_join_code(organizer, server, settings, tmp_path):
    board, _ids = await published_board(organizer, server)
    config = tmp_path / "quartier.yaml"
    config.write_text(f"database: {settings.database_location}\nbase_url: http://example.test\n", encoding="utf-8")
    run = [sys.executable, "-m", "quartier", "minutes", "--config", str(config)]
    md = subprocess.run([*run, str(board["id"])], capture_output=True, text=True, timeout=60)
    assert md.returncode == 0, md.stderr
    assert md.stdout.startswith("# Compte rendu : Temps fort")
    assert f"http://example.test/minutes/{board['id']}/wordcloud.svg" in md.stdout
    html = subprocess.run([*run, board["code"].lower(), "--format", "html"], capture_output=True, text=True, timeout=60)
    assert html.returncode == 0 and "<style>" in html.stdout and "size: A4" in html.stdout
    assert "<h2>Participation</h2>" in html.stdout
    odt = subprocess.run([*run, str(board["id"]), "--format", "odt"], capture_output=True, timeout=60)
    assert odt.returncode == 0 and odt.stdout[:2] == b"PK"
    missing = subprocess.run([*run, "99999"], capture_output=True, text=True, timeout=60)
    assert missing.returncode != 0 and "99999" in missing.stderr


async def test_retention_purges_raw_notes_and_keeps_the_counts(organizer, client, server):
    board, ids = await published_board(organizer, server)
    bid = board["id"]
    before = await server.app[DB].read(lambda d: minutes_store.notes_received(d, bid))
    md_before = await (await client.get(f"/minutes/{bid}/v/1/minutes.md")).text()
    # Not yet due.
    assert await server.app[DB].write(lambda tx: minutes_store.purge_due_tx(tx, 30)) == []
    later = time.time() + 31 * 86400
    assert await server.app[DB].write(lambda tx: minutes_store.purge_due_tx(tx, 30, now=later)) == [bid]
    notes = await server.app[DB].read(lambda d: queries.all_notes(d, bid))
    assert {n["kind"] for n in notes} == {"decision", "action"}  # the record of decisions stays
    assert all(n["author"] == "" for n in notes)
    assert await server.app[DB].read(lambda d: minutes_store.notes_received(d, bid)) == before
    assert await (await client.get(f"/minutes/{bid}/v/1/minutes.md")).text() == md_before
    assert "caf" in await (await client.get(f"/minutes/{bid}/wordcloud.svg")).text()
    # Compiling again would lose the notes: refused with a clear message.
    await form(organizer, f"/forum/boards/{bid}/minutes/correct", {})
    r = await form(organizer, f"/forum/boards/{bid}/minutes/compile", {})
    assert r.status == 409


async def test_the_attendance_counter_on_the_console(client, facilitator, server):
    board, _ids = await fill_board(server.app)
    url = f"/forum/boards/{board['id']}/attendance?key={board['key']}"
    # Without JavaScript: a form and a redirect back to the console.
    r = await form(client, url, {"delta": "1"}, allow_redirects=False)
    assert r.status == 303 and "#presence" in r.headers["Location"]
    # With it: JSON; never below zero.
    r = await client.post(url, json={"delta": -1}, headers={"Accept": "application/json"})
    assert (await r.json())["count"] == 5
    for _ in range(8):
        r = await client.post(url, json={"delta": -1}, headers={"Accept": "application/json"})
    assert (await r.json())["count"] == 0
    assert (await client.post(url, json={"delta": 5})).status == 422
    # Without the key: refused.
    r = await client.post(f"/forum/boards/{board['id']}/attendance", json={"delta": 1})
    assert r.status == 401
    page = await (await client.get(f"/forum/boards/{board['id']}/console?key={board['key']}")).text()
    assert 'id="presence-count"' in page and "/minutes" in page


async def test_attendance_changes_reach_other_consoles(client, server):
    board, _ids = await fill_board(server.app)
    seq = await server.app[DB].read(lambda d: __import__("quartier.bus", fromlist=["x"]).last_seq_in(d))
    ws = await client.ws_connect(f"/ws?channels=moderation:{board['id']}&since={seq}&key={board['key']}")
    try:
        await client.post(f"/forum/boards/{board['id']}/attendance?key={board['key']}", json={"delta": 1})
        msg = await ws.receive_json(timeout=5)
        assert msg["type"] == "attendance" and msg["data"]["count"] == 6
    finally:
        await ws.close()


async def test_published_minutes_are_linked_from_the_session_and_site_pages(organizer, client, server):
    from tests.events.helpers import add_session, add_site

    await add_site(server.app)
    session_id = await add_session(server.app, kind="forum", repeat=None)
    site = await server.app[DB].read(
        lambda d: __import__("events.queries", fromlist=["x"]).session(d, session_id)["site"]
    )
    board = await make_board(server.app, "post", site=site, session_id=session_id)
    await server.app[DB].write(
        lambda tx: store.post_note_tx(tx, board["id"], text="Du wifi", source="paper", trusted=True)
    )
    link = f'href="/minutes/{board["id"]}"'
    assert link not in await (await client.get(f"/sessions/{session_id}")).text()
    await form(organizer, f"/forum/boards/{board['id']}/minutes/compile", {})
    assert link not in await (await client.get(f"/sites/{site}")).text()  # a draft is not linked
    await form(organizer, f"/forum/boards/{board['id']}/minutes/publish", {})
    assert link in await (await client.get(f"/sessions/{session_id}")).text()
    assert link in await (await client.get(f"/sites/{site}")).text()


async def test_the_server_applies_retention_at_start_up(organizer, server, settings, aiohttp_client):
    from quartier.app import create_app

    board, _ids = await published_board(organizer, server)
    # Published two days ago.
    await server.app[DB].write(lambda tx: tx.execute("UPDATE forum_minutes SET published = published - 2 * 86400"))
    kept = create_app(settings.replace(notes_retention_days=1))
    await aiohttp_client(kept)
    for _ in range(50):
        left = await kept[DB].fetchone(
            "SELECT count(*) AS n FROM forum_notes WHERE board_id = ? AND kind = 'note'", (board["id"],)
        )
        if left["n"] == 0:
            break
        await __import__("asyncio").sleep(0.05)
    assert left["n"] == 0
    meta = await kept[DB].read(lambda d: minutes_store.meta(d, board["id"]))
    assert meta["purged"]
