"""Answering a feedback form (HTML and JSON), its window, one answer per device, limits and results."""

import csv
import datetime as dt
import io
import re

import pytest

from forum import store as forum_store
from quartier.typedefs import DB, LIMITER, SETTINGS
from reports import feedback_figures, feedback_store
from reports import queries as reports_queries
from reports.feedback_results import question_line
from reports.feedback_svg import share_bar
from tests.conftest import form, text_of
from tests.events.helpers import add_session, add_site
from tests.languages import in_language

ANSWER = {"satisfaction": 5, "learned": ["caf", "compte"], "return": "oui", "comment": "Très utile, merci"}


def today(app) -> dt.date:
    return dt.datetime.now(app[SETTINGS].tz).date()


async def past_session(app, *, days_ago: int = 1, **kw) -> tuple[int, dt.date]:
    """A one-off session that took place `days_ago` days ago (its form is open for 7 days)."""
    day = today(app) - dt.timedelta(days=days_ago)
    if not kw.pop("no_site", False):
        await add_site(app)
    kw.setdefault("repeat", None)
    return await add_session(app, date=day.isoformat(), **kw), day


async def answer(client, session_id, day, answers=ANSWER):
    return await client.post(
        f"/api/v1/sessions/{session_id}/feedback", json={"date": day.isoformat(), "answers": answers}
    )


async def count_rows(app) -> int:
    return (await app[DB].fetchone("SELECT count(*) AS n FROM feedback_answers"))["n"]


async def test_the_form_page_is_accessible_without_javascript(client, app):
    id, day = await past_session(app)
    r = await client.get(f"/f/{id}/{day.isoformat()}")
    assert r.status == 200
    html = await r.text()
    assert "<script" not in html.split("</footer>")[0]  # the form needs no script
    assert re.search(r'<form method="post" action="/f/\d+/[\d-]+"', html)
    assert "csrf_token" in html
    assert html.count("<fieldset") == 3 and html.count("<legend>") == 3
    assert 'type="radio" name="q_satisfaction" value="5"' in html
    assert "Très bien" in text_of(html) and "Reviendrez-vous ?" in text_of(html)
    # The session's axis (droits) gives the choices of "what did you do today".
    assert 'value="caf"' in html and 'value="ordinateur"' not in html
    assert '<label for="q_comment">' in html


async def test_a_form_post_records_then_a_second_one_updates_the_same_answer(client, app):
    id, day = await past_session(app)
    url = f"/f/{id}/{day.isoformat()}"
    await client.get(url)
    r = await form(
        client, url, {"q_satisfaction": "4", "q_learned": "caf", "q_return": "peut-etre"}, allow_redirects=False
    )
    assert r.status == 303 and r.headers["Location"] == f"{url}?merci=1#merci"
    page = await (await client.get(f"{url}?merci=1")).text()
    assert "Merci ! Votre réponse est enregistrée." in text_of(page)
    assert 'value="4" checked' in page and 'value="caf" checked' in page
    r = await client.post(
        url,
        data={
            "q_satisfaction": "2",
            "q_learned": ["caf", "impots"],
            "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page)[1],
        },
        allow_redirects=False,
    )
    assert r.status == 303
    assert await count_rows(app) == 1
    rows = await app[DB].read(lambda d: feedback_figures.answers(d, session_id=id))
    assert rows[0]["answers"] == {"satisfaction": 2, "learned": ["caf", "impots"]}


async def test_a_missing_required_answer_shows_the_form_again_with_the_error(client, app):
    id, day = await past_session(app)
    url = f"/f/{id}/{day.isoformat()}"
    r = await form(client, url, {"q_return": "oui", "q_comment": "bien"})
    assert r.status == 422
    html = await r.text()
    assert 'role="alert"' in html and 'href="#q-satisfaction"' in html
    assert "Cette question demande une réponse." in text_of(html)
    assert 'value="oui" checked' in html and ">bien</textarea>" in html  # nothing typed is lost
    assert await count_rows(app) == 0


async def test_the_api_answer_is_updated_within_30_minutes_then_final(client, app, make_client):
    id, day = await past_session(app)
    r = await answer(client, id, day)
    assert r.status == 201
    body = await r.json()
    assert body["status"] == "created" and body["editable_until"]
    r = await answer(client, id, day, {"satisfaction": 3})
    assert r.status == 200 and (await r.json())["status"] == "updated"
    assert await count_rows(app) == 1
    # Another device is another answer.
    other = await make_client()
    assert (await answer(other, id, day)).status == 201
    assert await count_rows(app) == 2
    # 31 minutes later the first device's answer is final.
    await app[DB].write(lambda tx: tx.execute("UPDATE feedback_answers SET created = created - 31 * 60"))
    r = await answer(client, id, day, {"satisfaction": 1})
    assert r.status == 409
    assert (await r.json())["error"]["code"] == "already_answered"
    page = await (await client.get(f"/f/{id}/{day.isoformat()}")).text()
    assert "Vous avez déjà répondu à ce questionnaire. Merci !" in text_of(page) and "<fieldset" not in page
    rows = await app[DB].read(lambda d: feedback_figures.answers(d, session_id=id))
    assert sorted(r["answers"]["satisfaction"] for r in rows) == [3, 5]


