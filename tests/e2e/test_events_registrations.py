"""Registering on a phone, the waiting list, the places left live on the session page (issue 23)."""

from tests.events.test_registrations import workshop

from .conftest import assert_accessible, wait_until

PHONE = {"width": 375, "height": 740}


def places(page_):
    return page_.locator(".session-date").first.locator(".places")


async def register(page_, id, day, name: str, phone: str = "") -> str:
    """From the session page: the date's button, the form, the confirmation; returns its address."""
    await page_.goto(f"/sessions/{id}")
    await page_.locator(f".session-date[data-date='{day.isoformat()}'] a.button").click()
    await page_.fill("#first_name", name)
    if phone:
        await page_.fill("#phone", phone)
    await page_.click("form.registration-form button[type=submit]")
    await page_.wait_for_url("**/inscriptions/*")
    return page_.url


async def test_the_last_place_then_the_waiting_list_then_a_cancellation(page, context, server):
    id, day = await workshop(server.app, capacity=1)
    await page.set_viewport_size(PHONE)
    await page.goto(f"/sessions/{id}")
    assert await places(page).text_content() == "1 place libre sur 1"
    await wait_until(page, "document.body.dataset.live === 'open'")

    awa = await context.new_page()
    await awa.set_viewport_size(PHONE)
    awa_link = await register(awa, id, day, "Awa", "06 12 34 56 78")
    assert "une place vous attend" in await awa.text_content("#registration-state")
    await assert_accessible(awa)
    # The page left open on another phone follows, without a reload.
    await wait_until(page, "document.querySelector('.session-date .places').textContent.startsWith('Complet')", 3)

    bruno = await context.new_page()
    await bruno.set_viewport_size(PHONE)
    await bruno.goto(f"/sessions/{id}")
    button = bruno.locator(f".session-date[data-date='{day.isoformat()}'] a.button")
    assert (await button.inner_text()).startswith("S'inscrire sur la liste d'attente")
    await button.click()
    await assert_accessible(bruno)
    assert await bruno.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await bruno.fill("#first_name", "Bruno")
    await bruno.click("form.registration-form button[type=submit]")
    await bruno.wait_for_url("**/inscriptions/*")
    assert "liste d'attente, en position 1" in await bruno.text_content("#registration-state")
    await wait_until(page, "document.querySelector('.session-date .places').textContent.includes('1 personne')", 3)

    await awa.goto(awa_link)
    await awa.click("text=Annuler mon inscription")
    assert "Inscription annulée" in await awa.text_content("#registration-state")
    await bruno.reload()
    assert "une place vous attend" in await bruno.text_content("#registration-state")
    assert "Complet" in await places(page).text_content()  # Bruno has the place now
