"""Open redirects (issue 16, point 6): `next` is a same-site path, checked after decoding.

`/lang/en?next=/%09/elsewhere.example` and the login form's `next` sent the browser to another
host (browsers drop the tab: `//elsewhere.example`); `next=/%0a/…` killed the connection with a
traceback in the log.
"""

from __future__ import annotations

import pytest

from quartier.web import safe_next
from tests.conftest import PASSWORD, create_user, form

HOSTILE = [
    "/%09/elsewhere.example",
    "/%0a/elsewhere.example",
    "/%0d%0aSet-Cookie:x=1",
    "//elsewhere.example",
    "/%2f/elsewhere.example",
    "/\\elsewhere.example",
    "/%5celsewhere.example",
    "https://elsewhere.example/",
    "javascript:alert(1)",
    "/\t/elsewhere.example",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_only_a_path_of_this_site_is_a_target(target):
    assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize("target", ["/programme", "/sites/maurepas?week=2026-W49", "/forum/decisions#a-3"])
def test_a_path_of_this_site_is_kept(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("target", HOSTILE)
async def test_the_language_switch_stays_on_this_site(client, target):
    r = await client.get("/lang/en", params={"next": target}, allow_redirects=False)
    assert r.status in (302, 303) and r.headers["Location"] == "/"


@pytest.mark.parametrize("target", HOSTILE[:4])
async def test_the_login_form_stays_on_this_site(client, server, target):
    await create_user(server.app, "marie", "organizer")
    r = await form(client, "/login", {"name": "marie", "password": PASSWORD, "next": target}, allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == "/staff"
