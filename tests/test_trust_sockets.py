"""Cross-site WebSocket hijacking (issue 16, point 3), and access re-checked when it changes.

The review had a page on another port of the same host open `moderation:{id}` with a
logged-in facilitator's cookie and read pending notes. A socket authorised by a cookie now
needs the server's own Origin; tokens and facilitator keys are unaffected; a revoked link, a
logout or a revoked screen closes the sockets it opened.
"""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp import WSMsgType

from tests.conftest import form
from tests.forum.conftest import make_board
from tests.signage.helpers import add_site, pair

EVIL = "http://127.0.0.1:9999"  # another port of the same host: another origin


async def refused(client, url: str, **headers: str) -> int:
    with pytest.raises(aiohttp.WSServerHandshakeError) as e:
        await client.ws_connect(url, headers=headers)
    return e.value.status


async def closed_within(ws, seconds: float = 2.0) -> bool:
    """Whether the server closes the socket in time (changes it sends first are skipped)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        try:
            msg = await asyncio.wait_for(ws.receive(), max(0.01, deadline - asyncio.get_running_loop().time()))
        except TimeoutError:
            return False
        if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
            return True


async def test_a_staff_cookie_opens_no_private_channel_for_another_site(organizer, server):
    board = await make_board(server.app, "pre")
    url = f"/ws?channels=moderation:{board['id']}"
    assert await refused(organizer, url, Origin=EVIL) == 403
    own = f"http://{organizer.server.host}:{organizer.server.port}"
    ws = await organizer.ws_connect(url, headers={"Origin": own})  # the server's own page: fine
    await ws.close()
    ws = await organizer.ws_connect(url)  # no Origin (a script, not a page): its cookie is not forged
    await ws.close()
    # Public channels stay open to anyone, and a facilitator key works from anywhere.
    ws = await organizer.ws_connect(f"/ws?channels=board:{board['id']}", headers={"Origin": EVIL})
    await ws.close()
    ws = await organizer.ws_connect(f"{url}&key={board['key']}", headers={"Origin": EVIL})
    await ws.close()


async def test_a_screen_cookie_opens_nothing_for_another_site(client, bearer, server):
    await add_site(server.app)
    screen = await pair(client, bearer)
    await client.get(f"/screens/{screen['id']}?token={screen['token']}")  # sets the screen cookie
    url = f"/ws?channels=display:{screen['id']}"
    assert await refused(client, url, Origin=EVIL) == 403
    ws = await client.ws_connect(f"{url}&token={screen['token']}", headers={"Origin": EVIL})  # a token is fine
    await ws.close()


async def test_a_new_facilitator_link_closes_the_consoles_of_the_old_one(client, organizer, server):
    board = await make_board(server.app, "pre")
    ws = await client.ws_connect(f"/ws?channels=moderation:{board['id']}&key={board['key']}")
    staff_ws = await organizer.ws_connect(f"/ws?channels=moderation:{board['id']}")
    r = await form(organizer, f"/forum/boards/{board['id']}/link", {}, allow_redirects=False)
    assert r.status in (200, 303)
    assert await closed_within(ws)
    assert not await closed_within(staff_ws, 0.3)  # staff's own session still holds
    await staff_ws.close()


async def test_a_logout_closes_the_sockets_of_its_session(organizer, server):
    board = await make_board(server.app, "pre")
    ws = await organizer.ws_connect(f"/ws?channels=moderation:{board['id']}")
    r = await form(organizer, "/logout", {}, allow_redirects=False)
    assert r.status in (200, 303)
    assert await closed_within(ws)


async def test_a_revoked_screen_loses_its_socket(client, bearer, server):
    await add_site(server.app)
    screen = await pair(client, bearer)
    ws = await client.ws_connect(f"/ws?channels=display:{screen['id']}&token={screen['token']}")
    r = await client.post(f"/api/v1/displays/{screen['id']}/revoke", headers=bearer)
    assert r.status == 200
    assert await closed_within(ws)
