"""Attendance (issue 21): counts per occurrence, anonymous tallies, late entry, "not held", what is missing."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from events import store as events_store
from quartier.typedefs import CLOCK, DB
from tests.conftest import form, text_of
from tests.events.helpers import add_session, add_site

PARIS = ZoneInfo("Europe/Paris")
NOW = dt.datetime(2026, 12, 2, 11, 30, tzinfo=PARIS)  # a Wednesday, during the morning drop-in


@pytest.fixture
async def drop_in(server):
    """A weekly Wednesday-morning drop-in since 4 November; the clock at 11:30 on 2 December."""
    server.app[CLOCK].fixed = NOW
    await add_site(server.app)
    return await add_session(server.app, title="Permanence numérique", date="2026-11-04", kind="permanence")


async def test_a_count_with_tallies_is_recorded_and_read_back(client, bearer, drop_in, server):
    body = {
        "date": "2026-12-02",
        "count": 7,
        "first_visit": 3,
        "referred": 1,
        "ages": {"25-39": 2, "60-69": 4},
        "needs": {"caf": 2},
    }
    with_ws = await client.ws_connect("/ws?channels=counts&since=0", headers=bearer)
    r = await client.post(f"/api/v1/sessions/{drop_in}/attendance", json=body, headers=bearer)
    assert r.status == 201, await r.text()
    data = await r.json()
    assert data["attendance"] == {
        "held": True,
        "reason": "",
        "count": 7,
        "first_visit": 3,
        "referred": 1,
        "ages": {"25-39": 2, "60-69": 4},
        "needs": {"caf": 2},
    }
    msg = await with_ws.receive_json(timeout=5)
    assert msg["channel"] == "counts" and msg["type"] == "attendance.recorded"
    assert msg["data"] == {"session": drop_in, "date": "2026-12-02", "site": "maurepas", "held": True, "count": 7}
    await with_ws.close()
    # A correction replaces the count (200, not a second row).
    r = await client.post(
        f"/api/v1/sessions/{drop_in}/attendance", json={"date": "2026-12-02", "count": 8}, headers=bearer
    )
    assert r.status == 200
    r = await client.get("/api/v1/attendance?from=2026-11-25&to=2026-12-02", headers=bearer)
    rows = (await r.json())["occurrences"]
    assert [(o["date"], o["attendance"] and o["attendance"]["count"]) for o in rows] == [
        ("2026-11-25", None),
        ("2026-12-02", 8),
    ]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"date": "2026-12-02", "count": -1}, "invalid_count"),
        ({"date": "2026-12-02", "count": 2, "first_visit": 3}, "tallies_exceed_count"),
        ({"date": "2026-12-02", "count": 5, "ages": {"18-24": 3, "70-plus": 3}}, "tallies_exceed_count"),
        ({"date": "2026-12-02", "count": 5, "needs": {"nothing-like-this": 1}}, "invalid_field"),
        ({"date": "2026-12-09", "count": 3}, "future"),
    ],
)
async def test_bad_counts_get_a_clear_422(client, bearer, drop_in, body, code):
    r = await client.post(f"/api/v1/sessions/{drop_in}/attendance", json=body, headers=bearer)
    assert r.status == 422, await r.text()
    error = (await r.json())["error"]
    assert error["code"] == code and error["message"]


async def test_a_cancelled_occurrence_cannot_be_counted(client, bearer, drop_in, server):
    exception = {"date": dt.date(2026, 11, 25), "status": "cancelled", "reason": "grève"}
    await server.app[DB].write(lambda tx: events_store.set_exception(tx, drop_in, {**_blank_exception(), **exception}))
    r = await client.post(
        f"/api/v1/sessions/{drop_in}/attendance", json={"date": "2026-11-25", "count": 2}, headers=bearer
    )
    assert r.status == 422 and (await r.json())["error"]["code"] == "cancelled"
    r = await client.post(
        f"/api/v1/sessions/{drop_in}/attendance", json={"date": "2026-11-26", "count": 2}, headers=bearer
    )
    assert r.status == 404  # no occurrence that day


def _blank_exception():
    return {"new_date": None, "start": None, "end": None, "room": None, "reason": ""}


async def test_counting_needs_staff(client, drop_in):
    r = await client.post(f"/api/v1/sessions/{drop_in}/attendance", json={"date": "2026-12-02", "count": 1})
    assert r.status in (401, 403)
    r = await client.get("/staff/attendance", allow_redirects=False)
    assert r.status in (303, 401, 403)


async def test_the_phone_counter_and_not_held(facilitator, drop_in):
    page = await facilitator.get(f"/staff/attendance/{drop_in}/2026-12-02")
    assert page.status == 200
    assert "Personnes venues" in text_of(await page.text())
    r = await form(
        facilitator, f"/staff/attendance/{drop_in}/2026-12-02", {"count": "6", "ages.60-69": "2"}, allow_redirects=False
    )
    assert r.status == 303, await r.text()
    day = text_of(await (await facilitator.get("/staff/attendance?date=2026-12-02")).text())
    assert "Permanence numérique" in day
    # Last week's was not held: a reason, no count.
    r = await form(
        facilitator,
        f"/staff/attendance/{drop_in}/2026-11-25",
        {"held": "0", "reason": "médiatrice malade"},
        allow_redirects=False,
    )
    assert r.status == 303
    r = await form(facilitator, f"/staff/attendance/{drop_in}/2026-12-02", {"count": "2", "first_visit": "5"})
    assert r.status == 422
    assert "plus de personnes" in text_of(await r.text())


async def test_late_entry_of_a_week_and_what_is_missing(facilitator, drop_in, server):
    atelier = await add_session(
        server.app,
        title="Atelier tablette",
        date="2026-11-27",
        kind="atelier",
        axis="accompagnement",
        start="14:00",
        end="16:00",
    )
    missing = text_of(await (await facilitator.get("/staff/attendance/missing?from=2026-11-01")).text())
    assert (
        "5 séances depuis le début de la période n'ont pas encore de comptage" in missing
    )  # 4, 11, 18, 25 Nov; the 27th
    page = await facilitator.get("/staff/attendance?date=2026-11-26&days=7")
    assert page.status == 200
    fields = {f"count-{drop_in}-2026-12-02": "5", f"notheld-{atelier}-2026-11-27": "on"}
    r = await form(
        facilitator, "/staff/attendance", {"date": "2026-11-26", "days": "7", **fields}, allow_redirects=False
    )
    assert r.status == 303, await r.text()
    r = await facilitator.get("/api/v1/attendance?from=2026-11-26&to=2026-12-02")
    got = {(o["session"], o["date"]): o["attendance"] for o in (await r.json())["occurrences"]}
    assert got[(drop_in, "2026-12-02")]["count"] == 5
    assert got[(atelier, "2026-11-27")]["held"] is False
    # A bad row saves nothing and says which row.
    bad = {f"count-{atelier}-2026-11-27": "-3", f"count-{drop_in}-2026-12-02": "9"}
    r = await form(facilitator, "/staff/attendance", {"date": "2026-11-26", "days": "7", **bad})
    assert r.status == 422
    r = await facilitator.get("/api/v1/attendance?from=2026-12-02&to=2026-12-02")
    assert (await r.json())["occurrences"][0]["attendance"]["count"] == 5


async def test_the_activity_export_has_the_coop_s_columns(client, bearer, drop_in, server):
    """Issue 21, point 3: the counts in the columns of the Coop de la médiation numérique's CRA export."""
    import csv
    import io

    from reports.activity_export import COLUMNS

    body = {"date": "2026-12-02", "count": 6, "referred": 2, "ages": {"60-69": 4, "70-plus": 1}, "needs": {"caf": 3}}
    assert (await client.post(f"/api/v1/sessions/{drop_in}/attendance", json=body, headers=bearer)).status == 201
    not_held = {"date": "2026-11-25", "held": False, "reason": "fermé"}
    assert (await client.post(f"/api/v1/sessions/{drop_in}/attendance", json=not_held, headers=bearer)).status == 201
    r = await client.get("/staff/attendance/activites.csv?from=2026-11-01&to=2026-12-02", headers=bearer)
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(await r.text())))
    assert list(rows[0]) == COLUMNS[:]
    assert COLUMNS[:8] == [
        "Date",
        "Type",
        "Nombre de participants",
        "Bénéficiaire",
        "Canaux d’accompagnement",
        "Lieu",
        "Durée (min)",
        "Nom de l’atelier",
    ]
    assert len(rows) == 1  # uncounted and not-held occurrences are not activities
    row = rows[0]
    assert row["Date"] == "02/12/2026" and row["Type"] == "Accompagnement individuel"
    assert row["Nombre de participants"] == "6" and row["Durée (min)"] == "180"
    assert row["Lieu"] == "ESC Maurepas, 35700 Rennes" and row["Canaux d’accompagnement"] == "Lieu d’activité"
    assert row["Thématique(s) d’accompagnement"] == "Aide aux démarches administratives"
    assert row["Tranche d’âge du bénéficiaire"] == "60 - 69 ans : 4\n70 ans ou plus : 1"
    assert row["Bénéficiaire réorienté"] == "2"
    assert "CAF" in row["Nom de la démarche administrative"]
    assert (
        await client.get("/staff/attendance/activites.csv?from=2026-12-02&to=2026-01-01", headers=bearer)
    ).status == 400
