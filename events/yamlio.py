"""`quartier import FILE.yaml` and `quartier export [FILE.yaml]`: the programme as YAML, both ways.

The schema (see events/example.yaml) is the API's: `sites` by slug, `sessions` by a stable
`key`, each session with its `repeat` rule and its `exceptions`. Import is idempotent (what is
unchanged is left alone and announces nothing) and all-or-nothing: every problem is reported
with its line number and nothing is written. The reader is yaml's safe loader (no !!python tags),
with at most a few aliases so a "billion laughs" file cannot blow up.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

import yaml

from events import partners, queries, store, yamlio_partners
from events.model import Rule, clean_exception, clean_session, clean_site
from quartier.db import Tx
from quartier.errors import Problem as Refusal
from quartier.i18n import gettext as _
from quartier.inputs import Invalid
from quartier.settings import yaml_error_where

MAX_ALIASES = 20
SITE_KEYS = {
    "slug",
    "name",
    "neighbourhood",
    "address",
    "postal_code",
    "commune",
    "insee",
    "latitude",
    "longitude",
    "opening_hours",
    "accessibility",
    "phone",
    "contact",
    "email",
    "website",
    "timezone",
    "siret",
    "typologie",
    "mobile",
}
SESSION_KEYS = {
    "key",
    "site",
    "title",
    "description",
    "kind",
    "axis",
    "room",
    "date",
    "start",
    "end",
    "repeat",
    "audience",
    "languages",
    "registration",
    "capacity",
    "partner",
    "staff_count",
    "free",
    "exceptions",
}
EXCEPTION_KEYS = {"date", "status", "reason", "new_date", "start", "end", "room"}


@dataclass
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.line}: {self.message}"


class ImportFailed(Exception):
    """The file cannot be imported; `problems` lists every one, with its line."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = sorted(problems, key=lambda p: p.line)


