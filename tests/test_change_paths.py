"""How a change travels (issue 15): one write transaction, then the bus carries it everywhere.

A note posted from a phone reaches the projection wall and a lobby screen, and a cancellation
reaches the iCal feed and a lobby screen, each through the one transaction that made it: the
screens follow the source channels their snapshot lists, and reading a snapshot writes nothing.
"""

from __future__ import annotations

import asyncio

from quartier.typedefs import DB
from tests.signage.helpers import add_session, add_site, pair, snapshot, today


def follow_url(screen: dict, snap: dict) -> str:
    return f"/ws?channels={','.join(snap['channels'])}&since={snap['version']}&token={screen['token']}"


async def receive_type(ws, wanted: str, timeout: float = 1.0) -> dict:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        message = await ws.receive_json(timeout=max(0.05, deadline - asyncio.get_running_loop().time()))
        if message["type"] == wanted:
            return message


async def test_a_phone_note_reaches_the_wall_and_a_lobby_screen_in_one_transaction(client, make_client, bearer, server):
    app = server.app
    await add_site(app)
    r = await client.post(
        "/api/v1/boards", headers=bearer, json={"title": "Le quartier", "moderation": "post", "site": "maurepas"}
    )
    board = await r.json()
    screen = await pair(client, bearer)
    snap = await (await snapshot(client, screen)).json()
    phone = await make_client()
    await phone.get(f"/j/{board['code']}")  # the resident opens the board's page first, as a phone does
    wall = await (await make_client()).ws_connect(f"/ws?channels=board:{board['id']}")
    lobby = await client.ws_connect(follow_url(screen, snap))
    before = app[DB].transactions

    r = await phone.post(f"/api/v1/boards/{board['id']}/notes", json={"text": "Un banc devant l'école"})
    assert r.status == 201, await r.text()
    assert (await receive_type(wall, "note.published"))["data"]["text"] == "Un banc devant l'école"
    await receive_type(lobby, "note.published")
    page = await (await client.get(f"/forum/boards/{board['id']}/wall")).text()
    shown = await (await snapshot(client, screen)).json()

    assert "Un banc devant l&#39;école" in page or "Un banc devant l'école" in page
    assert [n["text"] for n in shown["boards"][0]["notes"]] == ["Un banc devant l'école"]
    assert app[DB].transactions == before + 1
    await wall.close()
    await lobby.close()


async def test_a_cancellation_reaches_the_calendar_and_a_lobby_screen_in_one_transaction(client, bearer, server):
    app = server.app
    day = today(app)
    await add_site(app)
    session = await add_session(app, date=day.isoformat(), title="Aide CAF")
    screen = await pair(client, bearer)
    snap = await (await snapshot(client, screen)).json()
    lobby = await client.ws_connect(follow_url(screen, snap))
    before = app[DB].transactions

    r = await client.post(
        f"/api/v1/sessions/{session}/cancellations", headers=bearer, json={"date": day.isoformat(), "reason": "Grève"}
    )
    assert r.status in (200, 201), await r.text()
    await receive_type(lobby, "occurrence.cancelled")
    feed = await (await client.get("/calendar.ics")).text()
    shown = await (await snapshot(client, screen)).json()

    assert "STATUS:CANCELLED" in feed and "EXDATE" in feed
    assert next(s for s in shown["sessions"] if s["day"] == day.isoformat())["status"] == "cancelled"
    assert app[DB].transactions == before + 1
    await lobby.close()