async def test_the_device_is_stored_only_as_a_hash(client, app):
    id, day = await past_session(app)
    await answer(client, id, day)
    device = next(c.value for c in client.session.cookie_jar if c.key == "quartier_device")
    row = await app[DB].fetchone("SELECT * FROM feedback_answers")
    assert device not in str(row.values()) and row["device"] == feedback_store.device_hash(device)


@pytest.mark.parametrize("days_ago, code", [(-1, "not_open"), (9, "closed")])
async def test_the_form_opens_at_the_start_and_closes_days_later(client, app, days_ago, code):
    id, day = await past_session(app, days_ago=days_ago)
    r = await answer(client, id, day)
    assert r.status == 409 and (await r.json())["error"]["code"] == code
    page = await (await client.get(f"/f/{id}/{day.isoformat()}")).text()
    assert "<fieldset" not in page
    assert ("ouvrira" if code == "not_open" else "fermé depuis") in text_of(page)
    r = await form(client, f"/f/{id}/{day.isoformat()}", {"q_satisfaction": "5"})
    assert r.status == 409


async def test_the_closing_day_follows_the_setting(client, app):
    id, day = await past_session(app, days_ago=2)
    target = await app[DB].read(lambda d: feedback_store.occurrence_target(d, id, day, 1))
    now = dt.datetime.now(app[SETTINGS].tz)
    assert target.state(now) == "closed"
    assert target.closes == dt.datetime.combine(day + dt.timedelta(days=2), dt.time.min, tzinfo=app[SETTINGS].tz)
    target = await app[DB].read(lambda d: feedback_store.occurrence_target(d, id, day, 2))
    assert target.state(now) == "open"


async def test_a_cancelled_occurrence_or_a_wrong_date_has_no_form(client, app, bearer):
    id, day = await past_session(app)
    assert (await answer(client, id, day + dt.timedelta(days=1))).status == 404
    assert (await client.post(f"/api/v1/sessions/{id}/feedback", json={"answers": {}})).status == 422
    r = await client.post(
        f"/api/v1/sessions/{id}/cancellations", json={"date": day.isoformat(), "reason": "Grève"}, headers=bearer
    )
    assert r.status in (200, 201)
    r = await answer(client, id, day)
    assert r.status == 409 and (await r.json())["error"]["code"] == "cancelled"


async def test_invalid_answers_are_refused_with_the_question(client, app):
    id, day = await past_session(app)
    r = await answer(client, id, day, {"satisfaction": 9})
    assert r.status == 422
    assert "Comment s'est passée la séance" in (await r.json())["error"]["message"]
    r = await answer(client, id, day, {"satisfaction": 5, "learned": ["wifi"]})  # not a "droits" choice
    assert r.status == 422
    r = await client.post(f"/api/v1/sessions/{id}/feedback", data="satisfaction=5")
    assert r.status in (403, 415)
    assert await count_rows(app) == 0


async def test_answers_are_rate_limited_per_device(client, app, make_client):
    await add_site(app)
    day = today(app) - dt.timedelta(days=1)
    ids = [await add_session(app, date=day.isoformat(), repeat=None, title=f"Atelier {n}") for n in range(12)]
    statuses = [(await answer(client, id, day)).status for id in ids]
    assert statuses[:10] == [201] * 10
    r = await answer(client, ids[11], day)
    assert r.status == 429 and int(r.headers["Retry-After"]) >= 1
    # Another phone behind the same Wi-Fi is not blocked by the first one.
    other = await make_client()
    assert (await answer(other, ids[0], day)).status == 201


async def test_a_phone_without_the_cookie_is_limited_by_address(client, app):
    id, day = await past_session(app)
    client.session.cookie_jar.clear()
    statuses = []
    for _n in range(7):
        client.session.cookie_jar.clear()
        statuses.append((await answer(client, id, day)).status)
    assert 429 in statuses and statuses[0] == 201
    app[LIMITER].reset("feedback-nocookie:127.0.0.1")


async def fill(app, make_client, id, day, answers_list):
    for answers in answers_list:
        c = await make_client()
        assert (await answer(c, id, day, answers)).status == 201


