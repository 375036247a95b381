"""A site's opening hours from a weekly grid (issue 23): organizers no longer type OpenStreetMap
syntax by hand; the grid writes it, the server still checks it, and the site page shows the hours."""

from __future__ import annotations

from events import queries
from quartier.typedefs import DB
from tests.conftest import create_user
from tests.events.helpers import add_site

from .conftest import assert_accessible, assert_no_horizontal_scroll
from .test_commons import log_in


async def stored_hours(app) -> str:
    site = await app[DB].read(lambda d: queries.site(d, "maurepas"))
    return site["opening_hours"]


async def test_filling_the_grid_writes_the_hours_and_the_site_page_shows_them(page, server):
    await add_site(server.app, opening_hours="PH off")  # closed on public holidays: kept as it is
    await create_user(server.app, "orga", "organizer")
    await log_in(page, "orga")
    assert (await page.goto("/staff/sites/maurepas")).status == 200
    grid = page.locator("#hours-grid")
    assert await grid.is_visible()
    await assert_accessible(page)
    await page.get_by_label("Lundi, matin : ouverture").fill("09:00")
    await page.get_by_label("Lundi, matin : fermeture").fill("12:00")
    await page.get_by_label("Lundi, après-midi : ouverture").fill("14:00")
    await page.get_by_label("Lundi, après-midi : fermeture").fill("17:30")
    await page.get_by_role("button", name="Mêmes horaires que le lundi du mardi au vendredi").click()
    await page.get_by_label("Mercredi, après-midi : ouverture").fill("")  # closed on Wednesday afternoon
    await page.get_by_label("Samedi, matin : ouverture").fill("10:00")
    await page.get_by_label("Samedi, matin : fermeture").fill("12:00")
    expected = "Mo-Tu 09:00-12:00,14:00-17:30; We 09:00-12:00; Th-Fr 09:00-12:00,14:00-17:30; Sa 10:00-12:00; PH off"
    assert await page.locator("#opening_hours").input_value() == expected
    await assert_no_horizontal_scroll(page, zoom_width=390)
    await page.set_viewport_size({"width": 1280, "height": 800})
    await page.get_by_role("button", name="Enregistrer", exact=True).click()
    await page.wait_for_url("**/staff/sites")
    assert await stored_hours(server.app) == expected

    await page.goto("/sites/maurepas")
    hours = await page.locator("section[aria-labelledby=hours] li").all_inner_texts()
    assert hours == [
        "lundi-mardi 09:00-12:00, 14:00-17:30",
        "mercredi 09:00-12:00",
        "jeudi-vendredi 09:00-12:00, 14:00-17:30",
        "samedi 10:00-12:00",
        "jours fériés fermé",
    ]

    # Back on the form, the grid shows what was saved.
    await page.goto("/staff/sites/maurepas")
    assert await page.get_by_label("Jeudi, après-midi : fermeture").input_value() == "17:30"
    assert await page.get_by_label("Mercredi, après-midi : ouverture").input_value() == ""


async def test_without_javascript_the_text_field_alone_and_the_server_checks_it(browser, base_url, server):
    await add_site(server.app)
    await create_user(server.app, "orga", "organizer")
    context = await browser.new_context(base_url=base_url, locale="fr-FR", java_script_enabled=False)
    try:
        page = await context.new_page()
        await log_in(page, "orga")
        await page.goto("/staff/sites/maurepas")
        assert not await page.locator("#hours-grid").is_visible()
        await page.fill("#opening_hours", "du lundi au vendredi")
        await page.get_by_role("button", name="Enregistrer", exact=True).click()
        assert "Horaires" in await page.locator("#opening_hours-error").inner_text()
        assert await stored_hours(server.app) == "Mo-Fr 09:00-12:00,13:30-17:30"
        await page.fill("#opening_hours", "Mo-Sa 10:00-18:00")
        await page.get_by_role("button", name="Enregistrer", exact=True).click()
        await page.wait_for_url("**/staff/sites")
        assert await stored_hours(server.app) == "Mo-Sa 10:00-18:00"
    finally:
        await context.close()
