"""No one gets in where they don't belong (issue 12), route by route.

Extends tests/test_auth.py (anonymous reaches no staff route): every route that a
facilitator link, a voting-tablet link or a display token opens is called with the
credential of *another* board or screen, and must refuse; every form route refuses
a POST without its CSRF token; guessing pairing codes is throttled.
"""

from __future__ import annotations

import pytest

from quartier.typedefs import ACCESS

from .conftest import csrf_for
from .hostile import client_for, concrete, is_api, make_world, routes_of, server  # noqa: F401


@pytest.fixture
async def world(server, make_client):  # noqa: F811
    return await make_world(server, make_client)


def routes_opened_by(app, check_name: str):
    return [r for r in routes_of(app) if check_name in app[ACCESS][r.name].name]


async def test_a_facilitator_link_opens_only_its_own_board(server, world, make_client):  # noqa: F811
    app = server.app
    stranger = await make_client()
    boards = [b["id"] for b in world.ids["boards"]]
    assert len(boards) >= 2, "the demo has several boards"
    a, b = boards[0], boards[1]
    note_of_a = world.ids["note"]
    checked = []
    for route in routes_opened_by(app, "facilitator_link"):
        target = concrete(route, world.ids, id=note_of_a if "/notes/" in route.resource.canonical else a)
        for key, should_open in ((world.keys[b], False), ("0" * 32, False), (world.keys[a], True)):
            kw = {"json": {}} if is_api(route) else {"data": {"csrf_token": csrf_for(stranger)}}
            if route.method == "GET":
                kw = {}
            response = await stranger.request(route.method, f"{target}?key={key}", allow_redirects=False, **kw)
            if should_open:
                assert response.status not in (401, 403) and not (
                    response.status == 303 and response.headers["Location"].startswith("/login")
                ), (target, response.status)
            else:
                refused = response.status in (401, 403) or (
                    response.status == 303 and response.headers["Location"].startswith("/login")
                )
                assert refused, f"{route.method} {target} with board {b}'s key answered {response.status}"
        checked.append(route.name)
    assert {"forum_console", "forum_moderate", "api_moderate", "forum_state"} <= set(checked)


async def test_a_voting_tablet_link_opens_only_its_own_board(server, world, make_client):  # noqa: F811
    app = server.app
    stranger = await make_client()
    await stranger.get("/healthz")
    a, b = (x["id"] for x in world.ids["boards"][:2])
    routes = routes_opened_by(app, "kiosk_link")
    assert routes
    for route in routes:
        target = concrete(route, world.ids, id=a)
        kw = {} if route.method == "GET" else {"data": {"csrf_token": csrf_for(stranger)}}
        response = await stranger.request(route.method, f"{target}?kiosk={world.kiosk[b]}", allow_redirects=False, **kw)
        assert response.status in (401, 403) or response.headers.get("Location", "").startswith("/login"), target


async def test_a_display_token_opens_only_its_own_screen(server, world, make_client):  # noqa: F811
    app = server.app
    stranger = await make_client()
    (a, token_a), (b, token_b) = list(world.display_tokens.items())[:2]
    routes = routes_opened_by(app, "display_token")
    assert {"api_display_snapshot", "api_display_heartbeat", "screen"} <= {r.name for r in routes}
    for route in routes:
        kw = {} if route.method == "GET" else {"json": {}}
        for token, should_open in ((token_b, False), ("qd_" + "x" * 40, False), (token_a, True)):
            response = await stranger.request(
                route.method,
                concrete(route, world.ids, id=a),
                headers={"Authorization": f"Bearer {token}"},
                allow_redirects=False,
                **kw,
            )
            if should_open:
                assert response.status < 400, (route.name, response.status)
            else:
                assert response.status in (401, 403) or response.headers.get("Location", "").startswith("/login"), (
                    route.name,
                    response.status,
                )
    # Its channel too: screen B's token cannot follow screen A's changes.
    for token, allowed in ((token_b, False), (token_a, True)):
        ws_response = await stranger.get(
            f"/ws?channels=display:{a}&since=0&token={token}",
            headers={
                "Connection": "Upgrade",
                "Upgrade": "websocket",
                "Sec-WebSocket-Version": "13",
                "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            },
        )
        assert (ws_response.status == 101) == allowed, (token == token_a, ws_response.status)
        ws_response.close()


async def test_guessing_pairing_codes_is_throttled(server, world):  # noqa: F811
    statuses = []
    for i in range(14):
        response = await world.organizer.post(
            "/api/v1/displays/claim",
            headers=world.bearer,
            json={"code": f"ZZZZ{i:02d}", "site": "maurepas", "name": "Hall"},
        )
        statuses.append(response.status)
    assert statuses[:5] == [404] * 5 and statuses[-1] == 429, statuses
    assert int(response.headers["Retry-After"]) > 0
    # The staff form shares the account's budget.
    response = await world.organizer.post(
        "/staff/screens/claim",
        data={"csrf_token": csrf_for(world.organizer), "code": "ZZZZZZ", "site": "maurepas", "name": "Hall"},
        allow_redirects=False,
    )
    assert response.status == 429


async def test_every_form_route_refuses_a_post_without_its_csrf_token(server, world):  # noqa: F811
    app = server.app
    form_routes = [r for r in routes_of(app, unsafe=True) if not is_api(r)]
    assert len(form_routes) > 30
    for route in form_routes:
        target = concrete(route, world.ids)
        client = client_for(world, app, route)
        for data in ({}, {"csrf_token": "0" * 40}, {"csrf_token": csrf_for(client) + "x"}):
            response = await client.request(route.method, target, data={**data, "title": "x"}, allow_redirects=False)
            assert response.status == 403, f"{route.method} {target} without a valid token: {response.status}"
        # A cookie-authenticated JSON-looking call from a form is not possible; text/plain is refused.
        response = await client.request(
            route.method, target, data=b"title=x", headers={"Content-Type": "text/plain"}, allow_redirects=False
        )
        assert response.status == 415, target


async def test_a_partner_account_opens_only_the_routes_made_for_it(server, world):  # noqa: F811
    """Issue 18: the `partner` role gets in nowhere staff or organizers alone may go (forum moderation,
    the programme's staff pages, screens, reports, other partners' drafts in the proposals queue…)."""
    app = server.app
    checked = []
    for route in routes_of(app):
        access = app[ACCESS][route.name]
        if access.public or "partner" in (access.roles or ()):
            continue
        target = concrete(route, world.ids)
        kw = (
            {}
            if route.method == "GET"
            else ({"json": {}} if is_api(route) else {"data": {"csrf_token": csrf_for(world.partner)}})
        )
        response = await world.partner.request(route.method, target, allow_redirects=False, **kw)
        assert response.status in (401, 403), f"{route.method} {target} let a partner account in: {response.status}"
        checked.append(route.name)
    assert {
        "forum_console",
        "api_moderate",
        "commons_proposals",
        "commons_valuation_save",
        "events_staff_sessions",
    } <= set(checked)
    assert len(checked) > 100
    # Its own routes let it in.
    own = ("/partenaire", "/partenaire/propositions", "/staff/budget", "/staff/contributions", "/staff/valuation")
    for url in (*own, "/staff"):
        assert (await world.partner.get(url, allow_redirects=False)).status == 200, url
