"""Facilitators moderate: publish, hide, edit, move, merge, pin, decisions and actions, delete.

Pending notes travel only on the private moderation channel; the public board channel
carries published notes and what happens to them.
"""

import asyncio
import json
import re

import pytest
from aiohttp import WSServerHandshakeError

from forum import queries
from quartier.typedefs import DB
from tests.conftest import form, text_of

from .conftest import make_board, public_texts


async def post(client, board, text, **kw):
    response = await client.post(f"/api/v1/boards/{board['id']}/notes", json={"text": text, **kw})
    assert response.status == 201, await response.text()
    return await response.json()


async def moderate(client, note_id, key=None, **body):
    params = {"key": key} if key else None
    return await client.post(f"/api/v1/notes/{note_id}/moderation", json=body, params=params)


async def receive(ws, timeout=1.0):
    out = []
    while True:
        try:
            msg = await ws.receive(timeout=timeout)
        except TimeoutError:
            return out
        out.append(json.loads(msg.data))
        timeout = 0.2


async def test_anonymous_residents_cannot_follow_the_moderation_queue(client, pre_board):
    for query in (f"moderation:{pre_board['id']}", f"board:{pre_board['id']},moderation:{pre_board['id']}"):
        with pytest.raises(WSServerHandshakeError) as e:
            await client.ws_connect(f"/ws?channels={query}")
        assert e.value.status == 403
    with pytest.raises(WSServerHandshakeError):
        await client.ws_connect(f"/ws?channels=moderation:{pre_board['id']}&key=wrong")
    other = await make_board(client.server.app, "pre")
    with pytest.raises(WSServerHandshakeError):  # one board's key opens no other board's queue
        await client.ws_connect(f"/ws?channels=moderation:{other['id']}&key={pre_board['key']}")


async def test_pending_notes_reach_the_queue_and_never_the_public_channel(client, make_client, facilitator, pre_board):
    bid = pre_board["id"]
    public = await client.ws_connect(f"/ws?channels=board:{bid}")
    linked = await (await make_client()).ws_connect(f"/ws?channels=moderation:{bid}&key={pre_board['key']}")
    staff = await facilitator.ws_connect(f"/ws?channels=moderation:{bid}")
    await asyncio.sleep(0.05)
    note = await post(await make_client(), pre_board, "Une salle pour les devoirs")
    assert await receive(public, 0.5) == []
    for ws in (linked, staff):
        [msg] = await receive(ws)
        assert (
            msg["type"] == "note"
            and msg["data"]["status"] == "pending"
            and msg["data"]["text"] == "Une salle pour les devoirs"
        )
    assert (await moderate(facilitator, note["id"], action="publish")).status == 200
    [msg] = await receive(public)
    assert msg["type"] == "note.published" and msg["data"]["text"] == "Une salle pour les devoirs"
    assert "status" not in msg["data"]
    assert (await moderate(facilitator, note["id"], action="hide")).status == 200
    [msg] = await receive(public)
    assert msg == {**msg, "type": "note.removed", "data": {"id": note["id"]}}
    for ws in (public, linked, staff):
        await ws.close()


