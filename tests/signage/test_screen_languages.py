"""A lobby screen in one or two languages (issue 24): staff pick them, the page carries both label sets."""

import json
import re

from tests.signage.helpers import add_site, pair


async def screen_page(client, screen) -> str:
    r = await client.get(f"/screens/{screen['id']}?token={screen['token']}")
    assert r.status == 200
    return await r.text()


async def test_a_screen_set_to_french_and_arabic_carries_both_label_sets(server, client, bearer):
    await add_site(server.app)
    screen = await pair(client, bearer)
    r = await client.patch(f"/api/v1/displays/{screen['id']}", headers=bearer, json={"languages": ["fr", "ar"]})
    assert r.status == 200, await r.text()
    html = await screen_page(client, screen)
    assert '<html lang="fr" dir="ltr">' in html and 'data-languages="fr ar"' in html
    sets = json.loads(re.search(r'id="screen-label-sets">(.*?)</script>', html).group(1))
    assert sets["ar"]["coming_days"] == "الأيام القادمة" and sets["ar"]["_dir"] == "rtl"
    assert sets["fr"]["coming_days"] == "Les prochains jours"
    agent = await (await client.get(f"/api/v1/displays/{screen['id']}/page", headers=bearer)).json()
    assert 'data-languages="fr ar"' in agent["html"]  # the Pi agent serves the same alternation offline


async def test_one_language_only_turkish_and_no_alternation(server, client, bearer):
    await add_site(server.app)
    screen = await pair(client, bearer)
    r = await client.patch(f"/api/v1/displays/{screen['id']}", headers=bearer, json={"languages": "tr"})
    assert r.status == 200, await r.text()
    html = await screen_page(client, screen)
    assert '<html lang="tr" dir="ltr">' in html and "Önümüzdeki günler" in html
    assert "screen-label-sets" not in html


async def test_a_language_the_server_does_not_offer_is_refused_in_words(server, client, bearer):
    await add_site(server.app)
    screen = await pair(client, bearer)
    r = await client.patch(f"/api/v1/displays/{screen['id']}", headers=bearer, json={"languages": ["fr", "de"]})
    assert r.status == 422
    assert "fr, en, ar, tr" in (await r.json())["error"]["message"]
    r = await client.patch(f"/api/v1/displays/{screen['id']}", headers=bearer, json={"languages": ["fr", "ar", "tr"]})
    assert r.status == 422
