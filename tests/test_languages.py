"""Languages as data (issue 24): every language of the `languages` setting speaks on every resident page.

The completeness check reads the catalogues as the server does: each resident page is rendered in
each configured language, and every message id the page asked for that the language's catalogues
lack is reported (quartier.i18n.untranslated). A French string added to a resident page without its
translation in every language fails here, whatever the string and whoever added it.
"""

from __future__ import annotations

import datetime as dt
import re
from importlib.resources import files

import pytest
from babel.messages.pofile import read_po

from events import queries
from quartier import features, formats, i18n
from quartier.typedefs import DB, SETTINGS
from tests.hostile import make_world, server  # noqa: F401  (the demo-filled server)


@pytest.fixture
async def world(server, make_client):  # noqa: F811
    return await make_world(server, make_client)


async def registration_urls(app, client) -> tuple[str, str]:
    """The form of a coming date of a demo session "sur inscription", and its confirmation page."""
    today = dt.datetime.now(app[SETTINGS].tz).date()

    def coming(db):
        start, end = today + dt.timedelta(days=1), today + dt.timedelta(days=40)
        return next(o for o in queries.occurrences(db, start, end) if o["registration"] and o["status"] == "scheduled")

    o = await app[DB].read(coming)
    day = o["date"].isoformat()
    r = await client.post(f"/api/v1/sessions/{o['session']}/registrations", json={"date": day, "first_name": "Awa"})
    assert r.status == 201, await r.text()
    return f"/sessions/{o['session']}/dates/{day}/inscription", "/" + (await r.json())["url"].split("/", 3)[3]


async def whatever_the_day_urls(app) -> dict[str, str]:
    """Pages whose texts would otherwise depend on the weekday the suite runs on: every site, next
    week's programme, and the session of each cancelled or moved date (the demo places them in the
    coming seven days, so this week's pages show them on some days only)."""
    today = dt.datetime.now(app[SETTINGS].tz).date()
    next_monday = today + dt.timedelta(days=7 - today.weekday())

    def read(db):
        sites = [r[0] for r in db.execute("SELECT slug FROM sites ORDER BY slug")]
        changed = [r[0] for r in db.execute("SELECT DISTINCT session_id FROM occurrence_exceptions ORDER BY 1")]
        return sites, changed

    sites, changed = await app[DB].read(read)
    assert changed, "the demo cancels and moves a date"
    urls = {f"site {slug}": f"/sites/{slug}" for slug in sites}
    urls |= {f"changed session {id}": f"/sessions/{id}" for id in changed}
    year, week, _d = next_monday.isocalendar()
    urls["next week"] = f"/programme?week={year}-W{week:02d}"
    return urls


async def resident_urls(app, world, client) -> dict[str, str]:
    """Every page a resident sees, with real ids of the demo."""
    ids = world.ids
    registration, registered = await registration_urls(app, client)
    display, token = next(iter(world.display_tokens.items()))
    needs = await (await client.get("/api/v1/needs")).json()
    need = needs["needs"][0]["id"]
    board = ids["board"]
    answer = await (await client.get(f"/orientation?need={need}&site=maurepas")).text()
    target = re.search(r'name="target" value="([^"]+)"', answer)
    assert target, "the demo's answer offers a slip"
    return {
        "home": "/",
        "week": "/programme",
        "site": "/sites/maurepas",
        "session": f"/sessions/{ids['session']}",
        "poster": "/sites/maurepas/poster",
        "tablet": f"/forum/boards/{board}/tablet",
        "join": "/j",
        "phone": f"/j/{ids['code']}",
        "vote-phone": f"/j/{ids['code']}/vote",
        "vote-tablet": f"/forum/boards/{board}/vote/tablet?key={world.kiosk[board]}",
        "wall": f"/forum/boards/{board}/wall",
        "feedback": f"/f/b/{board}",
        "orientation": "/orientation",
        "answer": f"/orientation?need={need}&site=maurepas",
        "slip": f"/orientation/slip?need={need}&site=maurepas&target={target.group(1)}",
        "screen": f"/screens/{display}?token={token}",
        "registration": registration,
        "registered": registered,
        "not-found": "/sessions/999999",
    } | await whatever_the_day_urls(app)


