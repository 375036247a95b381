"""Partner accounts (issue 18, point 2): a `partner` role tied to one organisation, which proposes
sessions (on the programme only once an organizer accepts them), edits its own page, records and
reads its own figures, and sees nothing of other partners' drafts nor of the forum's moderation."""

from __future__ import annotations

import asyncio
import io
import re
import sqlite3

import pytest
import sqlite_utils

from quartier import auth
from quartier.cli import main
from quartier.db import Database
from quartier.schema import core_migrations
from quartier.typedefs import DB
from tests.conftest import PASSWORD, create_user, form, login, text_of
from tests.events.helpers import add_site

from .helpers import add_partner, partner_account, partner_token

PROPOSAL = {
    "title": "Atelier « Mon espace CAF »",
    "site": "maurepas",
    "kind": "atelier",
    "axis": "droits",
    "room": "Salle 2",
    "date": "2099-03-02",
    "start": "14:00",
    "end": "16:00",
    "staff_count": "2",
}


@pytest.fixture
async def two_partners(app, make_client):
    """The CAF and the city, each with its account logged in."""
    await add_site(app)
    caf = await add_partner(app, "caf-35", "CAF d'Ille-et-Vilaine", short_name="CAF", kind="caf", circle=1)
    city = await add_partner(app, "ville", "Ville de Rennes", kind="city", circle=1)
    return {
        "caf": await partner_account(app, make_client, "caf", caf),
        "city": await partner_account(app, make_client, "ville", city),
        "ids": {"caf": caf, "city": city},
    }


