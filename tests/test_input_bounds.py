"""Input that answered 500 before the one input layer (issue 15, point 4) now gets a clear 4xx.

Each case was a crash: a JSON body nested deeper than the decoder's recursion limit, an integer past 64
bits reaching SQLite, a year-1 or year-9999 date or week overflowing date arithmetic, a Unicode digit
("²".isdigit() is true, int("²") fails) in a path, a query string or a command's argument. Every answer
is a refusal in the user's language, and writes nothing.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import csrf_for
from .hostile import assert_clear_refusal, make_world, server, table_counts  # noqa: F401

BIG = 2**63  # one past the largest SQLite integer
DEEP = b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


@pytest.fixture
async def world(server, make_client):  # noqa: F811
    return await make_world(server, make_client)


async def refused(world, method, url, expected, *, language="fr", client=None, **kw):
    """The request (by the organizer, unless another client is given) is refused with `expected`, readably,
    and no table changes."""
    client = client or world.organizer
    app = client.server.app
    before = await table_counts(app)
    headers = {"Accept-Language": language, **kw.pop("headers", {})}
    response = await client.request(method, url, headers=headers, allow_redirects=False, **kw)
    body = await response.text()
    assert response.status == expected, f"{method} {url}: {response.status} {body[:300]}"
    assert_clear_refusal(response.status, body, response.content_type, language, f"{method} {url}")
    assert await table_counts(app) == before, f"{method} {url} wrote rows"
    return body


async def test_json_nested_deeper_than_the_decoder_goes_is_400(world):
    board = world.ids["board"]
    headers = {"Content-Type": "application/json"}
    for i, url in enumerate((f"/api/v1/boards/{board}/notes", "/api/v1/sessions", "/api/v1/announcements")):
        language = ("fr", "en")[i % 2]
        body = await refused(world, "POST", url, 400, language=language, data=DEEP, headers={**headers, **world.bearer})
        assert ("profondément", "deeply")[i % 2] in body


async def test_a_board_for_a_session_past_64_bits_is_422(world):
    await refused(world, "POST", "/api/v1/boards", 422, json={"title": "Forum", "session": BIG}, headers=world.bearer)


async def test_merging_into_a_note_past_64_bits_is_422(world):
    note, key = world.ids["note"], world.keys[world.ids["board"]]
    body = await refused(
        world, "POST", f"/api/v1/notes/{note}/moderation?key={key}", 422, json={"action": "merge", "into": BIG}
    )
    assert "Choisissez une autre note du même tableau." in body


async def test_a_hackathon_for_a_session_past_64_bits_is_422(world):
    form = {"title": "Hackathon", "session": str(BIG), "csrf_token": csrf_for(world.organizer)}
    await refused(world, "POST", "/hackathons/staff", 422, data=form, language="en")


async def test_feedback_results_for_a_session_past_64_bits_are_400(world):
    await refused(world, "GET", f"/staff/feedback?session={'9' * 20}", 400)
    await refused(world, "GET", f"/api/v1/feedback/results?session={BIG}", 400, language="en", headers=world.bearer)


async def test_a_heartbeat_with_a_snapshot_version_past_64_bits_is_taken_without_it(world):
    display, token = next(iter(world.display_tokens.items()))
    response = await world.organizer.post(
        f"/api/v1/displays/{display}/heartbeat",
        json={"snapshot_version": BIG, "uptime": 12, "load": [0.5, "x"]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status == 200, await response.text()
    screens = await (await world.organizer.get("/api/v1/displays", headers=world.bearer)).json()
    health = next(d for d in screens["displays"] if d["id"] == display)["health"]
    assert health["uptime"] == 12 and "snapshot_version" not in health and "load" not in health


@pytest.mark.parametrize("language", ["fr", "en"])
async def test_a_week_in_year_one_or_9999_is_400(world, language):
    for url in (
        "/programme?week=0001-W01",
        "/programme?week=9999-W52",
        "/sites/maurepas?week=0001-W01",
        "/sites/maurepas/poster?week=9999-W52",
        "/dashboard?from=0001-W01&to=0001-W02",
    ):
        await refused(world, "GET", url, 400, language=language)


@pytest.mark.parametrize("language", ["fr", "en"])
async def test_sessions_of_year_one_or_9999_are_400(world, language):
    bearer = world.bearer
    await refused(
        world, "GET", "/api/v1/sessions?from=0001-01-01&to=0001-01-05", 400, language=language, headers=bearer
    )
    await refused(
        world, "GET", "/api/v1/sessions?from=9999-12-28&to=9999-12-31", 400, language=language, headers=bearer
    )
    await refused(world, "GET", "/staff/programme?date=0001-01-01", 400, language=language)


async def test_a_pitch_time_in_year_one_is_422(world):
    form = {"start": "0001-01-01T00:00", "csrf_token": csrf_for(world.organizer)}
    await refused(world, "POST", f"/hackathons/{world.ids['hackathon']}/pitches", 422, data=form)


@pytest.mark.parametrize("digit", ["²", "٣"])
async def test_unicode_digits_in_paths_and_queries_are_refused(world, digit, make_client):
    ids = world.ids
    resident = await make_client()  # the facilitator's and the voting tablet's links are checked for others than staff
    for url in (f"/forum/boards/{digit}/console?key=x", f"/forum/boards/{digit}/vote/tablet?kiosk=x"):
        await refused(world, "GET", url, 303, client=resident)  # not the link: to the staff login
    for url, expected in (
        (f"/api/v1/boards/{digit}", 404),
        (f"/minutes/{ids['board']}/v/{digit}", 404),
        (f"/staff/feedback?session={digit}", 400),
        (f"/staff/feedback?session={'9' * 20}", 400),
        (f"/api/v1/feedback/results?board={'9' * 20}", 400),
        (f"/staff/report?year={digit}", 422),
    ):
        await refused(world, "GET", url, expected, headers=world.bearer if "/api/" in url else {})


def test_the_minutes_command_takes_a_unicode_digit_as_a_join_code(tmp_path):
    (tmp_path / "quartier.yaml").write_text("database: quartier.db\nsecret_key: test\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "quartier", "minutes", "²", "--config", str(tmp_path / "quartier.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    )
    assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
    assert "²" in done.stderr
