"""Feedback form templates: the shipped default, and invalid templates refused with their line."""

from pathlib import Path

import pytest

from quartier.app import create_app
from reports import forms
from reports.forms import FormError

GOOD = """\
title: {fr: Votre avis, en: Your opinion}
questions:
  - id: note
    type: scale
    required: true
    label: {fr: Note, en: Mark}
    points:
      - {value: 1, face: bad, fr: Bof, en: Meh}
      - {value: 2, face: good, fr: Bien, en: Good}
  - id: choix
    type: single
    label: {fr: Choix, en: Choice}
    choices:
      - {id: a, fr: A, en: A}
      - {id: b, fr: B, en: B}
"""


def test_the_shipped_default_has_the_four_questions_of_the_programme():
    form = forms.shipped().get("default")
    assert [(q.id, q.type) for q in form.questions] == [
        ("satisfaction", "scale"),
        ("learned", "multiple"),
        ("return", "single"),
        ("comment", "text"),
    ]
    satisfaction = form.question("satisfaction")
    assert [c.face for c in satisfaction.choices] == list(forms.FACES)
    assert all(c.label["fr"] and c.label["en"] for c in satisfaction.choices)
    learned = form.question("learned")
    # The choices follow the session's axis; boards get the "other" list.
    assert {c.id for c in learned.choices_for("droits")} >= {"caf", "impots"}
    assert "caf" not in {c.id for c in learned.choices_for("acces-libre")}
    assert {c.id for c in learned.choices_for(None)} == {c.id for c in learned.choices_by_axis["other"]}
    assert form.question("return").label["fr"] == "Reviendrez-vous ?"


@pytest.mark.parametrize(
    "text, line, words",
    [
        (GOOD.replace("type: single", "type: singel"), 11, ["singel", "scale, single"]),
        (GOOD.replace("en: Choice}", "nl: Keuze}"), 12, ["nl"]),
        (GOOD.replace("{id: b, fr: B, en: B}", "{id: a, fr: B, en: B}"), 15, ["a"]),
        (GOOD.replace("en: Good}", "en: yes}"), 9, ["texte"]),  # YAML reads `yes` as a boolean
        (GOOD.replace("value: 2", "value: 1"), 9, ["croissant"]),
        (GOOD.replace("face: bad", "face: angry"), 8, ["angry", "very-bad"]),
        (GOOD.replace("  - id: choix", "  - id: note"), 10, ["note"]),
        (GOOD.replace("    required: true\n", "    requird: true\n"), 5, ["requird", "required"]),
        (GOOD.replace("questions:", "questions: [\n"), 4, ["YAML"]),
        (GOOD.replace("      - {id: b, fr: B, en: B}\n", ""), 14, ["deux"]),
        (GOOD + "    max_length: 10\n", 16, ["max_length", "single"]),
    ],
)
def test_an_invalid_template_is_refused_with_its_line(text, line, words):
    with pytest.raises(FormError) as e:
        forms.parse(text, source="mine.yaml")
    message = str(e.value)
    assert message.startswith(f"mine.yaml:{line} : "), message
    assert "\n" not in message
    for word in words:
        assert word in message, message


def test_answers_are_checked_against_the_form_and_the_axis():
    form = forms.shipped().get("default")
    answers, errors = form.clean(
        {"satisfaction": "5", "learned": ["impots", "caf", "caf"], "return": "oui", "comment": "  Merci\u202e  "},
        "droits",
    )
    assert errors == {}
    assert answers == {"satisfaction": 5, "learned": ["caf", "impots"], "return": "oui", "comment": "Merci"}
    _answers, errors = form.clean({"learned": ["ordinateur"], "return": "jamais", "x": 1}, "droits")
    assert set(errors) == {"satisfaction", "learned", "return", "x"}
    _answers, errors = form.clean({"satisfaction": True}, None)
    assert "satisfaction" in errors


def test_a_forms_folder_adds_templates_and_a_bad_one_stops_the_server(tmp_path, settings):
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "atelier-court.yaml").write_text(GOOD, encoding="utf-8")
    app = create_app(settings.replace(feedback_forms_dir="forms"))
    assert "atelier-court" in forms.active() and "default" in forms.active()
    (folder / "casse.yaml").write_text(GOOD.replace("type: scale", "type: echelle"), encoding="utf-8")
    with pytest.raises(FormError) as e:
        create_app(settings.replace(feedback_forms_dir="forms"))
    assert str(e.value).startswith(f"{folder / 'casse.yaml'}:4 : ")
    assert app is not None
    create_app(settings)  # back to the shipped forms for the other tests


def test_the_cli_stops_on_a_bad_template_with_one_line(tmp_path):
    import subprocess
    import sys

    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "default.yaml").write_text("title: {fr: a}\n", encoding="utf-8")
    (tmp_path / "quartier.yaml").write_text("feedback_forms_dir: forms\nport: 0\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "quartier", "serve"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"LANG": "fr_FR.UTF-8", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "default.yaml:1" in lines[0] and "questions" in lines[0], result.stderr
    assert Path(tmp_path / "forms").is_dir()
