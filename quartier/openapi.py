"""GET /api/v1/openapi.json: the core's document merged with each feature's openapi.yaml.

A test compares it with the router, so a route cannot be added or removed
under /api/v1 without the document saying so.

Each feature documents what its operations answer when they work and the refusals of its own rules
(409 a closed round, 429 a rate limit, 422 with a rule a schema cannot state). The refusals every
operation of a shape gets from the shared layers are added here, from the operation itself, so no
operation can forget one: `security` means the access middleware answers 401 (no or bad credentials)
and 403 (a role that may not); a request body means the input layer answers 415 (not JSON), 400
(unreadable or too deep) and 422 (a field breaks its rule); a path parameter means 404 (no such
record); a query parameter means 400 (a malformed filter). The input layer also reads an empty value
(`?site=`, as a form's "any" option sends it) as the parameter left out, so each query parameter's
schema admits the empty string, and every integer is bounded to 64 bits as the input layer bounds it.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

import yaml
from aiohttp import web

from quartier import features
from quartier.inputs import INT64_MAX, INT64_MIN
from quartier.routing import PUBLIC, Routes

routes = Routes()


def build() -> dict[str, Any]:
    """The merged document: core first, then each feature's paths and components."""
    doc: dict[str, Any] = {}
    for package in features.packages():
        source = files(package) / "openapi.yaml"
        if not source.is_file():
            continue
        part = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
        if not doc:
            doc = part
            continue
        doc.setdefault("paths", {}).update(part.get("paths", {}))
        for section, entries in part.get("components", {}).items():
            doc.setdefault("components", {}).setdefault(section, {}).update(entries)
    for item in doc.get("paths", {}).values():
        for method, operation in item.items():
            if method in METHODS:
                _add_shared_refusals(doc, operation, item.get("parameters", []))
                _admit_empty_queries(doc, operation)
    _bound_integers(doc)
    return doc


METHODS = ("get", "put", "post", "patch", "delete")


def _add_shared_refusals(doc: dict[str, Any], operation: dict[str, Any], shared: list[dict[str, Any]]) -> None:
    """The statuses the access middleware and the input layer give an operation of this shape."""
    places = {_parameter(doc, p).get("in") for p in [*shared, *operation.get("parameters", [])]}
    statuses = set()
    if operation.get("security"):
        statuses |= {"401", "403"}
    if "requestBody" in operation:
        statuses |= {"400", "415", "422"}
    if "path" in places:
        statuses.add("404")
    if "query" in places:
        statuses.add("400")
    responses = operation.setdefault("responses", {})
    for status in sorted(statuses - set(responses)):
        responses[status] = {"$ref": "#/components/responses/Error"}


EMPTY = {"type": "string", "maxLength": 0, "description": "Empty: the same as leaving the parameter out."}


def _admit_empty_queries(doc: dict[str, Any], operation: dict[str, Any]) -> None:
    for i, parameter in enumerate(operation.get("parameters", [])):
        found = _parameter(doc, parameter)
        if found.get("in") == "query" and not found.get("required"):
            operation["parameters"][i] = {**found, "schema": {"anyOf": [found.get("schema", {}), EMPTY]}}


def _bound_integers(node: Any) -> None:
    """Every integer schema gets the 64-bit bounds it lacks (a larger number is a 422 or a 400)."""
    if isinstance(node, dict):
        if node.get("type") == "integer":
            node.setdefault("minimum", INT64_MIN)
            node.setdefault("maximum", INT64_MAX)
        for value in node.values():
            _bound_integers(value)
    elif isinstance(node, list):
        for value in node:
            _bound_integers(value)


def _parameter(doc: dict[str, Any], parameter: dict[str, Any]) -> dict[str, Any]:
    """A parameter, its $ref followed (#/components/parameters/NAME)."""
    ref = parameter.get("$ref", "")
    return doc["components"]["parameters"][ref.rsplit("/", 1)[1]] if ref else parameter


_document: str | None = None


@routes.get("/api/v1/openapi.json", name="openapi", access=PUBLIC)
async def openapi(request: web.Request) -> web.Response:
    global _document
    if _document is None:
        _document = json.dumps(build(), ensure_ascii=False)
    return web.Response(text=_document, content_type="application/json")
