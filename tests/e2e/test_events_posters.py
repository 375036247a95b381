"""Printed by headless Chromium, a poster with a full week stays on one A4 page and its QR code decodes."""

import re
import shutil
import subprocess

import pytest

from tests.events.helpers import add_site
from tests.events.test_posters import full_week

# Nothing is cut off: the sheet holds its content, and the days do not spill into a third column.
FITS = """[...document.querySelectorAll('.sheet')].every(s => s.scrollHeight <= s.clientHeight + 1)
          && [...document.querySelectorAll('.days')].every(d => d.scrollWidth <= d.clientWidth + 1)"""


def pages_in(pdf: bytes) -> int:
    """Page objects in a PDF (Chromium writes them uncompressed): /Type /Page, not /Pages."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def a4_boxes(pdf: bytes) -> set[tuple[float, float]]:
    return {
        (round(float(w)), round(float(h)))
        for w, h in re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    }


async def test_a_full_week_poster_prints_on_one_a4_page_with_a_working_qr(page, server, tmp_path):
    await full_week(server.app, partners=True)  # with the strip of the week's partners, one logo among them
    await page.goto("/sites/maurepas/poster?week=2025-W11")
    await page.emulate_media(media="print")
    assert await page.evaluate(FITS)
    assert await page.evaluate("document.querySelector('.partner-strip img').naturalWidth") == 600
    pdf = await page.pdf(prefer_css_page_size=True, print_background=True)
    assert pages_in(pdf) == 1
    assert a4_boxes(pdf) == {(595, 842)}
    if not shutil.which("zbarimg"):
        pytest.skip("zbarimg not installed (apt-get install zbar-tools)")
    await page.emulate_media(media="screen")
    shot = tmp_path / "qr.png"
    await page.locator(".qr-block svg.qr").screenshot(path=str(shot))
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(shot)], capture_output=True, text=True, timeout=30)
    assert decoded.stdout.strip() == "http://quartier.test/sites/maurepas"


async def test_the_booklet_prints_a_summary_and_one_page_per_site(page, server):
    await full_week(server.app)
    await add_site(server.app, slug="cleunay", name="ESC Cleunay")
    await page.goto("/posters?week=2025-W11")
    await page.emulate_media(media="print")
    assert pages_in(await page.pdf(prefer_css_page_size=True, print_background=True)) == 3


async def test_flyers_print_on_one_page(page, server):
    await full_week(server.app)
    await page.goto("/sessions/1/flyers?date=2025-03-10")
    assert await page.evaluate(
        "[...document.querySelectorAll('.flyer')].every(f => f.scrollHeight <= f.clientHeight + 1)"
    )
    await page.emulate_media(media="print")
    assert pages_in(await page.pdf(prefer_css_page_size=True, print_background=True)) == 1
