"""Issue 20, point 4: one click prints a slip for the resident, and the slip is counted, anonymously.

The click is a POST (CSRF-checked, rate-limited) that counts the slip per month, need, site and
destination, with nothing about the person, and lands on the slip's page (A6), which says the need
in plain words, where to go, when, the address and access, what to bring, and carries a QR code to
the same answer online.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from quartier.typedefs import DB
from referral.pages import SLIPS_PER_MINUTE
from tests.conftest import csrf_for, form, table_columns, text_of

from .helpers import import_places, programme


async def slip_forms(client, url: str) -> list[dict[str, str]]:
    """Every "print the slip" form of a page, as the browser would send it."""
    html = await (await client.get(url)).text()
    found = []
    for block in re.findall(r'<form method="post" action="/orientation/slips".*?</form>', html, re.S):
        found.append(dict(re.findall(r'name="(need|site|target)" value="([^"]*)"', block)))
    return found


async def test_printing_counts_one_slip_and_shows_it_ready_to_print(client, app):
    ids = await programme(app)
    await import_places(app)
    forms = await slip_forms(client, "/orientation?need=titre-de-sejour&site=maurepas")
    assert forms[0] == {"need": "titre-de-sejour", "site": "maurepas", "target": f"session:{ids['droits']}:2026-03-25"}
    r = await form(client, "/orientation/slips", forms[0], allow_redirects=False)
    assert r.status == 303
    location = r.headers["Location"]
    assert parse_qs(urlsplit(location).query)["print"] == ["1"]
    rows = await app[DB].fetchall("SELECT * FROM referral_slips")
    assert rows == [
        {
            "month": "2026-03",
            "need": "titre-de-sejour",
            "site": "maurepas",
            "target": "session:"
            + (await app[DB].fetchone("SELECT key FROM sessions WHERE id = ?", (ids["droits"],)))["key"],
            "destination": "ESC Le Blosne",
            "destination_kind": "programme",
            "count": 1,
        }
    ]
    page = await (await client.get(location)).text()
    text = text_of(page)
    assert "Ticket d'orientation" in text and "Renouveler un titre de séjour" in text
    assert "Allez à ESC Le Blosne Permanence accès aux droits" in text
    assert "Quand Mercredi 25 mars , de 14:00 à 17:00" in text and "7 boulevard de Yougoslavie, 35200 Rennes" in text
    assert "Votre passeport" in text and "Un justificatif de domicile de moins de 6 mois" in text
    assert 'data-autoprint="1"' in page
    # The QR code and the address under it lead to the same answer online.
    assert "quartier.test/orientation?need=titre-de-sejour&amp;site=maurepas" in page
    assert '<svg class="qr"' in page or 'class="qr"' in page


async def test_a_second_slip_adds_to_the_count_and_a_place_counts_under_its_name(client, app):
    await programme(app)
    await import_places(app)
    forms = await slip_forms(client, "/orientation?need=titre-de-sejour")
    place = next(f for f in forms if f["target"].startswith("resource:"))
    for _ in range(2):
        assert (await form(client, "/orientation/slips", place, allow_redirects=False)).status == 303
    row = await app[DB].fetchone("SELECT * FROM referral_slips")
    assert (row["site"], row["destination"], row["destination_kind"], row["count"]) == ("", "Préfecture", "other", 2)
    text = text_of(await (await client.get(f"/orientation/slip?need=titre-de-sejour&target={place['target']}")).text())
    assert "Allez à Préfecture Point numérique des étrangers" in text
    assert "lundi-vendredi 09:00-12:00" in text and "3 avenue" not in text and "1 rue des Tests, 35000 Rennes" in text


async def test_the_slip_table_holds_nothing_about_the_person(app, client):
    await programme(app)
    columns = [c["name"] for c in await app[DB].read(lambda d: table_columns(d, "referral_slips"))]
    assert columns == ["month", "need", "site", "target", "destination", "destination_kind", "count"]


async def test_printing_needs_the_page_token_and_is_rate_limited(client, app):
    await programme(app)
    forms = await slip_forms(client, "/orientation?need=titre-de-sejour")
    r = await client.post("/orientation/slips", data=forms[0], allow_redirects=False)
    assert r.status == 403  # no CSRF token: another site's form cannot count slips
    per_device, _burst = SLIPS_PER_MINUTE["device"]
    statuses = []
    for _ in range(per_device + 3):
        r = await client.post(
            "/orientation/slips", data={**forms[0], "csrf_token": csrf_for(client)}, allow_redirects=False
        )
        statuses.append(r.status)
    assert statuses[:per_device] == [303] * per_device and statuses[-1] == 429
    assert "Retry-After" in r.headers
    count = await app[DB].fetchone("SELECT count FROM referral_slips")
    assert count["count"] == per_device


async def test_a_slip_for_something_that_does_not_exist_is_refused_and_not_counted(client, app):
    await programme(app)
    for target in ("session:9999:2026-03-25", "resource:9999", "session:1:2026-03-24", "nonsense", ""):
        r = await form(client, "/orientation/slips", {"need": "caf", "target": target}, allow_redirects=False)
        assert r.status == 404, target
    r = await form(client, "/orientation/slips", {"need": "voler", "target": "resource:1"}, allow_redirects=False)
    assert r.status == 404
    r = await form(client, "/orientation/slips", {"target": "resource:1"}, allow_redirects=False)
    assert r.status == 422
    assert await app[DB].fetchall("SELECT * FROM referral_slips") == []