async def test_a_proposed_session_reaches_the_programme_only_once_accepted(app, organizer, client, two_partners):
    caf, city = two_partners["caf"], two_partners["city"]
    ws = await organizer.ws_connect("/ws?channels=proposals&since=0")
    response = await form(caf, "/partenaire/propositions", PROPOSAL, allow_redirects=False)
    assert response.status == 303
    message = await asyncio.wait_for(ws.receive_json(), 5)
    assert (message["channel"], message["type"], message["data"]["partner"]) == (
        "proposals",
        "proposal.created",
        "caf-35",
    )
    await ws.close()
    week = "/programme?week=2099-W10"
    assert "Mon espace CAF" not in await (await client.get(week)).text()
    assert "Mon espace CAF" not in await (await client.get("/api/v1/sessions?from=2099-03-02&to=2099-03-02")).text()
    # Other partners see nothing of it; the queue is the organizers'.
    assert "Mon espace CAF" not in await (await city.get("/partenaire/propositions")).text()
    assert (await city.get("/staff/proposals", allow_redirects=False)).status == 403
    assert (await caf.get("/staff/proposals", allow_redirects=False)).status == 403
    queue = text_of(await (await organizer.get("/staff/proposals")).text())
    assert "Mon espace CAF" in queue and "CAF d'Ille-et-Vilaine" in queue
    assert "lundi 2 mars 2099" in queue  # the weekday, to check it fits the week
    proposal = (await app[DB].fetchone("SELECT id FROM commons_proposals"))["id"]
    # Another partner cannot withdraw it; the organizer accepts it.
    assert (await form(city, f"/partenaire/propositions/{proposal}/withdraw", {})).status == 404
    response = await form(organizer, f"/staff/proposals/{proposal}/accept", {}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/sessions/")
    programme = text_of(await (await client.get(week)).text())
    assert "Atelier « Mon espace CAF »" in programme
    session = await (await client.get(response.headers["Location"].replace("/sessions/", "/api/v1/sessions/"))).json()
    assert (session["partner"], session["staff_count"]) == ("caf-35", 2)
    mine = text_of(await (await caf.get("/partenaire/propositions")).text())
    assert "Acceptée : au programme" in mine
    assert (await form(organizer, f"/staff/proposals/{proposal}/refuse", {})).status == 409  # already decided


async def test_a_refused_proposal_tells_its_partner_why(app, organizer, two_partners):
    caf = two_partners["caf"]
    await form(caf, "/partenaire/propositions", PROPOSAL)
    proposal = (await app[DB].fetchone("SELECT id FROM commons_proposals"))["id"]
    await form(organizer, f"/staff/proposals/{proposal}/refuse", {"reason": "Salle prise ce jour-là"})
    assert "Refusée : Salle prise ce jour-là" in text_of(await (await caf.get("/partenaire/propositions")).text())
    assert await app[DB].fetchone("SELECT count(*) AS n FROM sessions") == {"n": 0}


async def test_a_proposal_is_checked_like_a_session(two_partners, app):
    caf = two_partners["caf"]
    for change, message in [
        ({"end": "13:00"}, "La fin doit suivre le début."),
        ({"site": "nowhere"}, "Lieu inconnu : « nowhere »."),
        ({"date": "2001-01-01"}, "Proposez une date à venir."),
        ({"title": ""}, "Ce champ est obligatoire."),
    ]:
        response = await form(caf, "/partenaire/propositions", {**PROPOSAL, **change})
        assert response.status == 422 and message in text_of(await response.text()), change
    assert await app[DB].fetchone("SELECT count(*) AS n FROM commons_proposals") == {"n": 0}


async def test_the_proposal_form_offers_the_partners_own_sites_first(app, make_client):
    await add_site(app)  # ESC Maurepas
    await add_site(app, slug="villejean", name="ESC Villejean")
    await add_site(app, slug="cleunay", name="ESC Cleunay")
    caf = await add_partner(app, "caf-35", "CAF d'Ille-et-Vilaine", sites=["villejean"])
    page = await (await (await partner_account(app, make_client, "caf", caf)).get("/partenaire/propositions")).text()
    options = re.findall(r'<option value="([a-z-]+)"', page.split('id="site"')[1].split("</select>")[0])
    assert options == ["villejean", "cleunay", "maurepas"]  # where it works (the default), then the others


async def test_a_partner_edits_only_its_own_page(two_partners, client, app):
    caf = two_partners["caf"]
    response = await form(
        caf,
        "/partenaire/page",
        {"description": "Nouvelle présentation.", "website": "https://caf.example/", "name": "Hijacked", "circle": "2"},
        allow_redirects=False,
    )
    assert response.status == 303
    p = await (await client.get("/api/v1/partners/caf-35")).json()
    assert (p["description"], p["website"], p["name"], p["circle"]) == (
        "Nouvelle présentation.",
        "https://caf.example/",
        "CAF d'Ille-et-Vilaine",
        1,
    )
    assert (await caf.get("/staff/partners/ville", allow_redirects=False)).status == 403
    assert (await form(caf, "/staff/partners/ville", {"name": "Ville"})).status == 403
    response = await form(caf, "/partenaire/page", {"website": "javascript:alert(1)"})
    assert response.status == 422 and "https://" in text_of(await response.text())


async def test_a_partner_account_reads_and_writes_only_its_own_figures(app, two_partners, bearer, client):
    caf_token = await partner_token(app, "caf-script", two_partners["ids"]["caf"])
    line = {"kind": "volunteer_hours", "quantity": 12, "date": "2025-05-02", "note": "Bénévoles"}
    r = await client.post("/api/v1/contributions", headers=caf_token, json=line)  # no partner: its own
    assert r.status == 201
    r = await client.post("/api/v1/contributions", headers=caf_token, json={**line, "partner": "ville"})
    assert r.status == 403 and (await r.json())["error"]["code"] == "other_organisation"
    r = await client.post("/api/v1/contributions", headers=caf_token, json={**line, "partner": "Nobody"})
    assert r.status == 403
    r = await client.post("/api/v1/contributions", headers=bearer, json={**line, "partner": "ville", "quantity": 5})
    assert r.status == 201
    city_line = (await r.json())["id"]
    mine = await (await client.get("/api/v1/contributions?year=2025", headers=caf_token)).json()
    assert [(x["partner"], x["quantity"]) for x in mine["lines"]] == [("caf-35", 12)]
    r = await client.get("/api/v1/contributions?year=2025&partner=ville", headers=caf_token)
    assert r.status == 403
    b = await (await client.get("/api/v1/budget?year=2025", headers=caf_token)).json()
    assert b["scope"] == "caf-35" and [p["key"] for p in b["partners"]] == ["caf-35"] and b["gap"] is None
    assert {x["partner"] for x in b["lines"]} == {"caf-35"}
    assert (await client.delete(f"/api/v1/contributions/{city_line}", headers=caf_token)).status == 404
    # The form refuses the same way.
    caf = two_partners["caf"]
    response = await form(caf, "/staff/contributions?year=2025", {**line, "partner": "ville"})
    assert response.status == 403
    page = text_of(await (await caf.get("/staff/contributions?year=2025")).text())
    assert "Bénévoles" in page and "Ville de Rennes" not in page
    csv = await (await caf.get("/staff/contributions.csv?year=2025")).text()
    assert "CAF" in csv and "Ville de Rennes" not in csv
    # Its budget page: its own row, and under it its share of the whole, not 100 %.
    table = (
        (await (await caf.get("/staff/budget?year=2025")).text()).split('id="budget-partners"')[1].split("</table>")[0]
    )
    row, total = table.split("<tbody>")[1].split("</tbody>"), table.split("<tfoot>")[1]
    assert "Ville de Rennes" not in table and "CAF" in row[0]
    share = text_of(row[0]).split()[-2:]  # "70,6 %"
    assert share != ["100", "%"] and text_of(total).split()[-2:] == share


async def test_a_partner_account_reaches_none_of_the_forum_or_the_programmes_staff_pages(two_partners):
    caf = two_partners["caf"]
    for url in ("/forum", "/staff/programme", "/staff/sessions", "/staff/report", "/staff/screens"):
        assert (await caf.get(url, allow_redirects=False)).status == 403, url
    # It reads how its contributions are valued (the budget links there), and changes none of it.
    valuation = text_of(await (await caf.get("/staff/valuation")).text())
    assert "SMIC" in valuation and "Fixer une valeur" not in valuation
    response = await form(caf, "/staff/valuation", {"kind": "room_half_day", "year": "2025", "value": "1"})
    assert response.status == 403
    home = text_of(await (await caf.get("/staff")).text())
    assert "Proposer une séance" in home and "Modération" not in home and "Lieux" not in home


async def test_accounts_for_a_partner_are_made_by_organizers(app, organizer, make_client):
    await add_partner(app, "caf-35", "CAF d'Ille-et-Vilaine")
    response = await form(
        organizer, "/staff/partners/caf-35/accounts", {"account_name": "caf", "account_password": PASSWORD}
    )
    assert response.status == 200
    caf = await login(await make_client(), "caf")
    assert "CAF d&#39;Ille-et-Vilaine" in await (await caf.get("/partenaire")).text()
    response = await form(
        organizer, "/staff/partners/caf-35/accounts", {"account_name": "caf", "account_password": PASSWORD}
    )
    assert response.status == 422 and "existe déjà" in await response.text()
    await create_user(app, "anim", "facilitator")
    anim = await login(await make_client(), "anim")
    response = await form(anim, "/staff/partners/caf-35/accounts", {"account_name": "x", "account_password": PASSWORD})
    assert response.status == 403


def test_the_command_line_makes_a_partner_account(tmp_path, capsys, monkeypatch):
    config = tmp_path / "quartier.yaml"
    config.write_text("database: q.db\nsecret_key: x\n", encoding="utf-8")
    example = tmp_path / "p.yaml"
    example.write_text('partners:\n  - {key: caf-35, name: "CAF d\'Ille-et-Vilaine", short_name: CAF}\n')
    assert main(["import", str(example), "--config", str(config)]) == 0
    cases = [
        (["--role", "partner", "--organisation", "CAF"], 0, "Compte « caf » créé (partner)."),
        (["--role", "partner"], 2, "un compte partner appartient à une organisation"),
        (
            ["--role", "partner", "--organisation", "nowhere"],
            2,
            "aucune organisation « nowhere » parmi les partenaires",
        ),
        (
            ["--role", "organizer", "--organisation", "caf-35"],
            2,
            "seul un compte partner appartient à une organisation",
        ),
    ]
    for i, (args, code, message) in enumerate(cases):
        monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
        capsys.readouterr()
        assert main(["user", "add", f"caf{i or ''}", *args, "--password-stdin", "--config", str(config)]) == code
        out = capsys.readouterr()
        assert message in (out.out + out.err), args
    db = sqlite3.connect(tmp_path / "q.db")
    assert db.execute("SELECT name, role, organisation FROM users").fetchall() == [("caf", "partner", 1)]


async def test_the_partner_role_migration_keeps_every_account_session_and_token(tmp_path):
    """The users table is rebuilt to widen its role check: nothing that refers to it may go."""
    path = tmp_path / "old.db"
    db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    db.execute("PRAGMA foreign_keys = ON")
    core_migrations.apply(db, stop_before="0002_partner_accounts")
    db.execute("INSERT INTO users (id, name, role, password_hash, created) VALUES (1, 'orga', 'organizer', 'h', 0)")
    db.execute("INSERT INTO staff_sessions (id, user_id, created, expires) VALUES ('s', 1, 0, 9e9)")
    db.execute("INSERT INTO api_tokens (token_hash, user_id, created) VALUES ('t', 1, 0)")
    db.conn.close()
    database = Database(path)
    await database.open()
    try:
        assert await database.fetchall("SELECT user_id FROM staff_sessions") == [{"user_id": 1}]
        assert await database.fetchall("SELECT user_id FROM api_tokens") == [{"user_id": 1}]
        assert await database.fetchall("PRAGMA foreign_key_check") == []
        await auth.add_user(database, "caf", "partner", PASSWORD, 7)
        with pytest.raises(sqlite3.IntegrityError):  # a partner account without organisation cannot exist
            await database.write(
                lambda tx: tx.execute(
                    "INSERT INTO users (name, role, password_hash, created) VALUES ('x', 'partner', 'h', 0)"
                )
            )
    finally:
        await database.close()