async def test_results_show_counts_distributions_texts_and_export(app, make_client, organizer, bearer):
    id, day = await past_session(app)
    await fill(
        app,
        make_client,
        id,
        day,
        [
            {"satisfaction": 5, "learned": ["caf"], "return": "oui", "comment": "Super"},
            {"satisfaction": 4, "learned": ["caf", "impots"], "return": "oui"},
            {"satisfaction": 4, "return": "non", "comment": "Nul, insulte"},
        ],
    )
    r = await organizer.get("/api/v1/feedback/results", params={"session": str(id)})
    assert r.status == 200
    data = await r.json()
    assert data["responses"] == 3 and data["targets"] == 1
    q = {q["id"]: q for q in data["questions"]}
    assert [(c["id"], c["count"]) for c in q["satisfaction"]["choices"]] == [
        ("1", 0),
        ("2", 0),
        ("3", 0),
        ("4", 2),
        ("5", 1),
    ]
    assert q["satisfaction"]["mean"] == 4.33
    assert {c["id"]: c["count"] for c in q["learned"]["choices"]}["caf"] == 2
    assert {c["id"]: c["count"] for c in q["return"]["choices"]} == {"oui": 2, "peut-etre": 0, "non": 1}
    assert [t["text"] for t in q["comment"]["texts"]] == ["Super", "Nul, insulte"]

    page = await (await organizer.get(f"/staff/feedback?session={id}&date={day.isoformat()}")).text()
    assert "3 réponses" in text_of(page)
    assert page.count('<table class="numbers feedback-bars">') == 3
    assert 'class="bar"' in page and 'data-count="2"' in page

    # Hide the inappropriate text: gone from results and from the export, the answer still counts.
    insult = next(t["answer"] for t in q["comment"]["texts"] if "insulte" in t["text"])
    r = await form(
        organizer,
        f"/staff/feedback/answers/{insult}/hide",
        {"hidden": "1", "next": "/staff/feedback"},
        allow_redirects=False,
    )
    assert r.status == 303
    data = await (await organizer.get("/api/v1/feedback/results", params={"session": str(id)})).json()
    comment = next(q for q in data["questions"] if q["id"] == "comment")
    assert [t["text"] for t in comment["texts"]] == ["Super"] and data["responses"] == 3
    r = await organizer.get(f"/staff/feedback/export.csv?session={id}")
    assert r.status == 200 and r.content_type == "text/csv"
    rows = list(csv.DictReader(io.StringIO(await r.text())))
    assert len(rows) == 3
    assert [row["satisfaction"] for row in rows] == ["5", "4", "4"]
    assert rows[1]["learned"] == "caf;impots" and rows[0]["site"] == "maurepas" and rows[0]["axis"] == "droits"
    assert "insulte" not in await r.text()
    # Bearer tokens work for scripts.
    assert (await organizer.get("/api/v1/feedback/results", params={"axis": "droits"})).status == 200


async def test_results_by_site_and_axis_and_period(app, make_client, organizer):
    id1, day = await past_session(app)
    await add_site(app, slug="cleunay", name="ESC Cleunay")
    id2 = await add_session(
        app,
        site="cleunay",
        date=day.isoformat(),
        repeat=None,
        title="Accès libre",
        kind="acces-libre",
        axis="acces-libre",
    )
    await fill(app, make_client, id1, day, [{"satisfaction": 5}, {"satisfaction": 4}])
    await fill(app, make_client, id2, day, [{"satisfaction": 2, "learned": ["wifi"]}])

    def summary(**kw):
        return app[DB].read(lambda d: feedback_figures.feedback_summary(d, **kw))

    assert (await summary())["responses"] == 3
    assert (await summary(site="cleunay"))["responses"] == 1
    by_axis = await summary(axis="acces-libre")
    learned = next(q for q in by_axis["questions"] if q["id"] == "learned")
    assert {c["id"]: c["count"] for c in learned["choices"]}["wifi"] == 1
    assert (await summary(session_id=id1, date=day))["responses"] == 2
    assert (await summary(start=day + dt.timedelta(days=1)))["responses"] == 0
    r = await organizer.get("/api/v1/feedback/results", params={"axis": "nope"})
    assert r.status == 400


async def test_staff_results_need_staff(client, app):
    r = await client.get("/api/v1/feedback/results")
    assert r.status == 401
    r = await client.get("/staff/feedback", allow_redirects=False)
    assert r.status == 303 and "/login" in r.headers["Location"]
    assert (await client.get("/staff/feedback/export.csv", allow_redirects=False)).status == 303


async def test_paths_for_screens_and_posters_match_the_routes(app):
    assert feedback_store.feedback_path(12, dt.date(2025, 3, 4)) == "/f/12/2025-03-04"
    assert str(app.router["feedback_form"].url_for(session="12", date="2025-03-04")) == "/f/12/2025-03-04"
    assert feedback_store.board_feedback_path(3) == str(app.router["feedback_board_form"].url_for(board="3"))