def non_source_languages(app) -> list[str]:
    return [code for code in app[SETTINGS].languages if code != i18n.SOURCE_LANGUAGE]


def owner_of(message: str) -> str:
    """The package whose English catalogue has the message: where its translation belongs."""
    for package in features.packages():
        po = files(package) / "locale" / "en" / "LC_MESSAGES" / "messages.po"
        if po.is_file():
            with po.open("rb") as f:
                if message in read_po(f, locale="en"):
                    return package
    return "?"


async def test_every_resident_page_is_whole_in_every_configured_language(server, world, make_client):  # noqa: F811
    languages = non_source_languages(server.app)
    assert {"en", "ar", "tr"} <= set(languages), "the default settings offer Arabic and Turkish"
    client = await make_client()
    urls = await resident_urls(server.app, world, client)
    missing: dict[str, set[str]] = {}
    for code in languages:
        await client.get(f"/lang/{code}", allow_redirects=False)
        i18n.untranslated.pop(code, None)
        for kind, url in urls.items():
            r = await client.get(url)
            assert r.status == (404 if kind == "not-found" else 200), (code, kind, r.status, (await r.text())[:300])
            if (code, kind) == ("ar", "feedback"):  # the form's own texts come from its YAML, in Arabic too
                assert "كيف كانت الحصة بالنسبة لك؟" in await r.text()
        missing[code] = set(i18n.untranslated.pop(code, set()))
    report = {code: sorted(f"{owner_of(m)}: {m}" for m in found) for code, found in missing.items() if found}
    assert not report, f"add these to locale/<code>/LC_MESSAGES/messages.po of the package named: {report}"


def test_a_language_is_its_catalogue_name_direction_and_plurals():
    assert set(i18n.catalogue_languages(features.packages())) >= {"fr", "en", "ar", "tr"}
    assert [i18n.language_name(c) for c in ("fr", "en", "ar", "tr")] == ["Français", "English", "العربية", "Türkçe"]
    assert [i18n.direction(c) for c in ("fr", "en", "ar", "tr")] == ["ltr", "ltr", "rtl", "ltr"]
    from tests.languages import in_language

    # Arabic has six plural forms, read from the catalogue's header: 1, 2, 3-10 and 11-99 differ.
    one, many = "{n} caractère sur {max}", "{n} caractères sur {max}"
    forms = [in_language("ar", lambda n=n: i18n.ngettext(one, many, n)) for n in (1, 2, 5, 11)]
    assert len(set(forms)) == 4, forms
    assert [in_language("tr", lambda n=n: i18n.ngettext(one, many, n)) for n in (1, 2)] == ["{n} / {max} karakter"] * 2


@pytest.mark.parametrize(("code", "direction"), [("ar", "rtl"), ("tr", "ltr"), ("en", "ltr")])
async def test_the_page_says_its_language_and_direction(client, code, direction):
    await client.get(f"/lang/{code}", allow_redirects=False)
    html = await (await client.get("/")).text()
    assert f'<html lang="{code}" dir="{direction}"' in html
    assert i18n.language_name(code) in html  # the switcher names each language in itself


@pytest.mark.parametrize(("header", "chosen"), [("ar-MA,ar;q=0.9", "ar"), ("tr-TR", "tr"), ("de-DE", "fr")])
async def test_accept_language_picks_any_configured_language(client, header, chosen):
    html = await (await client.get("/", headers={"Accept-Language": header})).text()
    assert f'<html lang="{chosen}"' in html


def test_dates_and_numbers_follow_the_language():
    day = dt.date(2026, 12, 2)
    assert formats.day(day, "tr") == "Çarşamba 2 Aralık"
    assert formats.day(day, "ar") == "الأربعاء 2 ديسمبر"  # digits kept readable: Babel's Arabic uses 0-9
    assert formats.hour(dt.time(9, 5)) == "09:05"


def test_a_language_without_catalogue_is_refused_with_the_known_ones(tmp_path):
    from quartier.settings import SettingsError, load

    config = tmp_path / "quartier.yaml"
    config.write_text("languages: [fr, xx]\n")
    with pytest.raises(SettingsError) as refused:
        load(config)
    assert "ar, en, fr, tr" in str(refused.value)
