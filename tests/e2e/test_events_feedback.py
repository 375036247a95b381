"""A resident scans the QR code after a session and answers on their phone; staff see the results."""

import datetime as dt
import subprocess
from urllib.parse import urlsplit

import pytest

from quartier.typedefs import DB, SETTINGS
from reports import feedback_figures
from tests.conftest import PASSWORD, create_user
from tests.events.helpers import add_session, add_site

from .conftest import assert_accessible, assert_no_horizontal_scroll, wait_until


def zbar(png: bytes, tmp_path) -> str:
    """Decode a QR code with a real decoder (Debian's zbar-tools)."""
    path = tmp_path / "qr.png"
    path.write_bytes(png)
    result = subprocess.run(["zbarimg", "--raw", "-q", str(path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
async def occurrence(server):
    app = server.app
    day = dt.datetime.now(app[SETTINGS].tz).date() - dt.timedelta(days=1)
    await add_site(app)
    id = await add_session(app, date=day.isoformat(), repeat=None, title="Permanence CAF")
    return id, day


async def rows(server, id):
    return await server.app[DB].read(lambda d: feedback_figures.answers(d, session_id=id))


async def test_scanning_the_qr_code_gives_a_form_that_submits_and_can_be_changed(page, server, occurrence, tmp_path):
    import shutil

    if not shutil.which("zbarimg"):
        pytest.skip("zbarimg not installed (apt-get install zbar-tools)")
    id, day = occurrence
    path = f"/f/{id}/{day.isoformat()}"
    public = server.app[SETTINGS].base_url + path
    # The QR code on the session page, as a phone camera sees it.
    await page.goto(f"/sessions/{id}?date={day.isoformat()}")
    shot = await page.locator(".feedback-qr svg.qr").screenshot()
    assert zbar(shot, tmp_path) == public
    # The PNG for posters and screens says the same.
    png = await (await page.request.get(f"/qr.png?path={path}")).body()
    assert zbar(png, tmp_path) == public

    await page.goto(urlsplit(public).path)
    await assert_accessible(page)
    await assert_no_horizontal_scroll(page, zoom_width=360)
    await page.set_viewport_size({"width": 390, "height": 844})  # a phone
    await page.get_by_label("Très bien").check()
    await page.get_by_label("Une démarche CAF").check()
    await page.get_by_role("radio", name="Oui").check()
    await page.get_by_label("Voulez-vous ajouter quelque chose ?").fill("Merci pour l'aide")
    await page.get_by_role("button", name="Envoyer mon avis").click()
    await page.wait_for_url("**merci=1*")
    assert await page.get_by_role("status").inner_text() != ""
    assert "Merci ! Votre réponse est enregistrée." in await page.inner_text("main")
    (first,) = await rows(server, id)
    assert first["answers"] == {"satisfaction": 5, "learned": ["caf"], "return": "oui", "comment": "Merci pour l'aide"}

    # Second thoughts, from the same phone: the answer changes, no second one appears.
    assert await page.get_by_label("Très bien").is_checked()
    await page.get_by_label("Bien", exact=True).check()
    await page.get_by_role("button", name="Modifier ma réponse").click()
    await page.wait_for_url("**merci=1*")
    (again,) = await rows(server, id)
    assert again["id"] == first["id"] and again["answers"]["satisfaction"] == 4


async def test_the_form_can_be_completed_with_the_keyboard_alone(page, server, occurrence):
    id, day = occurrence
    await page.goto(f"/f/{id}/{day.isoformat()}")
    for _n in range(40):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.name === 'q_satisfaction'"):
            break
    else:
        raise AssertionError("the scale is not reachable with Tab")
    # Arrow keys move within the radio group: from "Très mal" to "Bien".
    for _n in range(3):
        await page.keyboard.press("ArrowRight")
    await page.keyboard.press("Tab")  # the first choice of "what did you do"
    assert await page.evaluate("document.activeElement.name") == "q_learned"
    await page.keyboard.press("Space")
    while await page.evaluate("document.activeElement.name") == "q_learned":
        await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.name") == "q_return"
    await page.keyboard.press("Space")
    await page.keyboard.press("Tab")
    await page.keyboard.type("Clair et patient")
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.type") == "submit"
    await page.keyboard.press("Enter")
    await page.wait_for_url("**merci=1*")
    (answer,) = await rows(server, id)
    assert answer["answers"]["satisfaction"] == 4
    assert answer["answers"]["learned"] == ["caf"] and answer["answers"]["return"] == "oui"
    assert answer["answers"]["comment"] == "Clair et patient"


async def test_staff_see_the_distribution(page, server, occurrence, make_client):
    id, day = occurrence
    for satisfaction in (5, 5, 3):
        resident = await make_client()
        r = await resident.post(
            f"/api/v1/sessions/{id}/feedback", json={"date": day.isoformat(), "answers": {"satisfaction": satisfaction}}
        )
        assert r.status == 201
    await create_user(server.app, "anim", "facilitator")
    await page.goto(f"/staff/feedback?session={id}&date={day.isoformat()}")
    await page.fill("#name", "anim")
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url("**/staff/feedback?*")
    assert "3 réponses" in await page.inner_text("main")
    bars = page.locator("section[aria-labelledby=res-satisfaction] table.feedback-bars svg.share-bar rect.bar")
    assert await bars.count() == 2
    counts = await bars.evaluate_all("els => els.map(e => [e.dataset.count, e.getBBox().width])")
    # Each bar is filled to its share of the answers (a 100-wide viewBox): one of three, two of three.
    assert sorted(counts) == [["1", pytest.approx(33.3, abs=0.2)], ["2", pytest.approx(66.7, abs=0.2)]]
    table = page.locator("section[aria-labelledby=res-satisfaction] table")
    assert "Très bien" in await table.inner_text()
    await assert_accessible(page)
    await wait_until(page, "document.readyState === 'complete'")
