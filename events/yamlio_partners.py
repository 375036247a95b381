"""The `partners:` section of the programme file: the registry in and out, and the check that every
session's `partner` names one (by key, name or short name) in the file or already in the registry.

Logos are not in the file (it is text); an import leaves a partner's logo as it is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils

from events import partners, queries
from quartier.db import Tx
from quartier.i18n import gettext as _
from quartier.inputs import Invalid

PARTNER_KEYS = {"key", "name", "short_name", "kind", "circle", "website", "description", "charters", "sites"}


def check_sessions(rows: list[Any], file_partners: list[dict[str, Any]], sessions: list[tuple[Any, dict, Any]]) -> list:
    """(line, message) for each session whose partner is neither in the registry (`rows`) nor in the file."""
    known = [*rows, *({"key": p["key"], "name": p["name"], "short_name": p["short_name"]} for p in file_partners)]
    problems = []
    for item, s, _e in sessions:
        if s["partner"] and partners.find(known, s["partner"]) is None:
            line = item.key_lines.get("partner", item.line)
            problems.append((line, _("partner: partenaire inconnu : {name}").format(name=s["partner"])))
    return problems


def read(items: list[Any], unknown: Any, invalid: Any, problems: list) -> list[tuple[int, dict[str, Any]]]:
    """The file's partners, checked (sites are checked against the database when applying)."""
    out = []
    for item in items:
        unknown(problems, item, PARTNER_KEYS)
        try:
            out.append((item.line, partners.clean_partner(item)))
        except Invalid as e:
            invalid(problems, item, e)
    return out


def unknown_sites(tx: Tx, file_partners: list[tuple[int, dict[str, Any]]], file_sites: set[str]) -> list:
    """(line, message) for each site a partner names that is neither in the database nor in the file."""
    known = {r[0] for r in tx.execute("SELECT slug FROM sites")} | file_sites
    return [
        (line, _("sites: lieu inconnu : {slug}").format(slug=slug))
        for line, p in file_partners
        for slug in p["sites"]
        if slug not in known
    ]


def export(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """The registry in the file's schema (no logos, no ids)."""
    out = []
    for p in queries.partners(db):
        row: dict[str, Any] = {k: p[k] for k in partners.COLUMNS}
        row["sites"] = p["sites"]
        row["charters"] = [
            {"charter": c["charter"], "signed": dt.date.fromisoformat(c["signed"])} for c in p["charters"]
        ]
        out.append({k: v for k, v in row.items() if v not in ("", None, [])})
    return out
