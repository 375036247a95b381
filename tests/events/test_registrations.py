"""Registrations without accounts: places, the waiting list, the cancellation link, the desk, and
personal data gone the day after the session (issue 23)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re

import pytest

from events import registrations as regs
from events import store
from events.model import clean_exception, clean_site
from quartier.inputs.fields import Invalid
from quartier.typedefs import DB, SETTINGS
from tests.conftest import form, text_of
from tests.events.helpers import add_session, add_site


def tuesday_in(app, days: int) -> dt.date:
    """A Tuesday at least `days` ahead: whatever the hour the tests run at, it is in the future."""
    start = dt.datetime.now(app[SETTINGS].tz).date() + dt.timedelta(days=days)
    return start + dt.timedelta(days=(1 - start.weekday()) % 7)


async def workshop(app, *, capacity: int | None = 2, days: int = 10, **kw) -> tuple[int, dt.date]:
    day = tuesday_in(app, days)
    await add_site(app, phone="02 61 91 00 01", contact="Accueil de l'ESC")
    id = await add_session(
        app,
        title="Atelier smartphone",
        kind="atelier",
        axis="accompagnement",
        date=day.isoformat(),
        start="14:00",
        end="16:00",
        registration=True,
        capacity=capacity,
        **kw,
    )
    return id, day


def form_url(id: int, day: dt.date) -> str:
    return f"/sessions/{id}/dates/{day.isoformat()}/inscription"


async def sign_up(client, id, day, first_name, **extra):
    return await form(client, form_url(id, day), {"first_name": first_name, **extra}, allow_redirects=False)


async def rows(app, id) -> list[dict]:
    return await app[DB].fetchall("SELECT * FROM registrations WHERE session_id = ? ORDER BY id", (id,))


async def test_a_resident_registers_with_a_first_name_and_keeps_a_cancellation_link(client, app):
    id, day = await workshop(app, capacity=8)
    page = text_of(await (await client.get(f"/sessions/{id}")).text())
    assert "8 places libres sur 8" in page and "S'inscrire" in page
    assert "02 61 91 00 01 · Accueil de l'ESC" in page  # the site's phone and contact
    r = await sign_up(client, id, day, "Awa", phone="06 12 34 56 78")
    assert r.status == 303
    link = r.headers["Location"]
    assert re.fullmatch(r"/inscriptions/\d+-[0-9a-f]{32}", link)
    confirmation = await client.get(link)
    assert confirmation.headers["Cache-Control"] == "no-store"  # names and numbers: never kept by a cache
    text = text_of(await confirmation.text())
    assert "une place vous attend" in text and "Awa" in text and "06 12 34 56 78" in text
    assert "Gardez ce lien pour annuler" in text
    assert "7 places libres sur 8" in text_of(await (await client.get(f"/sessions/{id}")).text())
    (row,) = await rows(app, id)
    assert row["status"] == "confirmed" and row["source"] == "online" and row["email"] == ""


async def test_the_waiting_list_moves_up_when_someone_cancels(client, make_client, app):
    id, day = await workshop(app, capacity=2)
    links = []
    for name in ("Awa", "Bruno", "Chloé"):
        resident = await make_client()
        links.append((resident, (await sign_up(resident, id, day, name)).headers["Location"]))
    chloe, chloe_link = links[2]
    text = text_of(await (await chloe.get(chloe_link)).text())
    assert "liste d'attente, en position 1" in text
    session_page = text_of(await (await client.get(f"/sessions/{id}")).text())
    assert "Complet · 1 personne en liste d'attente" in session_page
    assert "S'inscrire sur la liste d'attente" in session_page
    since = (await app[DB].fetchone("SELECT max(seq) AS s FROM changes"))["s"]
    awa, awa_link = links[0]
    r = await form(awa, awa_link + "/annulation", {}, allow_redirects=False)
    assert r.status == 303
    assert "Inscription annulée" in text_of(await (await awa.get(awa_link)).text())
    text = text_of(await (await chloe.get(chloe_link)).text())
    assert "une place vous attend" in text and "vous êtes passé·e de la liste d'attente" in text
    statuses = {r["first_name"]: (r["status"], r["promoted"] is not None) for r in await rows(app, id)}
    assert statuses == {"Awa": ("cancelled", False), "Bruno": ("confirmed", False), "Chloé": ("confirmed", True)}
    # The session page follows on the session's channel (not the site's: no lobby screen refetches),
    # counts only, never a name.
    changes = await app[DB].fetchall("SELECT channel, type, data FROM changes WHERE seq > ?", (since,))
    assert {(c["channel"], c["type"]) for c in changes} == {(f"session:{id}", "registration.updated")}
    assert json.loads(changes[-1]["data"]) == {
        "session": id,
        "date": day.isoformat(),
        "confirmed": 2,
        "waiting": 0,
        "left": 0,
    }
    assert not any(name in c["data"] for c in changes for name in ("Awa", "Bruno", "Chloé"))
    # Cancelling twice changes nothing.
    assert (await form(awa, awa_link + "/annulation", {}, allow_redirects=False)).status == 303
    assert [r["status"] for r in await rows(app, id)] == ["cancelled", "confirmed", "confirmed"]


async def test_a_link_is_only_good_for_its_own_registration(client, app):
    id, day = await workshop(app)
    link = (await sign_up(client, id, day, "Awa")).headers["Location"]
    own_id, signature = link.rsplit("/", 1)[1].split("-")
    for forged in (f"{own_id}-{'0' * 32}", f"{int(own_id) + 1}-{signature}", f"{own_id}", "x-y", "9" * 40):
        r = await client.get(f"/inscriptions/{forged}")
        assert r.status == 404, forged
        assert (await form(client, f"/inscriptions/{forged}/annulation", {}, allow_redirects=False)).status == 404
    assert [r["status"] for r in await rows(app, id)] == ["confirmed"]


async def test_refusals_say_why_and_write_nothing(client, app, bearer):
    id, day = await workshop(app)
    cases = [
        ({"first_name": ""}, 422, "Indiquez un prénom (ou des initiales)."),
        ({"first_name": "Awa", "phone": "appelez-moi"}, 422, "Numéro de téléphone invalide"),
        ({"first_name": "Awa", "email": "awa@"}, 422, "Adresse e-mail invalide."),
        ({"first_name": "A" * 41}, 422, "Le champ « prénom » dépasse 40 caractères."),
    ]
    for data, status, message in cases:
        r = await form(client, form_url(id, day), data)
        assert r.status == status and message in await r.text(), data
    free = await add_session(app, title="Accès libre", date=day.isoformat(), start="09:00", end="12:00")
    r = await form(client, form_url(free, day), {"first_name": "Awa"})
    assert r.status == 409 and "sans inscription" in await r.text()
    r = await client.post(
        f"/api/v1/sessions/{id}/cancellations", headers=bearer, json={"date": day.isoformat(), "reason": "Travaux"}
    )
    assert r.status in (200, 201)
    r = await form(client, form_url(id, day), {"first_name": "Awa"})
    assert r.status == 409 and "Cette date est annulée" in await r.text()
    past = tuesday_in(app, -21)
    old = await add_session(app, title="Atelier passé", date=past.isoformat(), registration=True, capacity=4)
    r = await form(client, form_url(old, past + dt.timedelta(weeks=1)), {"first_name": "Awa"})
    assert r.status == 409 and "Cette date est passée." in await r.text()
    assert (await form(client, form_url(id, day + dt.timedelta(days=1)), {"first_name": "Awa"})).status == 404
    assert await app[DB].fetchall("SELECT * FROM registrations") == []


async def test_one_device_cannot_fill_a_workshop(client, app):
    id, day = await workshop(app, capacity=20)
    answers = [(await sign_up(client, id, day, f"Personne {n}")).status for n in range(5)]
    assert answers == [303, 303, 303, 303, 409]  # four places per device and date: a family, not a bot
    r = await sign_up(client, id, day, "Encore")
    assert r.status in (409, 429)
    assert len(await rows(app, id)) == 4


async def test_anonymous_registrations_are_rate_limited(client, app):
    id, day = await workshop(app, capacity=20)
    statuses = []
    for n in range(6):
        other = await add_session(app, title=f"Atelier {n}", date=day.isoformat(), registration=True, capacity=9)
        statuses.append((await sign_up(client, other, day, "Awa")).status)
    assert statuses == [303] * 5 + [429]


async def test_the_desk_registers_by_phone_sees_the_list_and_prints_it(organizer, client, app):
    id, day = await workshop(app, capacity=1)
    await sign_up(client, id, day, "Awa", email="awa@example.org")
    desk = f"/staff/sessions/{id}/occurrences/{day.isoformat()}/registrations"
    anonymous = await client.get(desk, allow_redirects=False)
    assert anonymous.status == 303 and "/login" in anonymous.headers["Location"]
    r = await form(organizer, desk, {"first_name": "Marcel", "phone": "02 99 00 00 00"}, allow_redirects=False)
    assert r.status == 303 and r.headers["Location"].endswith("?saved=1")
    page = text_of(await (await organizer.get(r.headers["Location"])).text())
    assert "Inscription enregistrée." in page
    assert "1 inscrit sur 1 place · 1 en liste d'attente" in page
    assert "Awa" in page and "awa@example.org" in page and "Marcel" in page and "par l'accueil" in page
    printable = await (await organizer.get(desk + "?print=1")).text()
    assert 'data-autoprint="1"' in printable and "Présent·e" in printable
    (awa, marcel) = await rows(app, id)
    assert marcel["source"] == "desk" and marcel["status"] == "waiting" and marcel["device"] == ""
    r = await form(organizer, f"/staff/registrations/{awa['id']}/cancel", {}, allow_redirects=False)
    assert r.status == 303
    page = text_of(await (await organizer.get(desk)).text())
    assert "Passé·e de la liste d'attente : à prévenir" in page  # the desk calls Marcel
    overview = text_of(await (await organizer.get("/staff/registrations")).text())
    assert "Atelier smartphone" in overview and "1 / 1" in overview


async def test_more_places_move_the_waiting_list_up(organizer, client, app, bearer):
    id, day = await workshop(app, capacity=1)
    await sign_up(client, id, day, "Awa")
    await sign_up(client, id, day, "Bruno")
    session = await (await client.get(f"/api/v1/sessions/{id}")).json()
    session["capacity"] = 2
    r = await client.put(f"/api/v1/sessions/{id}", headers=bearer, json=session)
    assert r.status == 200, await r.text()
    assert [r["status"] for r in await rows(app, id)] == ["confirmed", "confirmed"]


async def test_the_json_api(client, app, bearer):
    id, day = await workshop(app, capacity=1)
    r = await client.post(f"/api/v1/sessions/{id}/registrations", json={"date": day.isoformat(), "first_name": "Awa"})
    assert r.status == 201
    first = await r.json()
    assert first["status"] == "confirmed" and first["position"] is None
    assert first["url"].startswith("http://quartier.test/inscriptions/")
    r = await client.post(f"/api/v1/sessions/{id}/registrations", json={"date": day.isoformat(), "first_name": "Bo"})
    assert (await r.json())["status"] == "waiting" and (await r.json())["position"] == 1
    r = await client.post(f"/api/v1/sessions/{id}/registrations", json={"date": "demain", "first_name": "Bo"})
    assert r.status == 422
    assert (await client.get(f"/api/v1/sessions/{id}/registrations?date={day.isoformat()}")).status == 401
    listing = await (await client.get(f"/api/v1/sessions/{id}/registrations?date={day}", headers=bearer)).json()
    assert [p["first_name"] for p in listing["registrations"]] == ["Awa", "Bo"]
    assert listing["places"]["left"] == 0 and listing["places"]["waiting"] == 1
    token = first["url"].rsplit("/", 1)[1]
    r = await client.post(f"/api/v1/registrations/{token}/cancellation", json={})
    assert r.status == 200 and (await r.json()) == {"id": first["id"], "status": "cancelled", "promoted": 1}


async def register_at(app, id, day, name, moment):
    person = {"first_name": name, "phone": "06 00 00 00 00", "email": "x@example.org"}
    return await app[DB].write(
        lambda tx: regs.register(tx, id, day, person, source="online", device="d" * 64, now=moment)
    )


async def test_personal_data_is_deleted_the_day_after_the_session(server):
    app = server.app
    id, day = await workshop(app, capacity=5)
    tz = app[SETTINGS].tz
    before = dt.datetime.combine(day, dt.time(9), tz)
    await register_at(app, id, day, "Awa", before)
    nxt = day + dt.timedelta(weeks=1)
    await register_at(app, id, nxt, "Bruno", before)
    # The second date is moved to the day after: its data stays one day longer.
    moved = nxt + dt.timedelta(days=1)
    move = clean_exception({"date": nxt.isoformat(), "status": "moved", "new_date": moved.isoformat()})
    assert await app[DB].write(lambda tx: store.set_exception(tx, id, move)) == "created"
    on_the_day = dt.datetime.combine(day, dt.time(23, 59), tz).timestamp()
    assert await app[DB].write(lambda tx: regs.erase_past(tx, day, on_the_day)) == 0
    the_day_after = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 1), tz).timestamp()
    assert await app[DB].write(lambda tx: regs.erase_past(tx, day + dt.timedelta(days=1), the_day_after)) == 1
    awa, bruno = await rows(app, id)
    assert (awa["first_name"], awa["phone"], awa["email"], awa["device"]) == ("", "", "", "")
    assert awa["erased"] == the_day_after and awa["status"] == "confirmed"  # the count stays
    assert bruno["first_name"] == "Bruno"
    assert await app[DB].write(lambda tx: regs.erase_past(tx, moved, the_day_after)) == 0  # moved: not yet
    assert await app[DB].write(lambda tx: regs.erase_past(tx, moved + dt.timedelta(days=1), the_day_after)) == 1


async def test_the_background_task_erases_by_its_clock(server):
    app = server.app
    id, day = await workshop(app, capacity=5)
    tz = app[SETTINGS].tz
    await register_at(app, id, day, "Awa", dt.datetime.combine(day, dt.time(9), tz))
    clock = [dt.datetime.combine(day, dt.time(15), tz).timestamp()]  # during the session
    task = asyncio.create_task(regs.erase_forever(app[DB], tz, clock=lambda: clock[0], every=0.01))
    try:
        await asyncio.sleep(0.1)
        assert (await rows(app, id))[0]["first_name"] == "Awa"
        clock[0] += 86400  # the next day
        for _ in range(100):
            if (await rows(app, id))[0]["first_name"] == "":
                break
            await asyncio.sleep(0.01)
        assert (await rows(app, id))[0]["erased"] == clock[0]
    finally:
        task.cancel()


def test_a_timezone_name_too_long_for_a_file_is_refused_not_a_crash():
    with pytest.raises(Invalid) as refused:
        clean_site({"slug": "maurepas", "name": "ESC Maurepas", "timezone": "Europe/" + "x" * 300})
    assert {e[0] for e in refused.value.errors} == {"timezone"}
    assert "Fuseau horaire inconnu" in str(refused.value)
