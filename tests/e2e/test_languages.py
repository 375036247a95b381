"""More languages, right to left, pages that speak (issue 24), in real Chromium.

The tablet in Arabic posts a note that the French wall shows; the Arabic session page passes
axe-core and reads right to left; a choice of Turkish holds from page to page; "Écouter" calls
the browser's speechSynthesis in the page's language, and stays hidden without a voice.
The pages come from the demo (as the accessibility suite's do); no assertion reads the time.
"""

from __future__ import annotations

import pytest

from forum import store
from quartier.typedefs import DB
from tests.hostile import make_world, server  # noqa: F401  (the demo-filled server)

from .conftest import assert_accessible, wait_until

# A stand-in for the device's speech engine: the voices it has, and what it was asked to say.
FAKE_VOICES = """
(() => {
  const voices = %s;
  const spoken = [];
  window.__spoken = spoken;
  // Real voices cannot be made from a page: the utterance is a plain object with the API's fields.
  window.SpeechSynthesisUtterance = function (text) { this.text = text; this.lang = ""; this.voice = null; };
  Object.defineProperty(window, "speechSynthesis", { configurable: true, value: {
    getVoices: () => voices,
    speak: (u) => spoken.push({ lang: u.lang, text: u.text, voice: u.voice && u.voice.name }),
    cancel: () => {},
    addEventListener: () => {},
  }});
})();
"""


@pytest.fixture
async def world(server, make_client):  # noqa: F811
    return await make_world(server, make_client)


async def open_board(server) -> int:  # noqa: F811
    created = await server.app[DB].write(
        lambda tx: store.create_board_tx(tx, title="Forum de Maurepas", prompt="Vos besoins ?", moderation="post")
    )
    return created["id"]


async def test_the_arabic_tablet_posts_a_note_the_french_wall_shows(page, browser, base_url, server):  # noqa: F811
    board = await open_board(server)
    await page.goto(f"/forum/boards/{board}/tablet")
    await page.click(".languages a[lang=ar]")
    await page.wait_for_load_state()
    assert await page.get_attribute("html", "dir") == "rtl"
    assert "أرسل ملاحظتي" in await page.text_content("button.send")
    await assert_accessible(page)
    await page.fill("#note-text", "نريد ورشة للحاسوب يوم السبت")
    await page.click("button.send")
    wall_context = await browser.new_context(base_url=base_url, locale="fr-FR")
    try:
        wall = await wall_context.new_page()
        await wall.goto(f"/forum/boards/{board}/wall")
        assert await wall.get_attribute("html", "lang") == "fr"
        await wait_until(wall, "document.body.innerText.includes('نريد ورشة للحاسوب يوم السبت')")
    finally:
        await wall_context.close()


async def test_the_arabic_session_page_is_accessible_and_reads_right_to_left(page, world, tmp_path):
    await page.goto("/lang/ar?next=/sessions/{}".format(world.ids["session"]))
    assert await page.get_attribute("html", "lang") == "ar"
    assert await page.get_attribute("html", "dir") == "rtl"
    await assert_accessible(page)
    await page.screenshot(path=str(tmp_path / "session-ar.png"), full_page=True)
    # Right to left: the brand sits at the right end of the header, the title starts on the right.
    layout = await page.evaluate(
        """(() => {
          const header = document.querySelector('.site-header').getBoundingClientRect();
          const brand = document.querySelector('.brand').getBoundingClientRect();
          const h1 = document.querySelector('main h1');
          const range = document.createRange(); range.selectNodeContents(h1);
          const text = range.getBoundingClientRect(), box = h1.getBoundingClientRect();
          return { brandRight: header.right - brand.right, brandLeft: brand.left - header.left,
                   textRight: box.right - text.right, textLeft: text.left - box.left };
        })()"""
    )
    assert layout["brandRight"] < layout["brandLeft"], layout
    assert layout["textRight"] <= layout["textLeft"], layout


