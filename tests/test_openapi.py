"""The OpenAPI document says exactly what /api/v1 serves."""

import re

from openapi_spec_validator import validate

from quartier.typedefs import ACCESS


def api_routes(app):
    found = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter", "")
        if path.startswith("/api/v1/") and route.method != "HEAD":
            found.add((route.method.lower(), re.sub(r"\{([^}:]+)(:[^}]*)?\}", r"{\1}", path)))
    return found


async def test_the_document_is_valid_and_matches_the_router(client, server):
    response = await client.get("/api/v1/openapi.json")
    assert response.status == 200
    doc = await response.json()
    validate(doc)
    documented = {
        (method, path)
        for path, item in doc["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert documented == api_routes(server.app)


async def test_protected_operations_declare_their_security(client, server):
    doc = await (await client.get("/api/v1/openapi.json")).json()
    by_path = {}
    for route in server.app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = re.sub(r"\{([^}:]+)(:[^}]*)?\}", r"{\1}", info.get("path") or info.get("formatter", ""))
        if path in doc["paths"] and route.method.lower() in doc["paths"][path]:
            by_path[(route.method.lower(), path)] = server.app[ACCESS][route.name]
    for (method, path), access in by_path.items():
        operation = doc["paths"][path][method]
        assert bool(operation.get("security")) == (not access.public), f"{method} {path}"