async def test_the_facilitator_link_opens_the_console_and_moderation_without_an_account(client, pre_board):
    bid = pre_board["id"]
    note = await post(client, pre_board, "Des cours d'informatique")
    response = await client.get(f"/forum/boards/{bid}/console", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/login")
    response = await client.get(f"/forum/boards/{bid}/console", params={"key": "nope"}, allow_redirects=False)
    assert response.status == 303
    console = await client.get(f"/forum/boards/{bid}/console", params={"key": pre_board["key"]})
    assert console.status == 200 and "Des cours d'informatique" in text_of(await console.text())
    assert console.headers["Cache-Control"] == "no-store"
    assert (await moderate(client, note["id"], action="publish")).status == 401
    assert (await moderate(client, note["id"], key="nope", action="publish")).status == 401
    assert (await moderate(client, note["id"], key=pre_board["key"], action="publish")).status == 200
    # The console's plain forms work too, and come back to the console with the key.
    response = await form(
        client, f"/forum/notes/{note['id']}/moderate?key={pre_board['key']}", {"action": "pin"}, allow_redirects=False
    )
    assert response.status == 303 and f"key={pre_board['key']}" in response.headers["Location"]
    notes = (await (await client.get(f"/api/v1/boards/{bid}/notes")).json())["notes"]
    assert notes[0]["pinned"] is True


async def test_a_new_link_revokes_the_old_one(client, organizer, pre_board):
    bid = pre_board["id"]
    assert (await client.get(f"/forum/boards/{bid}/console", params={"key": pre_board["key"]})).status == 200
    page = await (await organizer.get(f"/forum/boards/{bid}")).text()
    assert f"key={pre_board['key']}" in page  # shown to organizers (as a QR and a link)
    assert (await form(organizer, f"/forum/boards/{bid}/link", {}, allow_redirects=False)).status == 303
    response = await client.get(f"/forum/boards/{bid}/console", params={"key": pre_board["key"]}, allow_redirects=False)
    assert response.status == 303


async def test_every_moderation_action(client, facilitator, post_board):
    bid = post_board["id"]
    a = await post(client, post_board, "Aide CAF en ligne", theme="accompagnement")
    b = await post(client, post_board, "Aide pour la CAF sur internet", theme="droits")
    c = await post(client, post_board, "Aide CAF", theme="autre")
    d = await post(client, post_board, "Un mot de trop")

    async def ok(note, **body):
        response = await moderate(facilitator, note["id"], **body)
        assert response.status == 200, await response.text()
        return await response.json()

    await ok(a, action="edit", text="Aide pour la CAF en ligne")
    await ok(a, action="move", theme="droits")
    await ok(b, action="merge", into=a["id"])
    await ok(a, action="merge", into=c["id"])  # the group follows: c now stands for three notes
    await ok(c, action="decision")
    action = await ok(d, action="action", who="Mairie de quartier", due="2030-06-01")
    assert (action["kind"], action["who"], action["due"]) == ("action", "Mairie de quartier", "2030-06-01")
    notes = {n["id"]: n for n in (await (await client.get(f"/api/v1/boards/{bid}/notes")).json())["notes"]}
    assert set(notes) == {c["id"], d["id"]}
    assert notes[c["id"]]["count"] == 3 and sorted(notes[c["id"]]["merged"]) == sorted([a["id"], b["id"]])
    assert notes[c["id"]]["kind"] == "decision"
    all_notes = await client.server.app[DB].read(lambda db: queries.all_notes(db, bid))
    merged = {n["id"]: n for n in all_notes}
    assert merged[a["id"]]["text"] == "Aide pour la CAF en ligne" and merged[a["id"]]["theme"] == "droits"
    assert merged[a["id"]]["merged_into"] == merged[b["id"]]["merged_into"] == c["id"]
    deleted = await ok(d, action="delete")
    assert deleted == {"id": d["id"], "deleted": True}
    assert await public_texts(client, bid) == ["Aide CAF"]
    decisions = await client.server.app[DB].read(lambda db: queries.decisions(db, bid))
    assert [n["id"] for n in decisions] == [c["id"]]
    bad = await moderate(facilitator, c["id"], action="explode")
    assert bad.status == 422
    bad = await moderate(facilitator, c["id"], action="merge", into=c["id"])
    assert bad.status == 422
    bad = await moderate(facilitator, c["id"], action="action", due="demain")
    assert bad.status == 422


async def test_paper_and_spoken_notes_are_typed_in_by_the_team(client, facilitator, pre_board):
    bid = pre_board["id"]
    response = await form(
        facilitator,
        f"/forum/boards/{bid}/console/notes",
        {"source": "paper", "text": "Post-it : plus de bancs", "theme": "autre", "author": ""},
        allow_redirects=False,
    )
    assert response.status == 303
    response = await facilitator.post(
        f"/api/v1/boards/{bid}/notes", json={"text": "Dit à voix haute", "source": "spoken"}
    )
    assert response.status == 201 and (await response.json())["status"] == "published"
    notes = (await (await client.get(f"/api/v1/boards/{bid}/notes")).json())["notes"]
    assert [(n["text"], n["source"]) for n in notes] == [
        ("Post-it : plus de bancs", "paper"),
        ("Dit à voix haute", "spoken"),
    ]


INJECTIONS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "{{ 7*7777 }} {% raw %}",  # would read 54439 if a template ever evaluated it
    "\"'><svg onload=alert(1)>",
]


async def test_injection_attempts_are_shown_as_text_everywhere(client, facilitator, post_board):
    bid = post_board["id"]
    for text in INJECTIONS:
        await post(client, post_board, text, author="<b>Bob</b>")
    wall = await (await client.get(f"/forum/boards/{bid}/wall")).text()
    console = await (await facilitator.get(f"/forum/boards/{bid}/console")).text()
    for page in (wall, console):
        assert "<script>alert" not in page and "<img src=x" not in page and "<svg onload" not in page
        assert "<b>Bob</b>" not in page
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
        assert "{{ 7*7777 }}" in page and "54439" not in text_of(page)
    api = (await (await client.get(f"/api/v1/boards/{bid}/notes")).json())["notes"]
    assert [n["text"] for n in api] == INJECTIONS  # the API gives the text as typed, as JSON data


async def test_staff_edit_themes_and_the_wall_follows(client, organizer, post_board):
    bid = post_board["id"]
    response = await form(
        organizer,
        f"/forum/boards/{bid}/themes",
        {"label-autre": "Idées en vrac", "new": "Santé"},
        allow_redirects=False,
    )
    assert response.status == 303
    board = await (await client.get(f"/api/v1/boards/{bid}")).json()
    assert [(t["slug"], t["label"]) for t in board["themes"]][-2:] == [("autre", "Idées en vrac"), ("sante", "Santé")]
    assert (await post(client, post_board, "Un médecin", theme="sante"))["status"] == "published"
    assert "Santé" in text_of(await (await client.get(f"/forum/boards/{bid}/wall")).text())


async def test_the_wall_shows_the_code_and_qr_and_no_staff_control(client, post_board):
    await post(client, post_board, "Visible")
    page = await (await client.get(f"/forum/boards/{post_board['id']}/wall")).text()
    assert post_board["code"] in page and 'class="qr"' in page
    assert f"/j/{post_board['code']}" in page
    assert "<form" not in page and "key=" not in page
    # Its only buttons pause and turn its pages (issue 26, WCAG 2.2.2): no staff control.
    assert re.findall(r'<button[^>]*id="([^"]+)"', page) == ["wall-pause", "wall-next"]
    assert page.count("<button") == 2
    assert f'data-live-channels="board:{post_board["id"]}"' in page