async def test_turkish_chosen_once_holds_across_pages(page, world):
    await page.goto("/")
    await page.click(".languages a[lang=tr]")
    await page.wait_for_load_state()
    assert await page.get_attribute("html", "lang") == "tr"
    await page.goto("/programme")
    assert await page.get_attribute("html", "lang") == "tr"
    assert "Sonraki hafta" in await page.text_content("body")  # "Semaine suivante"
    await page.goto("/sites/maurepas")
    assert await page.get_attribute("html", "lang") == "tr"
    assert await page.get_attribute("html", "dir") == "ltr"


async def test_listen_reads_the_page_aloud_in_its_language(page, world):
    await page.add_init_script(
        FAKE_VOICES % '[{"lang": "ar-SA", "name": "Arabic voice"}, {"lang": "fr-FR", "name": "Amélie"}]'
    )
    await page.goto("/lang/ar?next=/sessions/{}".format(world.ids["session"]))
    listen = page.locator(".site-header .speak-button")
    assert await listen.is_visible()
    assert "استمع" in await listen.text_content()
    await listen.click()
    spoken = await page.evaluate("window.__spoken")
    assert len(spoken) == 1 and spoken[0]["lang"] == "ar" and spoken[0]["voice"] == "Arabic voice", spoken
    title = (await page.text_content("main h1")).strip()
    assert title and title in spoken[0]["text"]


async def test_listen_reads_one_note_of_the_wall(page, server, make_client):  # noqa: F811
    board = await open_board(server)
    client = await make_client()
    r = await client.post(f"/api/v1/boards/{board}/notes", json={"text": "Un atelier le samedi matin"})
    assert r.status == 201, await r.text()
    await page.add_init_script(FAKE_VOICES % '[{"lang": "fr-FR", "name": "Amélie"}]')
    await page.goto(f"/forum/boards/{board}/wall")
    button = page.locator(".wall-note .speak-note").first
    await button.wait_for()
    assert await button.get_attribute("aria-label") == "Écouter cette note"
    await button.click()
    spoken = await page.evaluate("window.__spoken")
    assert spoken == [{"lang": "fr", "text": "Un atelier le samedi matin", "voice": "Amélie"}]


async def test_listen_is_hidden_without_a_voice_for_the_language(page, world):
    await page.add_init_script(FAKE_VOICES % '[{"lang": "fr-FR", "name": "Amélie"}]')
    await page.goto("/lang/tr?next=/")
    assert await page.get_attribute("html", "lang") == "tr"
    assert await page.locator(".site-header .speak-button").is_hidden()  # a French voice would mangle Turkish
    await page.goto("/lang/fr?next=/")
    assert await page.locator(".site-header .speak-button").is_visible()


async def test_a_lobby_screen_in_two_languages_alternates_its_fixed_labels(page, world):
    display, token = next(iter(world.display_tokens.items()))
    r = await world.organizer.patch(f"/api/v1/displays/{display}", headers=world.bearer, json={"languages": "fr, ar"})
    assert r.status == 200, await r.text()
    await page.clock.install()
    await page.goto(f"/screens/{display}?token={token}&now=2026-12-02T10:00:00%2B01:00")
    assert await page.get_attribute("html", "lang") == "fr"
    assert await page.text_content("#days-title") == "Les prochains jours"
    await page.clock.run_for(16_000)
    assert (await page.get_attribute("html", "lang"), await page.get_attribute("html", "dir")) == ("ar", "rtl")
    assert await page.text_content("#days-title") == "الأيام القادمة"
    await assert_accessible(page)
    await page.clock.run_for(15_000)
    assert await page.get_attribute("html", "lang") == "fr"


async def test_the_arabic_counter_uses_arabic_plural_forms(page, server):  # noqa: F811
    board = await open_board(server)
    await page.goto(f"/lang/ar?next=/forum/boards/{board}/tablet")
    await page.fill("#note-text", "")
    counter = await page.text_content("#note-counter")
    assert "حرفان" not in counter  # the dual is for 2, not for 0
    await page.fill("#note-text", "ab")
    assert (await page.text_content("#note-counter")).startswith("حرفان من")
    await page.fill("#note-text", "abcde")
    assert (await page.text_content("#note-counter")).startswith("5 أحرف من")
