"""Feedback form templates as data: the questions of four types and the answers they accept.

A template (see reports/feedback_forms/default.yaml) has a title, an optional intro and a list of
questions: `scale` (points with a value, a face and a word), `single` and `multiple` (choices, or
choices per axis of the programme) and `text`. Every label has French and English. Templates are
read and checked by reports.forms_yaml, loaded by reports.forms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.inputs import Fields
from quartier.settings import SettingsError

DEFAULT = "default"
TYPES = ("scale", "single", "multiple", "text")
FACES = ("very-bad", "bad", "neutral", "good", "very-good")
# The axis key whose choices serve boards and sessions of an axis the template does not list.
OTHER_AXIS = "other"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_TEXT = 2000

FORM_KEYS = ("title", "intro", "questions")
QUESTION_KEYS = ("id", "type", "label", "hint", "required", "points", "choices", "choices_by_axis", "max_length")


class FormError(SettingsError):
    """A template that cannot be used: `file:line : message`, one line."""


@dataclass(frozen=True)
class Choice:
    id: str
    label: dict[str, str]
    face: str | None = None  # scale points only
    value: int | None = None  # scale points only


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: dict[str, str]
    hint: dict[str, str] | None = None
    required: bool = False
    choices: tuple[Choice, ...] = ()
    choices_by_axis: dict[str, tuple[Choice, ...]] = field(default_factory=dict)
    max_length: int = 1000

    def choices_for(self, axis: str | None) -> tuple[Choice, ...]:
        """The choices a resident sees: those of the session's axis when the question has per-axis choices."""
        if not self.choices_by_axis:
            return self.choices
        return self.choices_by_axis.get(axis or "") or self.choices_by_axis.get(OTHER_AXIS) or self.all_choices()

    def all_choices(self) -> tuple[Choice, ...]:
        """Every choice the question may have recorded, once each, in template order (for results)."""
        if not self.choices_by_axis:
            return self.choices
        seen: dict[str, Choice] = {}
        for choices in self.choices_by_axis.values():
            for c in choices:
                seen.setdefault(c.id, c)
        return tuple(seen.values())


@dataclass(frozen=True)
class Form:
    name: str
    title: dict[str, str]
    intro: dict[str, str] | None
    questions: tuple[Question, ...]
    source: str = ""

    def question(self, id: str) -> Question | None:
        return next((q for q in self.questions if q.id == id), None)

    def clean(self, raw: Mapping[str, Any], axis: str | None) -> tuple[dict[str, Any], dict[str, str]]:
        """Check a resident's answers; returns (answers, errors by question id as French msgids).

        Accepted values: scale an integer (or its digits), single a choice id, multiple a list of
        choice ids, text a string. Unanswered optional questions are left out.
        """
        f = Fields(raw, collect=True)
        unknown = [k for k in raw if self.question(str(k)) is None]
        if unknown:
            f.fail(str(unknown[0]), N_("Cette question n'existe pas dans ce questionnaire."))
        answers: dict[str, Any] = {}
        for q in self.questions:
            value = _answer(f, q, axis)
            if value not in (None, "", []):
                answers[q.id] = value
        errors: dict[str, str] = {}
        for qid, message, _params in f.problems:
            errors.setdefault(qid, message)
        return answers, errors


# What a resident reads about an answer the form cannot take.
ANSWER = N_("Cette question demande une réponse.")
ONE_OF = {"required": ANSWER, "integer": N_("Choisissez une des réponses proposées.")}
ONE_OF["choice"] = ONE_OF["integer"]
SOME_OF = {"required": ANSWER, "list": N_("Choisissez parmi les réponses proposées.")}
SOME_OF["too_many"] = SOME_OF["list"]
WRITTEN = {"required": ANSWER, "text": N_("Écrivez du texte."), "too_long": N_("Le texte est trop long.")}


def _answer(f: Fields, q: Question, axis: str | None) -> Any:
    """One question's answer read from the fields (None when unanswered or wrong: the problem is noted)."""
    if q.type == "scale":
        points = {c.value for c in q.choices if c.value is not None}
        value = f.integer(q.id, minimum=min(points), maximum=max(points), required=q.required, message=ONE_OF)
        if value is not None and value not in points:
            f.fail(q.id, ONE_OF["integer"])
            return None
        return value
    if q.type == "single":
        return f.choice(q.id, [c.id for c in q.choices_for(axis)], required=q.required, message=ONE_OF)
    if q.type == "multiple":
        allowed = [c.id for c in q.choices_for(axis)]
        values = f.strings(q.id, max_items=len(allowed), max_length=100, required=q.required, message=SOME_OF)
        if any(v not in allowed for v in values):
            f.fail(q.id, SOME_OF["list"])
            return None
        return [c for c in allowed if c in values]  # template order, no duplicates
    return f.text(q.id, max_length=q.max_length, multiline=True, required=q.required, message=WRITTEN)


class FormSet:
    """The templates in use, by name; `get` falls back to the default template."""

    def __init__(self, forms: Iterable[Form]):
        self.forms = {f.name: f for f in forms}
        if DEFAULT not in self.forms:
            raise FormError(_("aucun questionnaire « default » : il en faut un"))

    def get(self, name: str | None) -> Form:
        return self.forms.get(name or DEFAULT) or self.forms[DEFAULT]

    def names(self) -> list[str]:
        return sorted(self.forms, key=lambda n: (n != DEFAULT, n))

    def __contains__(self, name: object) -> bool:
        return name in self.forms


def label(labels: Mapping[str, str] | None, language: str) -> str:
    """The text of a label in a language (French when it has none)."""
    if not labels:
        return ""
    return labels.get(language) or labels.get("fr") or next(iter(labels.values()), "")
