"""Residents post notes without an account, by JSON or a plain form, and get clear refusals."""

import pytest

from forum import posting, store
from quartier.settings import SettingsError, load
from quartier.typedefs import DB, LIMITER, SETTINGS
from tests.conftest import form, text_of
from tests.events.helpers import add_session, add_site

from .conftest import public_texts


async def test_a_note_posted_as_json_is_on_the_wall_of_a_post_moderated_board(client, post_board):
    response = await client.post(
        f"/api/v1/boards/{post_board['id']}/notes",
        json={"text": "  Plus d'ateliers le samedi  ", "theme": "accompagnement", "author": "Awa"},
    )
    assert response.status == 201
    body = await response.json()
    assert body["status"] == "published" and isinstance(body["id"], int)
    notes = (await (await client.get(f"/api/v1/boards/{post_board['id']}/notes")).json())["notes"]
    assert [(n["text"], n["theme"], n["author"], n["source"]) for n in notes] == [
        ("Plus d'ateliers le samedi", "accompagnement", "Awa", "phone")
    ]


async def test_in_pre_moderation_a_note_waits_until_a_facilitator_publishes_it(client, facilitator, pre_board):
    response = await client.post(f"/api/v1/boards/{pre_board['id']}/notes", json={"text": "Du wifi"})
    note = await response.json()
    assert note["status"] == "pending"
    assert await public_texts(client, pre_board["id"]) == []
    response = await facilitator.post(f"/api/v1/notes/{note['id']}/moderation", json={"action": "publish"})
    assert response.status == 200 and (await response.json())["status"] == "published"
    assert await public_texts(client, pre_board["id"]) == ["Du wifi"]


async def test_the_tablet_form_works_without_javascript(client, pre_board):
    url = f"/forum/boards/{pre_board['id']}/tablet"
    response = await form(
        client, url, {"text": "Une imprimante", "theme": "acces-libre", "author": ""}, allow_redirects=False
    )
    assert response.status == 303 and response.headers["Location"] == f"{url}?sent=pending"
    page = text_of(await (await client.get(response.headers["Location"])).text())
    assert "Merci ! Votre note sera sur le mur après relecture." in page


