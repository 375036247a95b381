"""Feedback form templates: YAML files checked at load, and the answers they accept.

A template is a YAML file (see events/feedback_forms/default.yaml): a title, an
optional intro and a list of questions of four types: `scale` (points with a
value, a face and a word), `single` and `multiple` (choices, or choices per axis
of the programme) and `text`. Every label has French and English. A template
that breaks a rule is refused at load with its file and line, in one line
(FormError is a SettingsError, so `quartier serve` stops with that line).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from quartier.api import clean_text
from quartier.i18n import LANGUAGES, N_
from quartier.i18n import gettext as _
from quartier.settings import SettingsError, yaml_error_where

DEFAULT = "default"
TYPES = ("scale", "single", "multiple", "text")
FACES = ("very-bad", "bad", "neutral", "good", "very-good")
# The axis key whose choices serve boards and sessions of an axis the template does not list.
OTHER_AXIS = "other"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_TEXT = 2000

_FORM_KEYS = ("title", "intro", "questions")
_QUESTION_KEYS = ("id", "type", "label", "hint", "required", "points", "choices", "choices_by_axis", "max_length")


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
        answers: dict[str, Any] = {}
        errors: dict[str, str] = {}
        unknown = [k for k in raw if self.question(str(k)) is None]
        if unknown:
            errors[str(unknown[0])] = N_("Cette question n'existe pas dans ce questionnaire.")
        for q in self.questions:
            value = raw.get(q.id)
            if value in (None, "", []):
                if q.required:
                    errors[q.id] = N_("Cette question demande une réponse.")
                continue
            if q.type == "scale":
                if isinstance(value, str) and value.strip().isdigit():
                    value = int(value)
                if isinstance(value, bool) or value not in {c.value for c in q.choices}:
                    errors[q.id] = N_("Choisissez une des réponses proposées.")
                    continue
                answers[q.id] = value
            elif q.type == "single":
                if not isinstance(value, str) or value not in {c.id for c in q.choices_for(axis)}:
                    errors[q.id] = N_("Choisissez une des réponses proposées.")
                    continue
                answers[q.id] = value
            elif q.type == "multiple":
                values = [value] if isinstance(value, str) else value
                allowed = [c.id for c in q.choices_for(axis)]
                if not isinstance(values, list) or any(not isinstance(v, str) or v not in allowed for v in values):
                    errors[q.id] = N_("Choisissez parmi les réponses proposées.")
                    continue
                answers[q.id] = [c for c in allowed if c in values]  # template order, no duplicates
            else:
                if not isinstance(value, str):
                    errors[q.id] = N_("Écrivez du texte.")
                    continue
                text = clean_text(value)
                if len(text) > q.max_length:
                    errors[q.id] = N_("Le texte est trop long.")
                    continue
                if text:
                    answers[q.id] = text
        return answers, errors


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


# -- loading


def shipped_dir() -> Path:
    return Path(str(files("events") / "feedback_forms"))


def load_dir(*folders: Path) -> FormSet:
    """Every `*.yaml` of the folders (later folders replace earlier templates of the same name)."""
    forms: dict[str, Form] = {}
    for folder in folders:
        if not folder.is_dir():
            raise FormError(_("{folder} : dossier de questionnaires introuvable").format(folder=folder))
        for path in sorted(folder.glob("*.yaml")):
            form = load_file(path)
            forms[form.name] = form
    return FormSet(forms.values())


_shipped: FormSet | None = None
_active: FormSet | None = None


def shipped() -> FormSet:
    """The templates that come with Quartier (read once)."""
    global _shipped
    if _shipped is None:
        _shipped = load_dir(shipped_dir())
    return _shipped


def activate(forms: FormSet) -> None:
    """Make `forms` the set that `active()` returns (called when the app is set up)."""
    global _active
    _active = forms


def active() -> FormSet:
    """The templates of the running server, or the shipped ones (for commands and reports)."""
    return _active or shipped()


def load_file(path: Path) -> Form:
    """Read and check one template; its name is the file's name without `.yaml`."""
    name = path.stem
    if not NAME_RE.match(name):
        raise FormError(
            _("{file}:1 : nom de fichier invalide ; utilisez des minuscules, chiffres et tirets").format(file=path)
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise FormError(_("{file} : illisible ({error})").format(file=path, error=e)) from None
    return parse(text, name=name, source=str(path))


def parse(text: str, *, name: str = DEFAULT, source: str = "<form>") -> Form:
    """Check a template's YAML text and build its Form; FormError names the line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        line, problem = yaml_error_where(e)
        raise FormError(
            _("{file}:{line} : YAML invalide ({problem}) ; vérifiez l'indentation et les deux-points").format(
                file=source, line=line, problem=problem
            )
        ) from None
    return _Parser(source).form(node, name)


class _Parser:
    """Walks the YAML nodes (not the loaded values) so every error knows its line."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, node: yaml.Node | None, message: str, **params: Any) -> FormError:
        line = node.start_mark.line + 1 if node is not None else 1
        return FormError(f"{self.source}:{line} : " + _(message).format(**params))

    def mapping(self, node: yaml.Node | None, keys: tuple[str, ...], what: str) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, N_("{what} : attendu une liste de « nom: valeur »"), what=what)
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                raise self.fail(key_node, N_("{what} : clé invalide"), what=what)
            if key in out:
                raise self.fail(key_node, N_("{what} : « {key} » apparaît deux fois"), what=what, key=key)
            if keys and key not in keys:
                close = difflib.get_close_matches(key, keys, n=1)
                hint = (
                    _("vouliez-vous dire « {name} » ?").format(name=close[0])
                    if close
                    else _("possibles : {keys}").format(keys=", ".join(keys))
                )
                raise self.fail(key_node, N_("{what} : clé inconnue « {key} » ; {hint}"), what=what, key=key, hint=hint)
            out[key] = value_node
        return out

    def scalar(self, node: yaml.Node, what: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, N_("{what} : attendu une valeur simple"), what=what)
        return yaml.safe_load(yaml.serialize(node))

    def text(self, node: yaml.Node, what: str) -> str:
        value = self.scalar(node, what)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(node, N_("{what} : attendu du texte (mettez-le entre guillemets)"), what=what)
        return value.strip()

    def ident(self, node: yaml.Node, what: str) -> str:
        value = self.scalar(node, what)
        if not isinstance(value, str) or not ID_RE.match(value):
            raise self.fail(node, N_("{what} : identifiant invalide (minuscules, chiffres, - et _)"), what=what)
        return value

    def labels(self, node: yaml.Node, what: str) -> dict[str, str]:
        entries = self.mapping(node, LANGUAGES, what)
        for language in LANGUAGES:
            if language not in entries:
                raise self.fail(node, N_("{what} : il manque le texte en « {language} »"), what=what, language=language)
        return {language: self.text(entries[language], f"{what} ({language})") for language in LANGUAGES}

    def form(self, node: yaml.Node | None, name: str) -> Form:
        if node is None:
            raise self.fail(None, N_("questionnaire vide"))
        top = self.mapping(node, _FORM_KEYS, _("questionnaire"))
        if "title" not in top:
            raise self.fail(node, N_("{what} : il manque « {key} »"), what=_("questionnaire"), key="title")
        if "questions" not in top:
            raise self.fail(node, N_("{what} : il manque « {key} »"), what=_("questionnaire"), key="questions")
        title = self.labels(top["title"], "title")
        intro = self.labels(top["intro"], "intro") if "intro" in top else None
        questions_node = top["questions"]
        if not isinstance(questions_node, yaml.SequenceNode) or not questions_node.value:
            raise self.fail(questions_node, N_("« questions » : attendu une liste d'au moins une question"))
        questions = []
        seen: set[str] = set()
        for item in questions_node.value:
            q = self.question(item)
            if q.id in seen:
                raise self.fail(item, N_("question « {id} » : cet identifiant est déjà pris"), id=q.id)
            seen.add(q.id)
            questions.append(q)
        return Form(
            name=name,
            title=title,
            intro=intro,
            questions=tuple(questions),
            source=self.source,
        )

    def question(self, node: yaml.Node) -> Question:
        entries = self.mapping(node, _QUESTION_KEYS, _("question"))
        for key in ("id", "type", "label"):
            if key not in entries:
                raise self.fail(node, N_("{what} : il manque « {key} »"), what=_("question"), key=key)
        qid = self.ident(entries["id"], "id")
        what = _("question « {id} »").format(id=qid)
        qtype = self.scalar(entries["type"], what)
        if qtype not in TYPES:
            raise self.fail(
                entries["type"],
                N_("{what} : type inconnu « {type} » ; possibles : {types}"),
                what=what,
                type=qtype,
                types=", ".join(TYPES),
            )
        required = False
        if "required" in entries:
            required = self.scalar(entries["required"], what)
            if not isinstance(required, bool):
                raise self.fail(entries["required"], N_("{what} : « required » vaut true ou false"), what=what)
        allowed = {
            "scale": {"points"},
            "single": {"choices", "choices_by_axis"},
            "multiple": {"choices", "choices_by_axis"},
            "text": {"max_length"},
        }[qtype]
        for key in ("points", "choices", "choices_by_axis", "max_length"):
            if key in entries and key not in allowed:
                raise self.fail(
                    entries[key],
                    N_("{what} : « {key} » ne va pas avec le type « {type} »"),
                    what=what,
                    key=key,
                    type=qtype,
                )
        choices: tuple[Choice, ...] = ()
        by_axis: dict[str, tuple[Choice, ...]] = {}
        max_length = 1000
        if qtype == "scale":
            if "points" not in entries:
                raise self.fail(node, N_("{what} : il manque « {key} »"), what=what, key="points")
            choices = self.points(entries["points"], what)
        elif qtype in ("single", "multiple"):
            if ("choices" in entries) == ("choices_by_axis" in entries):
                raise self.fail(node, N_("{what} : donnez « choices » ou bien « choices_by_axis »"), what=what)
            if "choices" in entries:
                choices = self.choices(entries["choices"], what)
            else:
                axes = self.mapping(entries["choices_by_axis"], (), what)
                if not axes:
                    raise self.fail(entries["choices_by_axis"], N_("{what} : aucun axe"), what=what)
                for axis, axis_node in axes.items():
                    if not ID_RE.match(axis):
                        raise self.fail(
                            axis_node, N_("{what} : identifiant invalide (minuscules, chiffres, - et _)"), what=what
                        )
                    by_axis[axis] = self.choices(axis_node, f"{what}, {axis}")
        elif "max_length" in entries:
            max_length = self.scalar(entries["max_length"], what)
            if not isinstance(max_length, int) or isinstance(max_length, bool) or not 1 <= max_length <= MAX_TEXT:
                raise self.fail(
                    entries["max_length"], N_("{what} : « max_length » entre 1 et {max}"), what=what, max=MAX_TEXT
                )
        return Question(
            id=qid,
            type=qtype,
            label=self.labels(entries["label"], f"{what}, label"),
            hint=self.labels(entries["hint"], f"{what}, hint") if "hint" in entries else None,
            required=required,
            choices=choices,
            choices_by_axis=by_axis,
            max_length=max_length,
        )

    def choices(self, node: yaml.Node, what: str) -> tuple[Choice, ...]:
        if not isinstance(node, yaml.SequenceNode) or len(node.value) < 2:
            raise self.fail(node, N_("{what} : attendu une liste d'au moins deux choix"), what=what)
        out = []
        for item in node.value:
            entries = self.mapping(item, ("id", *LANGUAGES), what)
            if "id" not in entries:
                raise self.fail(item, N_("{what} : il manque « {key} »"), what=what, key="id")
            cid = self.ident(entries["id"], what)
            if any(c.id == cid for c in out):
                raise self.fail(item, N_("{what} : le choix « {id} » apparaît deux fois"), what=what, id=cid)
            out.append(Choice(cid, self.labels(_without(item, "id"), f"{what}, {cid}")))
        return tuple(out)

    def points(self, node: yaml.Node, what: str) -> tuple[Choice, ...]:
        if not isinstance(node, yaml.SequenceNode) or not 2 <= len(node.value) <= 10:
            raise self.fail(node, N_("{what} : attendu une liste de 2 à 10 points"), what=what)
        out: list[Choice] = []
        for item in node.value:
            entries = self.mapping(item, ("value", "face", *LANGUAGES), what)
            if "value" not in entries:
                raise self.fail(item, N_("{what} : il manque « {key} »"), what=what, key="value")
            value = self.scalar(entries["value"], what)
            if not isinstance(value, int) or isinstance(value, bool):
                raise self.fail(entries["value"], N_("{what} : « value » doit être un nombre entier"), what=what)
            if out and value <= (out[-1].value or 0):
                raise self.fail(entries["value"], N_("{what} : les valeurs doivent aller en croissant"), what=what)
            face = None
            if "face" in entries:
                face = self.scalar(entries["face"], what)
                if face not in FACES:
                    raise self.fail(
                        entries["face"],
                        N_("{what} : visage inconnu « {face} » ; possibles : {faces}"),
                        what=what,
                        face=face,
                        faces=", ".join(FACES),
                    )
            label = self.labels(_without(item, "value", "face"), f"{what}, {value}")
            out.append(Choice(str(value), label, face=face, value=value))
        return tuple(out)


def _without(node: yaml.MappingNode, *keys: str) -> yaml.MappingNode:
    """The same mapping node without some keys (so the rest reads as labels)."""
    kept = [(k, v) for k, v in node.value if not (isinstance(k, yaml.ScalarNode) and k.value in keys)]
    return yaml.MappingNode(node.tag, kept, node.start_mark, node.end_mark)


def label(labels: Mapping[str, str] | None, language: str) -> str:
    """The text of a label in a language (French when it has none)."""
    if not labels:
        return ""
    return labels.get(language) or labels.get("fr") or next(iter(labels.values()), "")
