"""Reading data·inclusion v1 files (`structures.json`, `services.json`): all of it valid, or refused.

Each file is a JSON array of records, as the national registry and our own open data publish
them. Every record is checked with the official models (`data_inclusion.schema.v1`, the package
the suite also validates our exports with); on top, ids must be unique and every service's
`structure_id` must name a structure of the files or one imported before. Any problem refuses the
whole batch: `Refused.problems` lists each one with its file, its line and the record's id, in the
reader's language. Unreadable opening hours are not a v1 error: the record is kept without them,
with a warning.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from events.model import valid_opening_hours
from quartier.i18n import N_
from quartier.i18n import gettext as _

MAX_RECORDS = 20_000
VALUE_SHOWN = 60  # characters of a wrong value repeated in a message

# pydantic's error types in our words; the others keep the model's own message.
MESSAGES = {
    "missing": N_("obligatoire"),
    "string_type": N_("texte attendu"),
    "string_too_short": N_("trop court (au moins {min_length} caractères)"),
    "string_too_long": N_("trop long (au plus {max_length} caractères)"),
    "enum": N_("valeur inconnue du schéma v1 : « {value} »"),
    "literal_error": N_("valeur inconnue du schéma v1 : « {value} »"),
    "date_from_datetime_parsing": N_("date AAAA-MM-JJ attendue"),
    "date_parsing": N_("date AAAA-MM-JJ attendue"),
    "date_type": N_("date AAAA-MM-JJ attendue"),
    "url_parsing": N_("adresse web invalide"),
    "url_scheme": N_("adresse web invalide"),
    "url_type": N_("adresse web invalide"),
    "float_parsing": N_("nombre attendu"),
    "float_type": N_("nombre attendu"),
    "int_parsing": N_("nombre entier attendu"),
    "int_type": N_("nombre entier attendu"),
    "set_type": N_("liste attendue"),
    "list_type": N_("liste attendue"),
    "too_short": N_("liste vide"),
    "model_type": N_("objet JSON attendu"),
    "greater_than_equal": N_("trop petit (au moins {ge})"),
}


class Problems:
    """Problems as they are found, told in the files' order and each file's line order."""

    def __init__(self, names: list[str]):
        self.order = {name: i for i, name in enumerate(names)}
        self.found: list[tuple[int, int, int, str]] = []

    def add(self, name: str, line: int, text: str) -> None:
        self.found.append((self.order.get(name, len(self.order)), line, len(self.found), text))

    def __bool__(self) -> bool:
        return bool(self.found)

    def texts(self) -> list[str]:
        return [text for *_key, text in sorted(self.found)]


class Refused(Exception):
    """The batch cannot be imported: every problem, already in the reader's language."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Batch:
    """What the files hold, checked: structures and services by id, and warnings that do not refuse."""

    structures: dict[str, dict[str, Any]] = field(default_factory=dict)
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def records(name: str, text: str, problems: Problems) -> list[tuple[int, Any]]:
    """The records of one file with the line each starts on; problems for what is not a JSON array."""
    decoder = json.JSONDecoder()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        message = _("{file}, ligne {line} : JSON invalide ({error}).")
        problems.add(name, e.lineno, message.format(file=name, line=e.lineno, error=e.msg))
        return []
    except (RecursionError, ValueError):  # nested thousands deep, an integer of thousands of digits
        problems.add(
            name, 0, _("{file} : un tableau JSON d'enregistrements data·inclusion est attendu.").format(file=name)
        )
        return []
    if not isinstance(data, list):
        problems.add(
            name, 0, _("{file} : un tableau JSON d'enregistrements data·inclusion est attendu.").format(file=name)
        )
        return []
    if len(data) > MAX_RECORDS:
        problems.add(name, 0, _("{file} : plus de {max} enregistrements.").format(file=name, max=MAX_RECORDS))
        return []
    out = []
    index = text.index("[") + 1
    line, counted = 1, 0  # lines are counted from where the last record began: linear, not quadratic
    for _item in data:
        while text[index] in " \t\r\n,":
            index += 1
        value, end = decoder.raw_decode(text, index)
        line += text.count("\n", counted, index)
        counted = index
        out.append((line, value))
        index = end
    return out


