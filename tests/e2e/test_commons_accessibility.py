"""The partners' pages (issue 18) pass axe-core (WCAG 2.1 A/AA) on the demo's data: the public ones at
full width and at 200 % zoom, then a partner account's and an organizer's new pages."""

from __future__ import annotations

from tests.conftest import PASSWORD
from tests.hostile import server  # noqa: F401  (the demo-filled server)

from .conftest import assert_accessible, assert_no_horizontal_scroll
from .test_commons import log_in


async def test_the_partners_pages_are_accessible(page, server):  # noqa: F811
    """The public pages on the demo's data, then a partner account's and an organizer's new pages."""
    for url in ("/partenaires", "/partenaires/caf-35"):
        assert (await page.goto(url)).status == 200
        await assert_accessible(page)
        await assert_no_horizontal_scroll(page)
        await assert_accessible(page)
        await page.set_viewport_size({"width": 1280, "height": 800})
    await log_in(page, "caf", PASSWORD + "-caf")
    for url in ("/partenaire", "/partenaire/propositions", "/partenaire/page", "/staff/contributions", "/staff/budget"):
        assert (await page.goto(url)).status == 200, url
        await assert_accessible(page)
    await page.context.clear_cookies()
    await log_in(page, "demo")
    for url in ("/staff/partners", "/staff/partners/caf-35", "/staff/proposals", "/staff/valuation", "/staff/budget"):
        assert (await page.goto(url)).status == 200, url
        await assert_accessible(page)