def test_bars_are_proportional_and_hold_no_text():
    """The figures are the table's cells beside the bar, so no text can be cut at the image's edge."""
    assert 'width="75.0"' in str(share_bar(3, 0.75)) and 'data-count="3"' in str(share_bar(3, 0.75))
    assert 'class="bar"' not in str(share_bar(0, 0.0))
    svg = str(share_bar(1, 0.5))
    assert "<text" not in svg and 'aria-hidden="true"' in svg and "style=" not in svg


def test_a_question_line_is_one_sentence_with_its_plural_and_a_decimal_comma():
    """Issue 23: "2060 réponses · moyenne sur 19", "3.88", "1 votants"."""
    choices = [{"id": str(n), "value": n, "count": 0} for n in range(1, 6)]
    scale = {"type": "scale", "answered": 2060, "mean": 3.88, "choices": choices}
    assert in_language("fr", lambda: question_line(scale)) == "2\u202f060 réponses, note moyenne 3,88 sur 5"
    assert in_language("en", lambda: question_line(scale)) == "2,060 answers, average score 3.88 out of 5"
    several = {"type": "multiple", "answered": 1, "choices": [{"id": "caf", "value": None}] * 19}
    assert in_language("fr", lambda: question_line(several)) == "1 personne a répondu (plusieurs choix possibles)"
    assert in_language("en", lambda: question_line({**several, "answered": 2})).startswith("2 people answered")
    assert in_language("fr", lambda: question_line({"type": "single", "answered": 1, "choices": []})) == "1 réponse"


async def test_the_session_page_shows_the_feedback_qr_of_the_chosen_or_todays_occurrence(client, app):
    id, day = await past_session(app)
    page = await (await client.get(f"/sessions/{id}?date={day.isoformat()}")).text()
    assert f'href="/f/{id}/{day.isoformat()}"' in page
    assert f"http://quartier.test/f/{id}/{day.isoformat()}" in text_of(page)
    assert page.count('class="qr"') == 2  # the page's own QR and the form's
    # A session still to come, or long past, has no form to point to.
    later = await add_session(app, date=(day + dt.timedelta(days=5)).isoformat(), repeat=None, title="Plus tard")
    page = await (await client.get(f"/sessions/{later}")).text()
    assert "/f/" not in page
    old, old_day = await past_session(app, days_ago=20, no_site=True, title="Ancienne")
    page = await (await client.get(f"/sessions/{old}?date={old_day.isoformat()}")).text()
    assert "/f/" not in page


async def test_the_demo_has_answers_on_last_weeks_sessions(settings):
    from quartier import features
    from quartier.db import Database
    from quartier.demo import fill

    await fill(settings, "password-for-demo")
    db = Database(settings.database_location)
    await db.open(features.migration_sets(features.load()))
    try:
        today = dt.datetime.now(settings.tz).date()
        summary = await db.read(
            lambda d: feedback_figures.feedback_summary(
                d, start=today - dt.timedelta(days=7), end=today - dt.timedelta(days=1)
            )
        )
        later = await db.read(lambda d: feedback_figures.feedback_summary(d, start=today))
    finally:
        await db.close()
    assert summary["responses"] >= 20 and summary["targets"] >= 5 and later["responses"] == 0
    satisfaction = summary["questions"][0]
    assert satisfaction["id"] == "satisfaction" and 3 <= satisfaction["mean"] <= 5
    learned = {c["id"] for c in summary["questions"][1]["choices"] if c["count"]}
    assert {"caf", "ordinateur"} & learned  # several axes answered


async def test_a_board_has_its_own_form_and_results(client, app, organizer):
    created = await app[DB].write(
        lambda tx: forum_store.create_board_tx(tx, title="Forum Maurepas", moderation="post", site="maurepas")
    )
    bid = created["id"]
    assert reports_queries.board_feedback_path(bid) == f"/f/b/{bid}"
    page = await (await client.get(f"/f/b/{bid}")).text()
    assert "Forum Maurepas" in page and f'action="/f/b/{bid}"' in page
    assert 'value="idee"' in page  # boards get the "other" choices
    r = await form(client, f"/f/b/{bid}", {"q_satisfaction": "5", "q_learned": "idee"}, allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == f"/f/b/{bid}?merci=1#merci"
    r = await client.post(f"/api/v1/boards/{bid}/feedback", json={"answers": {"satisfaction": 4}})
    assert r.status == 200 and (await r.json())["status"] == "updated"
    assert (await client.get(f"/f/b/{bid + 1}")).status == 404
    data = await (await organizer.get("/api/v1/feedback/results", params={"board": str(bid)})).json()
    assert data["responses"] == 1 and data["questions"][0]["mean"] == 4
    page = await (await organizer.get(f"/staff/feedback?board={bid}")).text()
    assert "Tableau « Forum Maurepas »" in text_of(page)