class Map(dict):
    """A YAML mapping that remembers its line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int] = {}


class Seq(list):
    line: int = 0
    item_lines: list[int] = []


class _Loader(yaml.SafeLoader):
    aliases = 0

    def compose_node(self, parent, index):  # overrides PyYAML's untyped Composer method
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                event = self.peek_event()
                raise yaml.composer.ComposerError(None, None, f"more than {MAX_ALIASES} aliases", event.start_mark)
        return super().compose_node(parent, index)


MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"


def _build(loader: _Loader, node: yaml.Node, problems: list[Problem]) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        if node.tag != MAP_TAG:
            problems.append(Problem(line, _("étiquette YAML refusée : {tag}").format(tag=node.tag)))
            return Map()
        out = Map()
        out.line, out.key_lines = line, {}
        for key_node, value_node in node.value:
            key = _build(loader, key_node, problems)
            if not isinstance(key, str):
                problems.append(Problem(key_node.start_mark.line + 1, _("clé invalide : {key}").format(key=key)))
                continue
            if key in out:
                problems.append(Problem(key_node.start_mark.line + 1, _("clé en double : {key}").format(key=key)))
            out[key] = _build(loader, value_node, problems)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        if node.tag != SEQ_TAG:
            problems.append(Problem(line, _("étiquette YAML refusée : {tag}").format(tag=node.tag)))
            return Seq()
        seq = Seq(_build(loader, n, problems) for n in node.value)
        seq.line, seq.item_lines = line, [n.start_mark.line + 1 for n in node.value]
        return seq
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError as e:
        problems.append(Problem(line, _("valeur refusée : {error}").format(error=getattr(e, "problem", None) or e)))
        return None


def parse(text: str) -> tuple[Map, list[Problem]]:
    """The document as Map/Seq with lines, and the problems of reading it."""
    problems: list[Problem] = []
    loader = None
    try:
        # The reader checks the characters as soon as it is built: control characters raise here.
        loader = _Loader(text)
        node = loader.get_single_node()
    except yaml.YAMLError as e:
        line, message = yaml_error_where(e)
        return Map(), [Problem(line, _("YAML illisible : {error}").format(error=message))]
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        return Map(), [Problem(1, _("le fichier est vide"))]
    doc = _build(loader, node, problems)
    if not isinstance(doc, Map):
        return Map(), [*problems, Problem(1, _("le fichier doit contenir « sites: », « partners: » ou « sessions: »"))]
    return doc, problems


def _field_line(item: Map, field: str) -> int:
    head, _sep, rest = field.partition(".")
    value = item.get(head)
    if rest and isinstance(value, Map):
        return value.key_lines.get(rest, value.line)
    return item.key_lines.get(head, item.line)


def _invalid(problems: list[Problem], item: Map, e: Invalid) -> None:
    for field, message, params in e.errors:
        problems.append(Problem(_field_line(item, field), f"{field}: {_(message).format(**params)}"))


def _unknown(problems: list[Problem], item: Map, allowed: set[str]) -> None:
    for key in item:
        if key not in allowed:
            problems.append(Problem(item.key_lines[key], _("champ inconnu : {key}").format(key=key)))


def _items(doc: Map, name: str, problems: list[Problem]) -> list[Map]:
    seq = doc.get(name)
    if seq is None:
        return []
    if not isinstance(seq, Seq):
        problems.append(Problem(doc.key_lines[name], _("« {name} » doit être une liste").format(name=name)))
        return []
    out = []
    for item, line in zip(seq, seq.item_lines, strict=True):
        if isinstance(item, Map):
            out.append(item)
        else:
            problems.append(
                Problem(line, _("chaque élément de « {name} » doit être un dictionnaire").format(name=name))
            )
    return out


@dataclass
class Programme:
    sites: list[tuple[int, dict[str, Any]]]
    sessions: list[tuple[Map, dict[str, Any], list[tuple[int, dict[str, Any]]]]]
    partners: list[tuple[int, dict[str, Any]]]


def read(text: str, *, default_timezone: str = "Europe/Paris") -> Programme:
    """Parse and check a programme file without touching the database; raises ImportFailed."""
    doc, problems = parse(text)
    _unknown(problems, doc, {"sites", "partners", "sessions", "version"})
    sites: list[tuple[int, dict[str, Any]]] = []
    for item in _items(doc, "sites", problems):
        _unknown(problems, item, SITE_KEYS)
        try:
            sites.append((item.line, clean_site(item, default_timezone=default_timezone)))
        except Invalid as e:
            _invalid(problems, item, e)
    file_partners = yamlio_partners.read(_items(doc, "partners", problems), _unknown, _invalid, problems)
    sessions = []
    for item in _items(doc, "sessions", problems):
        _unknown(problems, item, SESSION_KEYS)
        if not item.get("key"):
            problems.append(Problem(item.line, _("key: une clé stable est obligatoire à l'import")))
        try:
            s = clean_session(item)
        except Invalid as e:
            _invalid(problems, item, e)
            continue
        exceptions = []
        for ex in _items(item, "exceptions", problems) if "exceptions" in item else []:
            _unknown(problems, ex, EXCEPTION_KEYS)
            try:
                exception = clean_exception(ex)
            except Invalid as err:
                _invalid(problems, ex, err)
                continue
            if not Rule.of(s).occurs_on(exception["date"]):
                problems.append(
                    Problem(
                        ex.key_lines.get("date", ex.line),
                        _("date: la séance n'a pas lieu le {date}").format(date=exception["date"].isoformat()),
                    )
                )
            exceptions.append((ex.line, exception))
        sessions.append((item, s, exceptions))
    for what, values in (
        ("slug", [(line, s["slug"]) for line, s in sites]),
        ("partner", [(line, p["key"]) for line, p in file_partners]),
        ("key", [(item.line, s["key"]) for item, s, _e in sessions if s["key"]]),
    ):
        counts = Counter(v for _l, v in values)
        for line, v in values:
            if counts[v] > 1:
                problems.append(Problem(line, _("{what} en double : {value}").format(what=what, value=v)))
    if problems:
        raise ImportFailed(problems)
    return Programme(sites, sessions, file_partners)


def apply(tx: Tx, programme: Programme) -> Counter:
    """Write a checked programme in one transaction; raises ImportFailed (rolling back) on a dangling site."""
    known = {r[0] for r in tx.execute("SELECT slug FROM sites")} | {s["slug"] for _l, s in programme.sites}
    problems = [
        Problem(item.key_lines.get("site", item.line), _("site: lieu inconnu : {slug}").format(slug=s["site"]))
        for item, s, _e in programme.sessions
        if s["site"] not in known
    ]
    registry = tx.execute("SELECT key, name, short_name FROM partners").fetchall()
    file_partners = [p for _l, p in programme.partners]
    dangling = yamlio_partners.check_sessions(registry, file_partners, programme.sessions)
    dangling += yamlio_partners.unknown_sites(tx, programme.partners, known)
    problems += [Problem(line, message) for line, message in dangling]
    if problems:
        raise ImportFailed(problems)
    outcomes: Counter = Counter()
    for _line, site in programme.sites:
        _id, outcome = store.save_site(tx, site)
        outcomes[outcome] += 1
    for line, partner in programme.partners:
        try:
            outcomes[partners.save_partner(tx, partner)[1]] += 1
        except Refusal as refused:  # a name another partner already has
            raise ImportFailed([Problem(line, _(refused.message).format(**refused.params))]) from None
    for _item, s, exceptions in programme.sessions:
        id, outcome = store.save_session(tx, s)
        wanted = {e["date"].isoformat() for _l, e in exceptions}
        for (day,) in tx.execute("SELECT date FROM occurrence_exceptions WHERE session_id = ?", (id,)).fetchall():
            if day not in wanted:
                store.set_exception(tx, id, {"date": dt.date.fromisoformat(day), "status": "scheduled"})
                outcome = "updated" if outcome == "unchanged" else outcome
        for _l, e in exceptions:
            if store.set_exception(tx, id, e) != "unchanged" and outcome == "unchanged":
                outcome = "updated"
        outcomes[outcome] += 1
    return outcomes


# -- export


def export(db: Any) -> str:
    """The whole programme as YAML, in the schema `read` accepts (a round trip changes nothing)."""
    sites = []
    for s in queries.sites(db):
        row = {k: s[k] for k in store.SITE_COLUMNS}
        sites.append({k: v for k, v in row.items() if v not in ("", None, []) and not (k == "mobile" and not v)})
    sessions = []
    for s in queries.sessions(db, with_exceptions=True):
        out: dict[str, Any] = {
            "key": s["key"],
            "site": s["site"],
            "title": s["title"],
            "description": s["description"],
            "kind": s["kind"],
            "axis": s["axis"],
            "room": s["room"],
            "date": dt.date.fromisoformat(s["first_date"]),
            "start": s["start_time"],
            "end": s["end_time"],
        }
        if s["repeat_every"]:
            repeat: dict[str, Any] = {"every": s["repeat_every"]}
            if s["repeat_interval"] > 1:
                repeat["interval"] = s["repeat_interval"]
            if s["repeat_until"]:
                repeat["until"] = dt.date.fromisoformat(s["repeat_until"])
            if s["repeat_count"]:
                repeat["count"] = s["repeat_count"]
            out["repeat"] = repeat
        out.update(
            audience=s["audience"],
            languages=s["languages"],
            registration=s["registration"],
            capacity=s["capacity"],
            partner=s["partner_key"],
            staff_count=s["staff_count"] if s["staff_count"] > 1 else None,
            free=s["free"],
        )
        exceptions = []
        for e in s["exceptions"].values():
            ex: dict[str, Any] = {"date": dt.date.fromisoformat(e["date"]), "status": e["status"]}
            if e["reason"]:
                ex["reason"] = e["reason"]
            if e["status"] == "moved":
                if e["new_date"]:
                    ex["new_date"] = dt.date.fromisoformat(e["new_date"])
                for src, dst in (("new_start", "start"), ("new_end", "end"), ("new_room", "room")):
                    if e[src]:
                        ex[dst] = e[src]
            exceptions.append(ex)
        if exceptions:
            out["exceptions"] = exceptions
        sessions.append({k: v for k, v in out.items() if v not in ("", None, [])})
    header = "# Programme Quartier — " + _("format décrit dans le README, section « Programme »") + "\n"
    return header + yaml.safe_dump(
        {"version": 1, "sites": sites, "partners": yamlio_partners.export(db), "sessions": sessions},
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )
