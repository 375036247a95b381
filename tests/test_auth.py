"""Staff accounts, sessions, tokens, throttling, CSRF, and route access."""

import re

import pytest
from aiohttp import web

from quartier import auth
from quartier.routing import Access
from quartier.typedefs import ACCESS, DB

from .conftest import PASSWORD, create_user, csrf_for, form, login


def test_passwords_are_hashed_with_scrypt_and_salted():
    a, b = auth.hash_password("secret password"), auth.hash_password("secret password")
    assert a.startswith("scrypt$") and a != b
    assert auth.verify_password("secret password", a)
    assert not auth.verify_password("wrong password", a)
    assert not auth.verify_password("secret password", "garbage")


async def test_login_sets_a_safe_cookie_and_opens_the_staff_area(client, server):
    await create_user(server.app, "Maëlle", "organizer")
    response = await form(
        client, "/login", {"name": "Maëlle", "password": PASSWORD, "next": "/staff"}, allow_redirects=False
    )
    assert response.status == 303 and response.headers["Location"] == "/staff"
    cookie = response.headers.getone("Set-Cookie")
    assert "quartier_staff=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # base_url is http in tests
    page = await client.get("/staff")
    assert page.status == 200 and "Maëlle" in await page.text()


async def test_wrong_password_is_refused_without_saying_which_part(client, server):
    await create_user(server.app, "anim", "facilitator")
    for name, password in [("anim", "nope nope nope"), ("nobody", PASSWORD)]:
        response = await form(client, "/login", {"name": name, "password": password})
        assert response.status == 401
        assert "Nom ou mot de passe incorrect" in await response.text()


async def test_session_is_rotated_at_login_and_ended_at_logout(client, server):
    await create_user(server.app, "anim", "facilitator")
    await login(client, "anim")
    first = {c.key: c.value for c in client.session.cookie_jar}["quartier_staff"]
    await login(client, "anim")
    second = {c.key: c.value for c in client.session.cookie_jar}["quartier_staff"]
    assert first != second
    assert await auth.user_for_session(server.app[DB], first) is None
    response = await client.post("/logout", data={"csrf_token": csrf_for(client)}, allow_redirects=False)
    assert response.status == 303
    assert await auth.user_for_session(server.app[DB], second) is None
    assert (await client.get("/staff", allow_redirects=False)).status == 303


async def test_login_is_throttled_with_retry_after(client, server):
    await create_user(server.app, "anim", "facilitator")
    statuses = [(await form(client, "/login", {"name": "anim", "password": "bad password"})).status for _ in range(12)]
    assert statuses[:10] == [401] * 10 and statuses[-1] == 429
    response = await form(client, "/login", {"name": "anim", "password": PASSWORD})
    assert response.status == 429 and int(response.headers["Retry-After"]) > 0


async def test_bearer_token_authenticates_scripts(client, bearer):
    assert (await client.get("/staff", headers=bearer)).status == 200
    response = await client.get("/staff", headers={"Authorization": "Bearer qt_forged"}, allow_redirects=False)
    assert response.status == 303


async def test_form_posts_need_a_csrf_token(client, server):
    await create_user(server.app, "anim", "facilitator")
    await client.get("/healthz")
    response = await client.post("/login", data={"name": "anim", "password": PASSWORD})
    assert response.status == 403 and "expiré" in await response.text()
    response = await client.post("/login", data={"name": "anim", "password": PASSWORD, "csrf_token": "0" * 40})
    assert response.status == 403


async def test_requests_from_another_origin_are_refused(client):
    response = await client.post("/logout", json={}, headers={"Origin": "https://evil.example"})
    assert response.status == 403


async def test_other_content_types_are_refused(client):
    response = await client.post("/logout", data=b"x", headers={"Content-Type": "text/plain"})
    assert response.status == 415


def path_for(resource) -> str:
    """A concrete path for a route, with every placeholder filled."""
    info = resource.get_info()
    if "path" in info:
        return info["path"]
    return re.sub(r"\{[^}]+\}", "1", info["formatter"])


async def test_no_protected_route_answers_an_anonymous_request(client, server):
    app = server.app
    protected = [
        route
        for route in app.router.routes()
        if route.name in app[ACCESS] and not app[ACCESS][route.name].public and route.method != "HEAD"
    ]
    assert protected, "the staff home at least is protected"
    await client.get("/healthz")
    for route in protected:
        path = path_for(route.resource)
        kw = {"json": {}} if route.method != "GET" else {}
        response = await client.request(route.method, path, allow_redirects=False, **kw)
        if response.status == 303:
            assert response.headers["Location"].startswith("/login"), path
        else:
            assert response.status in (401, 403, 404), f"{route.method} {path} answered {response.status}"


async def test_every_route_declares_its_access(server):
    app = server.app
    for route in app.router.routes():
        name = route.name or route.resource.name
        if name and name.startswith("static_"):
            continue
        assert isinstance(app[ACCESS].get(name), Access), route


async def test_a_route_without_access_is_refused_at_build(settings):
    from quartier.app import _check_every_route_declares_access, create_app

    app = create_app(settings)

    async def handler(request):
        return web.Response()

    app.router.add_get("/oops", handler, name="oops")
    with pytest.raises(RuntimeError, match="no declared access"):
        _check_every_route_declares_access(app)
