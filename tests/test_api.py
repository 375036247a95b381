"""JSON input helpers: every bad input becomes a clear 4xx, never a crash."""

import pytest
from aiohttp import web

from quartier.api import clean_text, int_field, read_json, text_field
from quartier.app import create_app
from quartier.routing import PUBLIC, Routes


@pytest.fixture
def app(settings):
    app = create_app(settings)
    routes = Routes()

    @routes.post("/api/v1/echo", name="echo", access=PUBLIC)
    async def echo(request):
        data = await read_json(request)
        return web.json_response(
            {
                "text": text_field(data, "text", max_length=10),
                "n": int_field(data, "n", required=False, minimum=0, maximum=5),
            }
        )

    routes.add_to(app)
    return app


@pytest.mark.parametrize(
    "body, status, code",
    [
        (b"{not json", 400, "invalid_json"),
        (b"\xff\xfe{}", 400, "invalid_encoding"),
        (b"[1, 2]", 400, "invalid_json"),
        (b'{"text": 3}', 422, "invalid_field"),
        (b'{"text": ""}', 422, "missing_field"),
        (b'{"text": "\\u0000\\u202e"}', 422, "missing_field"),
        (b'{"text": "12345678901"}', 422, "too_long"),
        (b'{"text": "ok", "n": 9}', 422, "invalid_field"),
        (b'{"text": "ok", "n": true}', 422, "invalid_field"),
    ],
)
async def test_bad_json_gets_a_clear_error(client, body, status, code):
    response = await client.post(
        "/api/v1/echo", data=body, headers={"Content-Type": "application/json", "Accept-Language": "en"}
    )
    assert response.status == status
    error = (await response.json())["error"]
    assert error["code"] == code and error["message"]


async def test_good_json_passes(client):
    response = await client.post("/api/v1/echo", json={"text": " salut\u202e ", "n": 2})
    assert await response.json() == {"text": "salut", "n": 2}


def test_clean_text_keeps_newlines_and_letters():
    assert clean_text("a\x07b\nc\u2066d") == "ab\ncd"
