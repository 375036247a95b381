"""One device is one voice (issue 16, point 1): device ids are issued by the server and signed.

An outside review made up 40 device cookies and got 40 dots on a budget-1 round, 20 feedback
answers for one occurrence, 12 members in one team and 40 notes without a 429. A made-up
cookie is now no device at all, and new ids come to one address at a bounded rate.
"""

from __future__ import annotations

import dataclasses
import secrets

import pytest
from aiohttp.test_utils import TestClient

from quartier import devices
from quartier.app import create_app
from quartier.typedefs import DB
from tests.forum.conftest import make_board
from tests.reports.test_feedback import ANSWER, past_session


def forged() -> str:
    """What the review did: any 22-64 character value, unsigned, or signed with another secret."""
    return secrets.token_urlsafe(24)


async def client_with_cookie(make_client, value: str) -> TestClient:
    c = await make_client()
    c.session.cookie_jar.update_cookies({devices.COOKIE: value})
    return c


async def make_make_up(make_client, value: str) -> TestClient:
    return await client_with_cookie(make_client, value)


def test_only_a_value_the_server_signed_is_a_device():
    issued = devices.issue("secret")
    assert devices.verify("secret", issued) == issued
    assert devices.verify("another secret", issued) is None
    assert devices.verify("secret", forged()) is None
    value, signature = issued.split(".")
    assert devices.verify("secret", f"{value}x.{signature}") is None
    assert devices.verify("secret", None) is None and devices.verify("secret", "a" * 500) is None


async def test_a_made_up_cookie_is_replaced_by_an_issued_one(client, make_client):
    made_up = forged()
    r = await (await make_make_up(make_client, made_up)).get("/")
    issued = r.cookies[devices.COOKIE].value
    assert issued != made_up and devices.verify("test-secret-key", issued)  # the server gave it a real one
    c = await client_with_cookie(make_client, issued)
    assert devices.COOKIE not in (await c.get("/")).cookies  # and a real one is kept as it is


async def test_forged_cookies_buy_no_dots(client, make_client, server):
    board = await make_board(server.app, "post", site="maurepas")
    note = (await (await client.post(f"/api/v1/boards/{board['id']}/notes", json={"text": "Du wifi"})).json())["id"]
    r = await client.post(
        f"/api/v1/boards/{board['id']}/rounds", json={"title": "Un seul", "budget": 1}, params={"key": board["key"]}
    )
    assert r.status == 201, await r.text()
    real = await make_client()
    await real.get("/")  # a resident's phone: it opened a page, it holds an issued id
    assert (await real.post(f"/api/v1/notes/{note}/votes", json={})).status == 201
    assert (await real.post(f"/api/v1/notes/{note}/votes", json={})).status == 409  # its budget is 1
    answers = []
    for _ in range(40):
        c = await client_with_cookie(make_client, forged())
        answers.append((await c.post(f"/api/v1/notes/{note}/votes", json={})).status)
    assert set(answers) == {409}  # "votre appareil n'est pas reconnu": no dot for a made-up device
    dots = (await server.app[DB].fetchone("SELECT count(*) AS n FROM forum_votes"))["n"]
    assert dots == 1


@pytest.fixture
def few_new_devices(settings):
    return dataclasses.replace(settings, new_devices_per_hour_address=10)  # bursts of 5


async def test_new_device_ids_come_to_one_address_at_a_bounded_rate(few_new_devices):
    """Clearing cookies (or forging them) gets at most that many voices: 20 tries, 5 answers."""
    from aiohttp.test_utils import TestServer

    app = create_app(few_new_devices)
    server = TestServer(app)
    await server.start_server()
    clients = []
    try:
        id, day = await past_session(app)
        statuses = []
        for _ in range(20):
            c = TestClient(server)
            await c.start_server()
            clients.append(c)
            c.session.cookie_jar.update_cookies({devices.COOKIE: forged()})
            r = await c.post(f"/api/v1/sessions/{id}/feedback", json={"date": day.isoformat(), "answers": ANSWER})
            statuses.append(r.status)
        assert statuses.count(201) == 5
        refused = [s for s in statuses if s != 201]
        assert set(refused) == {429}
        assert (await app[DB].fetchone("SELECT count(*) AS n FROM feedback_answers"))["n"] == 5
    finally:
        for c in clients:
            await c.close()
        await server.close()


async def test_forged_cookies_share_the_address_bucket_for_notes(make_client, server):
    board = await make_board(server.app, "post", site="maurepas")
    statuses = []
    for n in range(40):
        c = await client_with_cookie(make_client, forged())
        r = await c.post(f"/api/v1/boards/{board['id']}/notes", json={"text": f"Note {n}"})
        statuses.append(r.status)
    assert statuses[:10] == [201] * 10 and 429 in statuses[10:]  # one device's 10 a minute, for all of them
