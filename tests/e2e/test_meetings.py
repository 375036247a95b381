"""Issue 22 in real Chromium: an organizer runs a GT ESC meeting; an action left open comes back."""

from quartier import auth
from quartier.typedefs import DB
from reports import meetings

from .conftest import assert_accessible

PASSWORD = "correct horse battery staple"


async def test_an_action_left_open_at_one_meeting_is_on_the_next_ones_agenda(page, server):
    await auth.add_user(server.app[DB], "orga", "organizer", PASSWORD)
    await page.goto("/login?next=/meetings")
    await page.fill("#name", "orga")
    await page.fill("#password", PASSWORD)
    await page.click("main button[type=submit]")
    await page.wait_for_url("**/meetings")
    await assert_accessible(page)

    await page.fill("#series", "GT ESC")
    await page.fill("#day", "2026-01-15")
    await page.fill("#attendees", "CAF\nVille de Rennes")
    await page.fill("#agenda", "Imprimantes en accès libre")
    await page.click("text=Créer la réunion")
    await page.wait_for_url("**/meetings/*")
    item = page.locator(".agenda-item").first
    await item.locator("input[value=action]").check()
    await item.locator("textarea[name=text]").fill("Remplacer l'imprimante de Cleunay")
    await item.locator("input[name=who]").fill("Ville de Rennes")
    await item.locator("button:has-text('Enregistrer')").click()
    await page.wait_for_load_state()
    assert "Remplacer l'imprimante de Cleunay" in await page.text_content(".agenda-item")
    await assert_accessible(page)

    await page.goto("/meetings")
    await page.fill("#series", "GT ESC")
    await page.fill("#day", "2026-03-12")
    await page.click("text=Créer la réunion")
    await page.wait_for_url("**/meetings/*")
    carried = page.locator(".agenda-item.carried")
    assert await carried.count() == 1
    text = await carried.text_content()
    assert "Remplacer l'imprimante de Cleunay" in text and "Action reportée" in text and "Ville de Rennes" in text
    await assert_accessible(page)
    await carried.locator("button:has-text('Marquer faite')").click()
    await page.wait_for_load_state()
    assert "faite" in await page.locator(".agenda-item.carried").text_content()
    rows = await server.app[DB].read(lambda d: meetings.open_actions(d, 1, "2027-01-01"))
    assert rows == []
