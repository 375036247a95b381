"""Issue 20, done means: in Chromium, a social worker on a tablet picks "Renouveler un titre de séjour",
gets this week's matching drop-ins before third-party places, prints the slip (one A6 page, its QR
code decoding to the same answer with zbarimg), and the slip is counted.

The app's clock is fixed (a Wednesday at 10:00), so the test never depends on the day it runs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time

import pytest

from quartier import auth
from quartier.typedefs import DB
from tests.referral.helpers import SERVICES, STRUCTURES, as_files, import_places, programme

from .conftest import assert_accessible, assert_no_horizontal_scroll
from .test_events_posters import pages_in

TABLET = {"width": 800, "height": 1280}
PHONE = {"width": 360, "height": 740}


def media_boxes(pdf: bytes) -> set[tuple[int, int]]:
    return {
        (round(float(w)), round(float(h)))
        for w, h in re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    }


def decode_qr(path: str) -> str:
    done = subprocess.run(["zbarimg", "--quiet", "--raw", path], capture_output=True, text=True, timeout=30)
    return done.stdout.strip()


async def test_a_social_worker_on_a_tablet_prints_a_slip_for_a_residence_permit(page, server, tmp_path):
    if not shutil.which("zbarimg"):
        pytest.fail("zbarimg is needed (apt-get install zbar-tools; .ci/run installs it)")
    app = server.app
    await programme(app)
    await import_places(app)
    await page.set_viewport_size(TABLET)
    started = time.perf_counter()
    await page.goto("/orientation")
    await page.select_option("#near-site", "maurepas")
    await page.get_by_role("button", name="Choisir ce quartier").click()
    await page.get_by_role("link", name="Renouveler un titre de séjour").click()
    assert await page.locator("h1").inner_text() == "Renouveler un titre de séjour"
    # This week's drop-ins first, then the third-party places.
    headings = await page.locator("main h2").all_inner_texts()
    assert headings.index("Cette semaine au programme") < headings.index("Autres lieux qui peuvent vous aider")
    sessions = await page.locator(".part-sessions h3").all_inner_texts()
    assert sessions == ["Permanence accès aux droits", "Permanence titres de séjour"]
    places = await page.locator(".part-places h3").all_inner_texts()
    assert places[0].startswith("Point numérique des étrangers")
    # Big enough to touch: the need buttons and the print buttons.
    box = await page.get_by_role(
        "button", name="Imprimer le ticket : Permanence accès aux droits, mercredi 25 mars"
    ).bounding_box()
    assert box and box["height"] >= 44
    await page.get_by_role("button", name="Imprimer le ticket : Permanence accès aux droits, mercredi 25 mars").click()
    await page.wait_for_url(re.compile(r"/orientation/slip\?"))
    elapsed = time.perf_counter() - started
    # The slip opens the print dialog by itself (print.js); Chromium cannot print to PDF while that
    # dialog's job runs, so the PDF is made from the same slip without `print=1`.
    assert await page.locator("body[data-autoprint='1']").count() == 1
    await page.goto(page.url.replace("&print=1", "").replace("print=1&", ""))
    assert await page.locator("body[data-autoprint]").count() == 0
    assert "Renouveler un titre de séjour" in await page.locator(".slip h1").inner_text()
    # One A6 page, as Chromium prints it.
    await page.emulate_media(media="print")
    assert await page.evaluate(
        "[...document.querySelectorAll('.slip')].every(s => s.scrollHeight <= s.clientHeight + 1)"
    )
    pdf = await page.pdf(prefer_css_page_size=True, print_background=True)
    (tmp_path / "slip.pdf").write_bytes(pdf)
    assert pages_in(pdf) == 1
    assert media_boxes(pdf) == {(298, 420)}  # 105 x 148 mm
    await page.emulate_media(media="screen")
    shot = tmp_path / "qr.png"
    await page.locator(".slip-qr svg").screenshot(path=str(shot))
    assert decode_qr(str(shot)) == "http://quartier.test/orientation?need=titre-de-sejour&site=maurepas"
    # Counted, anonymously: the month, the need, where from and where to.
    rows = await app[DB].fetchall("SELECT month, need, site, destination, count FROM referral_slips")
    assert rows == [
        {"month": "2026-03", "need": "titre-de-sejour", "site": "maurepas", "destination": "ESC Le Blosne", "count": 1}
    ]
    # ... and the annual report counts it, as the coordinator reads it.
    await auth.add_user(app[DB], "orga", "organizer", "correct horse battery staple")
    await log_in(page, "/staff/report?year=2026")
    report = await page.locator("main").inner_text()
    section = report.split("Où avons-nous renvoyé, pour quoi", 1)[1]
    assert "1 ticket d'orientation imprimé." in section and "Renouveler un titre de séjour" in section
    print(
        f"\ntablet path: 4 taps (site, its button, the need, print), from the first page to the slip in {elapsed:.2f} s"
    )


async def log_in(page, next_url: str) -> None:
    await page.goto(f"/login?next={next_url}")
    await page.fill("#name", "orga")
    await page.fill("#password", "correct horse battery staple")
    await page.click("main button[type=submit]")
    await page.wait_for_url(re.compile(re.escape(next_url.split("?")[0]) + r"(\?|$)"))


async def test_on_a_phone_without_javascript_the_search_the_answer_and_the_slip_work(browser, server, base_url):
    """A resident or a volunteer on a phone with scripts off: search, answer, print button, slip."""
    await programme(server.app)
    await import_places(server.app)
    ctx = await browser.new_context(
        base_url=base_url, locale="fr-FR", java_script_enabled=False, viewport=PHONE, is_mobile=True, has_touch=True
    )
    try:
        page = await ctx.new_page()
        await page.goto("/orientation")
        await page.fill("#need-search", "préfecture")
        await page.keyboard.press("Enter")
        await page.get_by_role("link", name="Renouveler un titre de séjour").first.click()
        assert await page.locator("h1").inner_text() == "Renouveler un titre de séjour"
        assert await page.locator(".part-sessions h3").count() >= 1
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        await page.locator(".part-places button[type=submit]").first.click()
        await page.wait_for_url(re.compile(r"/orientation/slip\?"))
        assert "Renouveler un titre de séjour" in await page.locator(".slip h1").inner_text()
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        await ctx.close()
    rows = await server.app[DB].fetchall("SELECT need, count FROM referral_slips")
    assert rows == [{"need": "titre-de-sejour", "count": 1}]


async def test_the_qr_code_of_a_place_slip_decodes_from_the_printed_page(page, server, tmp_path):
    """The QR code read off the PDF Chromium prints, rendered back to an image, not only off the screen."""
    if not shutil.which("zbarimg") or not shutil.which("pdftoppm"):
        pytest.fail("zbarimg and pdftoppm are needed (apt-get install zbar-tools poppler-utils; .ci/run installs them)")
    app = server.app
    await programme(app)
    await import_places(app)
    row = await app[DB].fetchone("SELECT id FROM referral_resources WHERE origin = 'service:test--prefecture-anef'")
    await page.goto(f"/orientation/slip?need=titre-de-sejour&target=resource:{row['id']}")
    await page.emulate_media(media="print")
    pdf = tmp_path / "slip.pdf"
    pdf.write_bytes(await page.pdf(prefer_css_page_size=True, print_background=True))
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=60)
    [png] = list(tmp_path.glob("page*.png"))
    assert decode_qr(str(png)) == "http://quartier.test/orientation?need=titre-de-sejour"


@pytest.mark.parametrize(
    "url",
    [
        "/orientation",
        "/orientation?q=caf",
        "/orientation?need=titre-de-sejour&site=maurepas",
        "/orientation?need=ordinateur&site=le-blosne",
        "/orientation/directory",
        "/orientation/directory?by=neighbourhood",
    ],
)
async def test_orientation_pages_are_accessible_and_fit_at_200_percent(page, server, url):
    await programme(server.app)
    await import_places(server.app)
    response = await page.goto(url)
    assert response.status == 200
    await assert_accessible(page)
    await assert_no_horizontal_scroll(page)


async def test_the_slip_page_is_accessible(page, server):
    await programme(server.app)
    await import_places(server.app)
    await page.goto("/orientation?need=caf")
    target = await page.locator("input[name=target]").first.get_attribute("value")
    await page.goto(f"/orientation/slip?need=caf&target={target}")
    await assert_accessible(page)


async def test_the_staff_pages_are_accessible(page, server, tmp_path):
    await programme(server.app)
    await import_places(server.app)
    await auth.add_user(server.app[DB], "orga", "organizer", "correct horse battery staple")
    await log_in(page, "/staff/orientation")
    row = await server.app[DB].fetchone("SELECT id FROM referral_resources ORDER BY id")
    for url in (
        "/staff/orientation",
        "/staff/orientation/resources/new",
        f"/staff/orientation/resources/{row['id']}",
        "/staff/orientation/needs/titre-de-sejour",
        "/staff/orientation/import",
    ):
        response = await page.goto(url)
        assert response.status == 200, url
        await assert_accessible(page)
        await assert_no_horizontal_scroll(page)
        await page.set_viewport_size({"width": 1280, "height": 800})
    # The preview of an import, from the file input as staff use it.
    await page.goto("/staff/orientation/import")
    files = [tmp_path / "structures.json", tmp_path / "services.json"]
    for path, text in zip(files, [t for _n, t in as_files(STRUCTURES, SERVICES)], strict=True):
        path.write_text(text, encoding="utf-8")
    await page.set_input_files("#import-files", [str(p) for p in files])
    await page.get_by_role("button", name="Voir ce qui changerait").click()
    assert "0 nouveau(x), 0 modifié(s), 5 inchangé(s)" in await page.locator("main").inner_text()
    await assert_accessible(page)
