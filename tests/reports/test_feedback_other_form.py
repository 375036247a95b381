"""A session can use another feedback form than the default one (from `feedback_forms_dir`)."""

import pytest

from tests.conftest import form

from .test_feedback import answer, past_session

SHORT = """\
title: {fr: En un mot, en: In a word}
questions:
  - id: mot
    type: text
    label: {fr: "Un mot sur la séance ?", en: "One word about the session?"}
"""


@pytest.fixture
def settings(settings, tmp_path):
    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "court.yaml").write_text(SHORT, encoding="utf-8")
    return settings.replace(feedback_forms_dir="forms")


async def test_a_session_can_use_another_form(make_client, app, organizer):
    id, day = await past_session(app)
    page = await (await organizer.get(f"/staff/feedback?session={id}")).text()
    assert '<option value="court">' in page
    r = await form(
        organizer,
        "/staff/feedback/assign",
        {"kind": "session", "ref": str(id), "template": "court", "next": f"/staff/feedback?session={id}"},
        allow_redirects=False,
    )
    assert r.status == 303
    resident = await make_client()
    page = await (await resident.get(f"/f/{id}/{day.isoformat()}")).text()
    assert "Un mot sur la séance ?" in page and "q_satisfaction" not in page
    assert (await answer(resident, id, day, {"mot": "Chaleureux"})).status == 201
    assert (await answer(await make_client(), id, day, {"satisfaction": 5})).status == 422
    data = await (await organizer.get("/api/v1/feedback/results", params={"session": str(id)})).json()
    mot = next(q for q in data["questions"] if q["id"] == "mot")
    assert mot["texts"][0]["text"] == "Chaleureux"
    r = await form(organizer, "/staff/feedback/assign", {"kind": "session", "ref": str(id), "template": "inconnu"})
    assert r.status == 422
