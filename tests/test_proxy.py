"""Behind a reverse proxy (deploy/nginx.conf), residents are told apart by their own address.

Every request reaches the server from the proxy's address; with `trusted_proxies` naming it,
the visitor's address is the hop the proxy added to X-Forwarded-For, so one person's login
guesses or cookie-less posts do not spend the whole city's budget. From anyone else the
headers are ignored: a visitor cannot make up a new address for each guess.
"""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from quartier.app import create_app
from quartier.settings import Settings, SettingsError, load

from .conftest import create_user, form


@pytest.fixture
async def behind_proxy(settings: Settings):
    app = create_app(Settings(**{**settings.__dict__, "trusted_proxies": ["127.0.0.1"]}))
    async with TestClient(TestServer(app)) as client:
        await create_user(app, "anim", "facilitator")
        yield client


async def failed_logins(client, name: str, count: int, forwarded=lambda n: "") -> list[int]:
    statuses = []
    for n in range(count):
        headers = {"X-Forwarded-For": forwarded(n)} if forwarded(n) else {}
        response = await form(client, "/login", {"name": f"{name}{n}", "password": "bad password"}, headers=headers)
        statuses.append(response.status)
    return statuses


async def test_the_login_throttle_counts_each_visitor_behind_the_proxy_apart(behind_proxy):
    guesser = await failed_logins(behind_proxy, "a", 12, lambda n: "10.0.0.9, 203.0.113.7")
    assert guesser[:10] == [401] * 10 and guesser[-1] == 429
    # A colleague at another address, through the same proxy, is not locked out by the guesser.
    assert await failed_logins(behind_proxy, "b", 3, lambda n: "198.51.100.4") == [401] * 3


async def test_a_visitor_talking_to_the_server_directly_cannot_forge_an_address(client, server):
    statuses = await failed_logins(client, "c", 12, lambda n: f"203.0.113.{n}")  # a new address each guess
    assert statuses[:10] == [401] * 10 and statuses[-1] == 429


async def test_the_proxy_says_the_visitor_came_over_https(behind_proxy):
    origin = f"https://{behind_proxy.host}:{behind_proxy.port}"
    note = {"text": "Un banc devant la maison de quartier"}
    refused = await behind_proxy.post("/api/v1/boards/999/notes", json=note, headers={"Origin": origin})
    assert refused.status == 403  # an https page, seen as http: another origin
    relayed = await behind_proxy.post(
        "/api/v1/boards/999/notes", json=note, headers={"Origin": origin, "X-Forwarded-Proto": "https"}
    )
    assert relayed.status == 404  # past the origin check: there is no board 999


def test_trusted_proxies_must_be_addresses(tmp_path):
    config = tmp_path / "quartier.yaml"
    config.write_text("trusted_proxies: [nginx]\n", encoding="utf-8")
    with pytest.raises(SettingsError) as e:
        load(config)
    assert "quartier.yaml:1" in str(e.value) and "127.0.0.1" in str(e.value)