async def test_the_phone_page_is_reached_by_its_code_typed_any_way(client, post_board):
    code = post_board["code"]
    assert set(code) <= set(store.CODE_ALPHABET) and not set(code) & set("0O1lI")
    typed = f" {code[:2].lower()}-{code[2:]} "
    response = await client.get("/j", params={"code": typed}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == f"/j/{code}"
    page = await client.get(f"/j/{code}")
    assert "De quoi avez-vous besoin ?" in await page.text()
    response = await form(
        client, f"/j/{code}", {"text": "Un écrivain public", "theme": "droits"}, allow_redirects=False
    )
    assert response.status == 303
    assert await public_texts(client, post_board["id"]) == ["Un écrivain public"]
    unknown = await client.get("/j", params={"code": "ZZZZZ9"})
    assert unknown.status == 404 and "aucun tableau" in await unknown.text()


@pytest.mark.parametrize(
    "payload, status, french, english",
    [
        ({"text": ""}, 422, "La note est vide", "The note is empty"),
        ({"text": "   \u202e  "}, 422, "La note est vide", "The note is empty"),
        ({"text": "x" * 281}, 422, "281 caractères, 280 au plus", "281 characters, 280 at most"),
        ({"text": 12}, 422, "La note doit être du texte", "The note must be text"),
        ({"text": "ok", "theme": "inconnu"}, 422, "Ce thème n'existe pas", "This theme does not exist"),
        ({"text": "ok", "source": "paper"}, 403, "Seule l'équipe", "Only the team"),
    ],
)
async def test_bad_notes_get_a_clear_4xx_in_the_users_language(client, post_board, payload, status, french, english):
    url = f"/api/v1/boards/{post_board['id']}/notes"
    response = await client.post(url, json=payload)
    assert response.status == status
    assert french in (await response.json())["error"]["message"]
    response = await client.post(url, json=payload, headers={"Accept-Language": "en"})
    assert english in (await response.json())["error"]["message"]


async def test_malformed_bodies_are_refused_clearly(client, post_board):
    url = f"/api/v1/boards/{post_board['id']}/notes"
    response = await client.post(url, data=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status == 400 and (await response.json())["error"]["code"] == "invalid_json"
    response = await client.post(url, data=b"[1]", headers={"Content-Type": "application/json"})
    assert response.status == 400
    # A resident's anonymous call is JSON only: a cross-site form cannot send it.
    response = await client.post(url, data=b"text=hi", headers={"Content-Type": "text/plain"})
    assert response.status == 415
    assert (await client.post("/api/v1/boards/999/notes", json={"text": "x"})).status == 404


async def test_an_oversized_note_from_the_form_is_shown_back_with_the_message(client, post_board):
    url = f"/forum/boards/{post_board['id']}/tablet"
    response = await form(client, url, {"text": "y" * 300, "theme": "autre", "author": "Léa"})
    assert response.status == 422
    page = await response.text()
    assert "300 caractères, 280 au plus" in text_of(page) and "Léa" in page


async def test_a_closed_board_is_read_only(client, facilitator, post_board):
    posted = await (await client.post(f"/api/v1/boards/{post_board['id']}/notes", json={"text": "avant"})).json()
    response = await form(
        facilitator, f"/forum/boards/{post_board['id']}/state", {"state": "closed"}, allow_redirects=False
    )
    assert response.status == 303
    response = await client.post(f"/api/v1/boards/{post_board['id']}/notes", json={"text": "après"})
    assert response.status == 409 and "fermé" in (await response.json())["error"]["message"]
    response = await form(client, f"/forum/boards/{post_board['id']}/tablet", {"text": "après", "theme": "autre"})
    assert response.status == 409 and "fermé" in await response.text()
    response = await facilitator.post(f"/api/v1/notes/{posted['id']}/moderation", json={"action": "hide"})
    assert response.status == 409
    assert await public_texts(client, post_board["id"]) == ["avant"]
    board = await (await client.get(f"/api/v1/boards/{post_board['id']}")).json()
    assert board["state"] == "closed"
    assert "ne peut plus y ajouter" in text_of(
        await (await client.get(f"/forum/boards/{post_board['id']}/tablet")).text()
    )


async def test_rate_limits_are_per_device_so_a_shared_address_still_works(make_client, post_board):
    url = f"/api/v1/boards/{post_board['id']}/notes"
    flooder, neighbour = await make_client(), await make_client()
    for c in (flooder, neighbour):
        await c.get("/healthz")  # both get their device cookie; same address 127.0.0.1
    statuses = [(await flooder.post(url, json={"text": f"spam {i}"})).status for i in range(15)]
    assert statuses.count(201) == 10 and statuses[-1] == 429
    refused = await flooder.post(url, json={"text": "encore"}, headers={"Accept-Language": "en"})
    assert refused.status == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "seconds" in (await refused.json())["error"]["message"]
    assert (await neighbour.post(url, json={"text": "Bonjour, je suis une autre personne"})).status == 201


class TestLimitsFromSettings:
    @pytest.fixture
    def settings(self, settings):
        return settings.replace(forum_notes_per_minute=3)

    async def test_the_device_limit_comes_from_the_settings(self, make_client, post_board):
        """Issue 11: a place (or the posting benchmark) sets its limits; they still apply."""
        url = f"/api/v1/boards/{post_board['id']}/notes"
        device = await make_client()
        await device.get("/healthz")
        statuses = [(await device.post(url, json={"text": f"idée {i}"})).status for i in range(4)]
        assert statuses == [201, 201, 201, 429]


def test_a_limit_cannot_be_switched_off(tmp_path):
    config = tmp_path / "quartier.yaml"
    config.write_text("forum_notes_per_minute_board: 0\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="forum_notes_per_minute_board"):
        load(config)


async def test_the_board_has_its_own_limit_whatever_the_devices(server, make_client, post_board):
    limiter = server.app[LIMITER]
    rate, burst = posting.limits(server.app[SETTINGS])["board"]
    for _ in range(burst):  # a busy room has spent the board's burst
        await limiter.hit(f"forum-board:{post_board['id']}", per_minute=rate, burst=burst)
    fresh = await make_client()
    await fresh.get("/healthz")
    assert (await fresh.post(f"/api/v1/boards/{post_board['id']}/notes", json={"text": "x"})).status == 429


async def test_staff_create_boards_through_the_api(client, bearer, server):
    await add_site(server.app, slug="cleunay", name="ESC Cleunay")
    session = await add_session(server.app, site="cleunay", kind="forum")
    payload = {
        "title": "Forum Cleunay",
        "prompt": "Vos idées ?",
        "moderation": "post",
        "site": "cleunay",
        "session": session,
    }
    assert (await client.post("/api/v1/boards", json=payload)).status == 401
    response = await client.post("/api/v1/boards", json=payload, headers=bearer)
    assert response.status == 201
    created = await response.json()
    assert set(created) == {"id", "code"} and len(created["code"]) == store.CODE_LENGTH
    board = await (await client.get(f"/api/v1/boards/{created['id']}")).json()
    assert (board["site"], board["session"], board["moderation"], board["state"]) == (
        "cleunay",
        session,
        "post",
        "open",
    )
    assert [t["slug"] for t in board["themes"]] == ["acces-libre", "accompagnement", "droits", "autre"]
    assert board["join_url"] == f"http://quartier.test/j/{created['code']}"
    bad = await client.post("/api/v1/boards", json={"title": "x", "moderation": "sometimes"}, headers=bearer)
    assert bad.status == 422
    listed = await (await client.get("/api/v1/boards", params={"site": "cleunay"})).json()
    assert [b["id"] for b in listed["boards"]] == [created["id"]]


async def test_a_board_refers_to_a_real_place_and_session_of_the_programme(client, bearer, server):
    await add_site(server.app, slug="cleunay", name="ESC Cleunay")
    await add_site(server.app)  # maurepas
    session = await add_session(server.app, site="maurepas", kind="forum")
    for payload, code in [
        ({"title": "x", "site": "atlantis"}, "unknown_site"),
        ({"title": "x", "session": 9999}, "unknown_session"),
        ({"title": "x", "site": "cleunay", "session": session}, "invalid_field"),
    ]:
        response = await client.post("/api/v1/boards", json=payload, headers=bearer)
        assert response.status == 422 and (await response.json())["error"]["code"] == code
    response = await client.post("/api/v1/boards", json={"title": "Forum", "session": session}, headers=bearer)
    board = await (await client.get(f"/api/v1/boards/{(await response.json())['id']}")).json()
    assert board["site"] == "maurepas"  # the session's place


async def test_a_retried_note_with_the_same_idempotency_key_is_recorded_once(client, app, organizer):
    """The tablet's queue resends a note whose answer was lost: the server answers as the first time (issue 23)."""
    board = await app[DB].write(lambda tx: store.create_board_tx(tx, title="Forum", moderation="pre"))
    key = {"Idempotency-Key": "0b7e1c2a-5d4f-4a3b-9c8d-7e6f5a4b3c2d"}
    url = f"/api/v1/boards/{board['id']}/notes"
    first = await client.post(url, json={"text": "Une idée"}, headers=key)
    assert first.status == 201 and "Idempotent-Replayed" not in first.headers
    again = await client.post(url, json={"text": "Une idée"}, headers=key)
    assert again.status == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert await again.json() == await first.json() == {"id": (await first.json())["id"], "status": "pending"}
    assert (await app[DB].fetchone("SELECT count(*) AS n FROM forum_notes"))["n"] == 1
    # Another key is another note; a key names a note on its own board only.
    assert (await client.post(url, json={"text": "Une idée"}, headers={"Idempotency-Key": "b" * 36})).status == 201
    other = await app[DB].write(lambda tx: store.create_board_tx(tx, title="Autre", moderation="post"))
    r = await client.post(f"/api/v1/boards/{other['id']}/notes", json={"text": "Une idée"}, headers=key)
    assert (await r.json())["id"] != (await first.json())["id"]
    # A facilitator deletes the note: a late retry does not bring it back.
    note = (await first.json())["id"]
    r = await organizer.post(f"/api/v1/notes/{note}/moderation", json={"action": "delete"})
    assert r.status == 200, await r.text()
    assert (await client.post(url, json={"text": "Une idée"}, headers=key)).status == 201
    assert (await app[DB].fetchone("SELECT count(*) AS n FROM forum_notes WHERE id = ?", (note,)))["n"] == 0
    left = await app[DB].fetchone("SELECT count(*) AS n FROM forum_notes WHERE board_id = ?", (board["id"],))
    assert left["n"] == 1
    bad = await client.post(url, json={"text": "Une idée"}, headers={"Idempotency-Key": "court"})
    assert bad.status == 422 and (await bad.json())["error"]["code"] == "invalid_key"
