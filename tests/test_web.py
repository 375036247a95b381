"""Errors, languages, security headers, static files and QR codes, as a browser sees them."""

import io
import json
import shutil
import subprocess

import pytest

from .conftest import text_of


async def test_home_is_french_by_default_and_english_on_request(client):
    page = await (await client.get("/")).text()
    assert '<html lang="fr" dir="ltr"' in page and "Aller au contenu" in page
    page = await (await client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"})).text()
    assert '<html lang="en" dir="ltr"' in page and "Skip to content" in page


async def test_the_language_switch_is_remembered(client):
    response = await client.get("/lang/en?next=/login")
    assert response.status == 200 and str(response.url).endswith("/login")
    assert "Staff login" in await response.text()
    assert (await client.get("/lang/xx")).status == 404
    response = await client.get("/lang/fr?next=//evil.example/", allow_redirects=False)
    assert response.headers["Location"] == "/"


async def test_errors_are_json_under_api_and_pages_elsewhere_in_the_users_language(client):
    response = await client.get("/api/v1/nope", headers={"Accept-Language": "en"})
    assert response.status == 404
    assert await response.json() == {"error": {"code": "not_found", "message": "This page does not exist."}}
    response = await client.get("/nope")
    assert response.status == 404 and response.content_type == "text/html"
    assert "Cette page n'existe pas" in text_of(await response.text())


async def test_an_unexpected_error_is_a_500_page_without_trace(settings, aiohttp_client):
    from quartier.app import create_app
    from quartier.routing import PUBLIC, Routes

    app = create_app(settings)
    routes = Routes()

    @routes.get("/api/v1/boom", name="boom", access=PUBLIC)
    async def boom(request):
        raise ZeroDivisionError("secret detail")

    routes.add_to(app)
    client = await aiohttp_client(app)
    response = await client.get("/api/v1/boom")
    body = await response.text()
    assert response.status == 500 and "secret detail" not in body and "Traceback" not in body
    assert json.loads(body)["error"]["code"] == "internal"


async def test_bodies_over_the_limit_get_413(client):
    response = await client.post(
        "/login", data=io.BytesIO(b"x" * (1100 * 1024)), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status == 413


async def test_security_headers_and_a_device_cookie_on_first_contact(client):
    response = await client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    cookie = response.headers.getone("Set-Cookie")
    assert cookie.startswith("quartier_device=") and "HttpOnly" in cookie
    again = await client.get("/")
    assert "Set-Cookie" not in again.headers  # the device keeps its token


async def test_static_files_are_versioned_and_cached(client):
    page = await (await client.get("/")).text()
    href = page.split('rel="stylesheet" href="')[1].split('"')[0]
    assert "?v=" in href
    response = await client.get(href)
    assert response.status == 200 and "immutable" in response.headers["Cache-Control"]


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbarimg (Debian zbar-tools) is not installed")
@pytest.mark.parametrize("fmt", ["png", "svg"])
async def test_qr_codes_decode_to_the_public_url(client, tmp_path, fmt):
    response = await client.get(f"/qr.{fmt}?path=/sites/cleunay")
    assert response.status == 200
    data = await response.read()
    image = tmp_path / f"qr.{fmt}"
    image.write_bytes(data)
    if fmt == "svg":
        chromium = shutil.which("chromium")
        if chromium is None:
            pytest.skip("chromium is needed to rasterise the SVG")
        html = tmp_path / "qr.html"
        html.write_text(f"<body style='margin:0;background:#fff'><div style='width:400px'>{data.decode()}</div>")
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                f"--screenshot={tmp_path}/qr-svg.png",
                "--window-size=400,400",
                "--disable-background-networking",
                html.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        image = tmp_path / "qr-svg.png"
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True, check=True)
    assert decoded.stdout.strip() == "http://quartier.test/sites/cleunay"


async def test_qr_codes_only_for_paths_of_this_site(client):
    for bad in ["https://evil.example/", "//evil.example/", ""]:
        assert (await client.get("/qr.svg", params={"path": bad})).status == 400


def test_a_changed_static_file_gets_a_new_version(tmp_path):
    """Versions are kept per file (issue 11), yet an edited file is never served under its old version."""
    import os

    from aiohttp import web
    from aiohttp.test_utils import make_mocked_request

    from quartier.templates import static_url

    (tmp_path / "app.js").write_text("one", encoding="utf-8")
    app = web.Application()
    app.router.add_static("/static/pkg/", str(tmp_path), name="static_pkg")
    context = {"request": make_mocked_request("GET", "/", app=app)}
    first = static_url(context, "pkg", "app.js")
    assert static_url(context, "pkg", "app.js") == first
    (tmp_path / "app.js").write_text("two", encoding="utf-8")
    stat = (tmp_path / "app.js").stat()
    os.utime(tmp_path / "app.js", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert static_url(context, "pkg", "app.js") != first
