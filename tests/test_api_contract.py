"""What every /api/v1 operation answers beyond its own rules: 405 with Allow, the refusals the document lists,
empty filters, and secrets that no input can turn into a crash. schemathesis (tests/test_schemathesis.py) then
checks every operation against the document with all its checks."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from referral import needs
from tests.test_openapi import api_routes

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


async def test_an_undeclared_method_answers_405_with_allow_on_every_api_path(client, server, bearer):
    declared: dict[str, set[str]] = {}
    for method, path in api_routes(server.app):
        declared.setdefault(path, set()).add(method.upper())
    assert len(declared) > 30
    patterns = {path: re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$") for path in declared}
    for path in declared:
        url = re.sub(r"\{[^}]+\}", "1", path)
        # /api/v1/displays/claim is also /api/v1/displays/{id}: every path the URL matches lends its methods.
        methods = set().union(*(declared[other] for other, pattern in patterns.items() if pattern.match(url)))
        for method in set(METHODS) - methods:
            # Neither the access check (401) nor the body check (415) speaks first: the path has no such method.
            for headers in ({}, bearer):
                response = await client.request(method, url, headers={**headers, "Accept-Language": "en"})
                assert response.status == 405, (method, url, response.status)
                allowed = set(response.headers["Allow"].split(","))
                assert methods <= allowed <= methods | {"HEAD"}, (method, url, allowed)
                body = await response.json()
                assert body["error"]["code"] == "method_not_allowed"
                assert body["error"]["message"] and "méthode" not in body["error"]["message"].lower()


async def test_the_document_lists_the_refusals_of_the_shared_layers(client):
    doc = await (await client.get("/api/v1/openapi.json")).json()
    validate(doc)
    parameters = doc["components"]["parameters"]
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method.upper() not in METHODS:
                continue
            statuses = set(operation["responses"])
            places = {
                parameters[p["$ref"].rsplit("/", 1)[1]]["in"] if "$ref" in p else p["in"]
                for p in operation.get("parameters", [])
            }
            label = f"{method} {path}"
            if operation.get("security"):
                assert {"401", "403"} <= statuses, label
            if "requestBody" in operation:
                assert {"400", "415", "422"} <= statuses, label
            if "path" in places:
                assert "404" in statuses, label
            if "query" in places:
                assert "400" in statuses, label


async def test_an_empty_filter_is_the_filter_left_out_as_the_document_says(client, bearer):
    everything = await (await client.get("/api/v1/sessions", headers=bearer)).json()
    empty = await client.get("/api/v1/sessions?site=&axis=&kind=&from=&to=&audience=", headers=bearer)
    assert empty.status == 200
    assert await empty.json() == everything
    doc = await (await client.get("/api/v1/openapi.json")).json()
    site = next(p for p in doc["paths"]["/api/v1/sessions"]["get"]["parameters"] if p.get("name") == "site")
    assert {"type": "string", "maxLength": 0} in [
        {k: v for k, v in s.items() if k != "description"} for s in site["schema"]["anyOf"]
    ]


async def test_secrets_with_characters_beyond_ascii_are_refused_never_a_crash(client, make_client, bearer):
    """hmac.compare_digest raises on non-ASCII str: a facilitator key, a CSRF token or a device cookie of
    "é" was a 500 and a traceback."""
    board = await (await client.post("/api/v1/boards", json={"title": "Forum"}, headers=bearer)).json()
    note = await client.post(f"/api/v1/boards/{board['id']}/notes", json={"text": "Une idée"})
    assert note.status == 201
    note_id = (await note.json())["id"]

    moderation = await client.post(f"/api/v1/notes/{note_id}/moderation?key=clé", json={"action": "publish"})
    assert moderation.status == 401
    rounds = await client.post(f"/api/v1/boards/{board['id']}/rounds?key=%C3%A9t%C3%A9", json={"title": "Vote"})
    assert rounds.status == 401

    forged = await make_client()
    forged.session.cookie_jar.update_cookies({"quartier_device": "appareil.signé"})
    posted = await forged.post(f"/api/v1/boards/{board['id']}/notes", json={"text": "Une autre idée"})
    assert posted.status == 201  # a foreign device value is no device: the post still goes through
    assert "quartier_device" in {c.key for c in forged.session.cookie_jar if c.value != "appareil.signé"}

    form = await client.post("/login", data={"csrf_token": "jeton-été", "username": "x", "password": "y"})
    assert form.status == 403


async def test_the_documented_thematiques_are_the_official_list(client):
    doc = await (await client.get("/api/v1/openapi.json")).json()
    assert set(doc["components"]["schemas"]["Thematique"]["enum"]) == set(needs.official_thematiques())
