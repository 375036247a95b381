"""What residents say stays theirs (issue 16, point 2): what staff remove leaves the bus history.

The review posted a note with a phone number, had staff delete, hide or edit it, and still
read it, text and author, from an anonymous `/ws?channels=board:{id}&since=0` for 14 days.
"""

from __future__ import annotations

import json

import pytest

from quartier.typedefs import DB, SETTINGS
from reports import minutes_compile, minutes_store
from tests.forum.conftest import make_board

PHONE = "Rappelez-moi au 06 12 34 56 78"


async def replay(client, channel: str) -> list[dict]:
    """Everything an anonymous client replays on a channel from the start of the history."""
    ws = await client.ws_connect(f"/ws?channels={channel}&since=0")
    messages = []
    try:
        while True:
            msg = await ws.receive(timeout=0.5)
            messages.append(json.loads(msg.data))
    except TimeoutError:
        pass
    await ws.close()
    return messages


def mentions(messages: list[dict], text: str) -> bool:
    return any(text in json.dumps(m, ensure_ascii=False) for m in messages)


@pytest.mark.parametrize("action", ["delete", "hide"])
async def test_a_removed_note_is_gone_from_the_public_history(client, server, action):
    board = await make_board(server.app, "post", site="maurepas")
    r = await client.post(f"/api/v1/boards/{board['id']}/notes", json={"text": PHONE, "author": "Nadia"})
    note = (await r.json())["id"]
    assert mentions(await replay(client, f"board:{board['id']}"), PHONE)  # it was public
    r = await client.post(f"/api/v1/notes/{note}/moderation", json={"action": action}, params={"key": board["key"]})
    assert r.status == 200, await r.text()
    history = await replay(client, f"board:{board['id']}")
    assert not mentions(history, PHONE) and not mentions(history, "Nadia")
    assert {"type": "note.removed", "id": note} in [{"type": m["type"], "id": m["data"].get("id")} for m in history]


async def test_an_edited_note_replays_as_it_is_now(client, server):
    board = await make_board(server.app, "post")
    r = await client.post(f"/api/v1/boards/{board['id']}/notes", json={"text": PHONE})
    note = (await r.json())["id"]
    r = await client.post(
        f"/api/v1/notes/{note}/moderation",
        json={"action": "edit", "text": "Rappelez-moi (numéro retiré)"},
        params={"key": board["key"]},
    )
    assert r.status == 200
    history = await replay(client, f"board:{board['id']}")
    assert not mentions(history, "06 12 34 56 78") and mentions(history, "numéro retiré")


async def test_a_deleted_note_leaves_the_vote_results_and_the_moderation_history(client, server, make_client):
    board = await make_board(server.app, "post")
    key = {"key": board["key"]}
    note = (await (await client.post(f"/api/v1/boards/{board['id']}/notes", json={"text": PHONE})).json())["id"]
    r = await client.post(f"/api/v1/boards/{board['id']}/rounds", json={"title": "Priorités"}, params=key)
    round_id = (await r.json())["id"]
    voter = await make_client()
    await voter.get("/")
    assert (await voter.post(f"/api/v1/notes/{note}/votes", json={})).status == 201
    await client.post(f"/api/v1/boards/{board['id']}/rounds/{round_id}/close", json={}, params=key)
    await client.post(f"/api/v1/notes/{note}/moderation", json={"action": "delete"}, params=key)
    rounds = (await (await client.get(f"/api/v1/boards/{board['id']}/rounds")).json())["rounds"]
    assert PHONE not in json.dumps(rounds, ensure_ascii=False)
    assert rounds[0]["ranking"][0]["votes"] == 1  # the closed result keeps its count
    assert not mentions(await replay(client, f"board:{board['id']}"), PHONE)
    ws = await client.ws_connect(f"/ws?channels=moderation:{board['id']}&since=0&key={board['key']}")
    private = []
    try:
        while True:
            private.append(json.loads((await ws.receive(timeout=0.5)).data))
    except TimeoutError:
        pass
    await ws.close()
    assert private and not mentions(private, PHONE)


async def test_retention_purges_the_history_with_the_notes(client, server):
    board = await make_board(server.app, "post")
    await client.post(f"/api/v1/boards/{board['id']}/notes", json={"text": PHONE, "author": "Nadia"})
    db = server.app[DB]
    tz = server.app[SETTINGS].tz
    await db.write(lambda tx: minutes_compile.compile_tx(tx, board["id"], tz))
    await db.write(lambda tx: minutes_store.publish_tx(tx, board["id"], "staff", now=1.0))
    purged = await db.write(lambda tx: minutes_store.purge_due_tx(tx, 1))
    assert purged == [board["id"]]
    rows = await db.fetchall("SELECT data FROM changes")
    assert not any(PHONE in r["data"] or "Nadia" in r["data"] for r in rows)
