"""GET /api/v1/openapi.json: the core's document merged with each feature's openapi.yaml.

A test compares it with the router, so a route cannot be added or removed
under /api/v1 without the document saying so.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

import yaml
from aiohttp import web

from quartier import features
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
    return doc


_document: str | None = None


@routes.get("/api/v1/openapi.json", name="openapi", access=PUBLIC)
async def openapi(request: web.Request) -> web.Response:
    global _document
    if _document is None:
        _document = json.dumps(build(), ensure_ascii=False)
    return web.Response(text=_document, content_type="application/json")
