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
    # Console errors, except resource failures (checked below, where the document itself may be a 404).
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and "WebSocket" not in m.text and "Failed to load resource" not in m.text
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}") if r.status >= 400 and r.request.resource_type != "document" else None
        ),
    )
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


async def assert_accessible(page, *, impacts: tuple[str, ...] = ("serious", "critical")) -> None:
    """axe-core (WCAG 2.1 A/AA rules, as RGAA asks) finds no serious or critical violation."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
            "resultTypes": ["violations"],
        },
    )
    bad = [v for v in results.response["violations"] if v["impact"] in impacts]
    details = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}" for v in bad]
    assert not bad, "accessibility violations:\n" + "\n".join(details)


async def assert_no_horizontal_scroll(page, *, zoom_width: int = 640) -> None:
    """At 200 % zoom (a 1280 px window seen as 640 CSS px) nothing scrolls sideways."""
    await page.set_viewport_size({"width": zoom_width, "height": 800})
    overflow = await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls {overflow}px sideways at 200 % zoom"
