""" "Enregistré" after a staff form saves (issue 23): one mechanism, a flash message after the
POST-redirect, in a role=status region, in the reader's language, shown once."""

import re

from quartier import flash
from tests.conftest import form
from tests.forum.conftest import make_board

SAVED = re.compile(r'<p class="notice flash" role="status">([^<]+)</p>')


def said(html: str) -> list[str]:
    return SAVED.findall(html)


async def test_each_staff_form_that_saves_says_so_once(organizer, server):
    # A site's form (events), a new forum board and its themes (forum).
    r = await form(organizer, "/staff/sites/new", {"slug": "le-blosne", "name": "ESC Le Blosne"})
    assert r.status == 200 and r.url.path == "/staff/sites"
    assert said(await r.text()) == ["Enregistré."]
    assert said(await (await organizer.get("/staff/sites")).text()) == []  # once only

    r = await form(organizer, "/forum", {"title": "Forum du Blosne", "moderation": "post", "site": "le-blosne"})
    assert r.status == 200 and r.url.path.startswith("/forum/boards/")
    assert said(await r.text()) == ["Enregistré."]
    board_id = r.url.path.rsplit("/", 1)[1]

    organizer.session.cookie_jar.update_cookies({"quartier_lang": "en"})
    r = await form(organizer, f"/forum/boards/{board_id}/themes", {"new": "Transports"})
    assert r.status == 200 and said(await r.text()) == ["Saved."]


async def test_no_message_after_a_refusal_nor_for_anonymous_pages(organizer, client, server):
    r = await form(organizer, "/staff/sites/new", {"slug": "Le Blosne", "name": ""})
    assert r.status == 422 and said(await r.text()) == []
    # A forged cookie on an anonymous page says nothing (the page cache must never keep one).
    client.session.cookie_jar.update_cookies({flash.COOKIE: "saved"})
    assert said(await (await client.get("/")).text()) == []
    # A forged code says nothing either; only the server's own messages are ever shown.
    organizer.session.cookie_jar.update_cookies({flash.COOKIE: "<b>hello</b>"})
    assert said(await (await organizer.get("/forum")).text()) == []


async def test_logging_out_saves_nothing(organizer):
    r = await form(organizer, "/logout", {}, allow_redirects=False)
    assert r.status == 303 and flash.COOKIE not in r.cookies


async def test_a_step_that_only_asks_says_nothing(facilitator, server):
    board = await make_board(server.app, "post")
    note = await facilitator.post(f"/api/v1/boards/{board['id']}/notes", json={"text": "Une note"})
    note_id = (await note.json())["id"]
    r = await form(facilitator, f"/forum/notes/{note_id}/moderate", {"action": "delete"})
    assert r.url.path == f"/forum/notes/{note_id}/delete" and said(await r.text()) == []
    r = await form(facilitator, f"/forum/notes/{note_id}/moderate", {"action": "delete", "confirm": "yes"})
    assert said(await r.text()) == ["Enregistré."]
