"""The agent's local server answers its own page only: another site's page (another host, another
port of the Pi, a sandboxed frame) can neither fake the page's heartbeat, which the browser watchdog
trusts, nor listen on its socket; and every page it serves carries a strict Content-Security-Policy."""

from __future__ import annotations

import aiohttp
import pytest

from .helpers import LocalAgent, free_port

STRANGERS = [
    {"Origin": "http://elsewhere.example"},
    {"Origin": "null"},  # a sandboxed frame, a file:// page
    {},  # a client that names no page
]


@pytest.fixture
async def agent(tmp_path):
    """An agent on its own (its server away): the local page and its endpoints are all there."""
    agent = await LocalAgent(f"http://127.0.0.1:{free_port()}", tmp_path / "agent").start()
    yield agent
    await agent.stop()


async def heartbeat(agent: LocalAgent, headers: dict[str, str]) -> int:
    async with aiohttp.ClientSession() as session:
        async with session.post(agent.url + "/heartbeat", json={"uptime": 5}, headers=headers) as r:
            return r.status


async def test_only_the_agents_own_page_may_send_the_heartbeat_its_watchdog_trusts(agent):
    other_port = f"http://127.0.0.1:{free_port()}"  # another service of the same Pi
    for headers in [*STRANGERS, {"Origin": other_port}, {"Origin": "https://127.0.0.1:" + str(agent.port)}]:
        assert await heartbeat(agent, headers) == 403, headers
    # The browser's own word wins: a request it calls cross-site is refused whatever it claims.
    for site in ("cross-site", "same-site", "none"):
        assert await heartbeat(agent, {"Origin": agent.url, "Sec-Fetch-Site": site}) == 403, site
    assert (await agent.status())["browser_heartbeat_age"] is None  # none of them counted
    # The page the agent serves, as Chromium sends its fetch.
    assert await heartbeat(agent, {"Origin": agent.url, "Sec-Fetch-Site": "same-origin"}) == 204
    assert (await agent.status())["browser_heartbeat_age"] is not None
    localhost = agent.url.replace("127.0.0.1", "localhost")  # the page opened as localhost is its own too
    async with aiohttp.ClientSession() as session:
        headers = {"Origin": localhost, "Host": f"localhost:{agent.port}"}
        async with session.post(agent.url + "/heartbeat", json={}, headers=headers) as r:
            assert r.status == 204


async def test_no_other_page_may_listen_on_the_agents_socket(agent):
    url = agent.url.replace("http", "ws") + "/events"
    async with aiohttp.ClientSession() as session:
        for headers in STRANGERS:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(url, headers=headers)
            assert refused.value.status == 403, headers
        async with session.ws_connect(url, origin=agent.url) as ws:
            await ws.send_str("ping")
            assert (await ws.receive_json(timeout=5))["type"] == "pong"


async def test_every_local_page_carries_a_strict_content_security_policy(agent):
    for path in ("/", "/pair", "/status.json", "/static/displays/pair.css", "/nowhere"):
        status, headers, _body = await agent.get(path)
        policy = dict(p.strip().split(" ", 1) for p in headers["Content-Security-Policy"].split(";"))
        assert policy["default-src"] == policy["script-src"] == policy["connect-src"] == "'self'", path
        assert "unsafe" not in headers["Content-Security-Policy"]  # no inline script, no eval
        assert policy["frame-ancestors"] == "'none'" and headers["X-Frame-Options"] == "DENY"
        assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
    # A page that DNS-rebinds a name to the Pi is refused, and told so under the same policy.
    async with aiohttp.ClientSession() as session:
        async with session.get(agent.url + "/", headers={"Host": "elsewhere.example"}) as r:
            assert r.status == 403 and "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