def kind_of(rows: list[tuple[int, Any]]) -> str:
    """A file holds services when its records name their structure."""
    return "services" if any(isinstance(r, dict) and "structure_id" in r for _l, r in rows) else "structures"


def _where(name: str, line: int, record: Any) -> str:
    rid = record.get("id") if isinstance(record, dict) else None
    if isinstance(rid, str) and rid:
        return _("{file}, ligne {line}, « {id} »").format(file=name, line=line, id=rid[:VALUE_SHOWN])
    return _("{file}, ligne {line}").format(file=name, line=line)


def explain(error: dict[str, Any]) -> str:
    """One pydantic error in the reader's language: the field, then what is wrong."""
    where = ".".join(str(p) for p in error["loc"] if not isinstance(p, int)) or "?"
    ctx = {k: v for k, v in (error.get("ctx") or {}).items() if isinstance(v, (int, float, str))}
    value = error.get("input")
    ctx["value"] = (value if isinstance(value, str) else json.dumps(value, default=str))[:VALUE_SHOWN]
    template = MESSAGES.get(error["type"])
    if template:
        problem = _(template).format(**ctx)
    else:
        problem = str(error["msg"]).removeprefix("Value error, ")
    return _("champ « {field} » : {problem}").format(field=where, problem=problem)


def _validate(model: Any, name: str, rows: list[tuple[int, Any]], problems: Problems, error: Any) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for line, record in rows:
        where = _where(name, line, record)
        try:
            checked = model.model_validate(record)
        except error as e:
            for err in e.errors():
                problems.add(name, line, f"{where} : {explain(dict(err))}")
            continue
        clean = checked.model_dump(mode="json")
        if clean["id"] in found:
            problems.add(name, line, _("{where} : identifiant en double.").format(where=where))
        found[clean["id"]] = {**clean, "_line": line, "_file": name}
    return found


def read(files: list[tuple[str, str]], known_structures: set[str]) -> Batch:
    """Check every file (name, text) together; raises Refused with every problem, or returns the batch."""
    # The official models load pydantic, pendulum and the v1 vocabularies (0.7 s here): only when an
    # import runs, never at the server's start-up.
    from data_inclusion.schema.v1 import Service, Structure
    from pydantic import ValidationError

    problems = Problems([name for name, _text in files])
    batch = Batch()
    for name, text in files:
        rows = records(name, text, problems)
        if kind_of(rows) == "services":
            batch.services.update(_validate(Service, name, rows, problems, ValidationError))
        else:
            batch.structures.update(_validate(Structure, name, rows, problems, ValidationError))
    if not files or not (batch.structures or batch.services or problems):
        problems.add("", 0, _("Aucun enregistrement data·inclusion dans les fichiers envoyés."))
    for s in batch.services.values():
        if s["structure_id"] not in batch.structures and s["structure_id"] not in known_structures:
            message = _("{where} : structure « {structure} » introuvable (ni dans les fichiers, ni déjà importée).")
            where = _where(s["_file"], s["_line"], s)
            problems.add(s["_file"], s["_line"], message.format(where=where, structure=s["structure_id"][:VALUE_SHOWN]))
    if problems:
        raise Refused(problems.texts())
    _drop_unreadable_hours(batch)
    return batch


def _drop_unreadable_hours(batch: Batch) -> None:
    for record in (*batch.structures.values(), *batch.services.values()):
        hours = record.get("horaires_accueil")
        if hours and not valid_opening_hours(hours):
            record["horaires_accueil"] = None
            batch.warnings.append(
                _("{where} : horaires illisibles (syntaxe OpenStreetMap attendue), importé sans horaires.").format(
                    where=_where(record["_file"], record["_line"], record)
                )
            )
