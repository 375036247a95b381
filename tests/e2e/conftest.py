"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright against the real app.

Every page a test opens records the requests it makes; a request to any origin
other than the test server fails the test (no CDN, no third-party call, ever).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestServer

CHROMIUM = os.environ.get("QUARTIER_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
async def browser() -> AsyncIterator:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(f"browser test skipped: Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        await browser.close()


@pytest.fixture
def base_url(server: TestServer) -> str:
    return f"http://127.0.0.1:{server.port}"


@pytest.fixture
async def context(browser, base_url):
    ctx = await browser.new_context(base_url=base_url, locale="fr-FR")
    foreign: list[str] = []

    def check(request):
        host = urlsplit(request.url).hostname
        if request.url.startswith(("data:", "blob:", "about:")):
            return
        if host not in ("127.0.0.1", "localhost"):
            foreign.append(request.url)

    ctx.on("request", check)
    yield ctx
    await ctx.close()
    assert not foreign, f"pages requested third-party origins: {foreign}"


@pytest.fixture
async def page(context):
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "WebSocket" not in m.text else None)
    yield page
    assert not errors, f"errors in the page: {errors}"


async def wait_until(page, expression: str, timeout: float = 5.0) -> None:
    """Poll a JS expression until truthy. (wait_for_function evals strings, which our CSP forbids.)"""
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await page.evaluate(expression):
        if loop.time() > deadline:
            raise AssertionError(f"still false after {timeout}s: {expression}")
        await asyncio.sleep(0.05)
