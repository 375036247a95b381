"""Reading a feedback form template: walks the YAML nodes (not the loaded values) so that every
error names its file and line, in the words of the person who edits the template."""

from __future__ import annotations

import difflib
import functools
from typing import Any

import yaml

from quartier import features, i18n
from quartier.i18n import LANGUAGES, N_
from quartier.i18n import gettext as _
from reports.form_model import (
    FACES,
    FORM_KEYS,
    ID_RE,
    MAX_TEXT,
    QUESTION_KEYS,
    TYPES,
    Choice,
    Form,
    FormError,
    Question,
)


@functools.cache
def text_languages() -> tuple[str, ...]:
    """The languages a form's text may be given in: French and English always, then any with catalogues."""
    return tuple(dict.fromkeys([*LANGUAGES, *i18n.catalogue_languages(features.packages())]))


class FormParser:
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
        """A text in French and English, and in any other language that has catalogues (ar, tr…)."""
        entries = self.mapping(node, text_languages(), what)
        for language in LANGUAGES:
            if language not in entries:
                raise self.fail(node, N_("{what} : il manque le texte en « {language} »"), what=what, language=language)
        return {language: self.text(entries[language], f"{what} ({language})") for language in entries}

    def form(self, node: yaml.Node | None, name: str) -> Form:
        if node is None:
            raise self.fail(None, N_("questionnaire vide"))
        top = self.mapping(node, FORM_KEYS, _("questionnaire"))
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
        entries = self.mapping(node, QUESTION_KEYS, _("question"))
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
        self.keys_of_type(entries, qtype, what)
        choices, by_axis = self.question_choices(node, entries, qtype, what)
        return Question(
            id=qid,
            type=qtype,
            label=self.labels(entries["label"], f"{what}, label"),
            hint=self.labels(entries["hint"], f"{what}, hint") if "hint" in entries else None,
            required=required,
            choices=choices,
            choices_by_axis=by_axis,
            max_length=self.max_length(entries, what),
        )

    def keys_of_type(self, entries: dict[str, yaml.Node], qtype: str, what: str) -> None:
        """Refuse keys that do not go with the question's type (points on a text question...)."""
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

    def question_choices(
        self, node: yaml.Node, entries: dict[str, yaml.Node], qtype: str, what: str
    ) -> tuple[tuple[Choice, ...], dict[str, tuple[Choice, ...]]]:
        """A scale's points, or a choice question's choices (the same for every axis, or by axis)."""
        if qtype == "scale":
            if "points" not in entries:
                raise self.fail(node, N_("{what} : il manque « {key} »"), what=what, key="points")
            return self.points(entries["points"], what), {}
        if qtype not in ("single", "multiple"):
            return (), {}
        if ("choices" in entries) == ("choices_by_axis" in entries):
            raise self.fail(node, N_("{what} : donnez « choices » ou bien « choices_by_axis »"), what=what)
        if "choices" in entries:
            return self.choices(entries["choices"], what), {}
        axes = self.mapping(entries["choices_by_axis"], (), what)
        if not axes:
            raise self.fail(entries["choices_by_axis"], N_("{what} : aucun axe"), what=what)
        by_axis = {}
        for axis, axis_node in axes.items():
            if not ID_RE.match(axis):
                raise self.fail(
                    axis_node, N_("{what} : identifiant invalide (minuscules, chiffres, - et _)"), what=what
                )
            by_axis[axis] = self.choices(axis_node, f"{what}, {axis}")
        return (), by_axis

    def max_length(self, entries: dict[str, yaml.Node], what: str) -> int:
        if "max_length" not in entries:
            return 1000
        max_length = self.scalar(entries["max_length"], what)
        if not isinstance(max_length, int) or isinstance(max_length, bool) or not 1 <= max_length <= MAX_TEXT:
            raise self.fail(
                entries["max_length"], N_("{what} : « max_length » entre 1 et {max}"), what=what, max=MAX_TEXT
            )
        return max_length

    def choices(self, node: yaml.Node, what: str) -> tuple[Choice, ...]:
        if not isinstance(node, yaml.SequenceNode) or len(node.value) < 2:
            raise self.fail(node, N_("{what} : attendu une liste d'au moins deux choix"), what=what)
        out: list[Choice] = []
        for item in node.value:
            entries = self.mapping(item, ("id", *text_languages()), what)
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
            entries = self.mapping(item, ("value", "face", *text_languages()), what)
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
