"""The partners registry: the organisations that run sessions, their fields, checks and writes.

Sessions name their partner, so the registry is programme data (DESIGN.md, "The ladder"); what the
partners contribute and share lives in `commons`, which also deletes them (it knows what else holds
one). A partner is named by a stable `key` (its slug, used by the YAML file and the API) and is
found by its key, its name or its short name, case and accents ignored, so that the YAML import and
the old free-text values of `sessions.partner` both resolve to the same organisation.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import time
import unicodedata
from collections.abc import Mapping
from typing import Any, Protocol

from events import changes
from events.model import SLUG_RE, WEB_RE, slugify
from quartier.db import Tx
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields

KINDS: dict[str, str] = {
    "city": N_("Ville"),
    "ccas": N_("CCAS"),
    "departement": N_("Département, CDAS"),
    "caf": N_("CAF"),
    "social-centre": N_("Centre social"),
    "association": N_("Association"),
    "epn": N_("Espace public numérique (EPN)"),
    "library": N_("Bibliothèque, médiathèque"),
    "school": N_("École, formation"),
    "company": N_("Entreprise"),
    "other": N_("Autre"),
}
CIRCLES: dict[int, str] = {
    1: N_("Premier cercle : le GT ESC"),
    2: N_("Second cercle : les autres acteurs"),
}
# A logo printed 2.5 cm wide at 300 dpi needs 300 pixels: smaller ones print blurred.
LOGO_MIN_PIXELS = 300
MAX_CHARTERS = 10

# Words that tell an organisation's kind from its name, for the free-text values the migration finds.
_KIND_HINTS = (
    ("caf", "caf"),
    ("ccas", "ccas"),
    ("cdas", "departement"),
    ("departement", "departement"),
    ("ville de", "city"),
    ("mairie", "city"),
    ("mediatheque", "library"),
    ("bibliotheque", "library"),
    ("epn", "epn"),
    ("centre social", "social-centre"),
    ("association", "association"),
)


def fold(text: str) -> str:
    """A name for matching: no accents, no case, one kind of apostrophe, single spaces."""
    straight = text.replace("’", "'").replace("‘", "'").replace("ʼ", "'")
    ascii_text = unicodedata.normalize("NFKD", straight).encode("ascii", "ignore").decode()
    return " ".join(ascii_text.casefold().split())


def guess_kind(name: str) -> str:
    folded = fold(name)
    return next((kind for word, kind in _KIND_HINTS if re.search(rf"\b{re.escape(word)}\b", folded)), "other")


_SAY_KEY = {"pattern": N_("Identifiant en minuscules, chiffres et tirets (ex. « caf-35 »).")}
_SAY_WEB = {"pattern": N_("Adresse web commençant par https:// attendue.")}


def clean_partner(data: Mapping[str, Any], *, site_slugs: set[str] | None = None) -> dict[str, Any]:
    """A partner's fields, checked (the staff form, the API and the YAML file share it); raises Invalid."""
    c = Fields(data, collect=True, numbers_as_text=True)
    p: dict[str, Any] = {
        "key": c.text("key", max_length=60, pattern=SLUG_RE, message=_SAY_KEY),
        "name": c.text("name", required=True, max_length=120),
        "short_name": c.text("short_name", max_length=40),
        "kind": c.choice("kind", KINDS, "other"),
        "circle": c.integer("circle", minimum=1, maximum=2, default=2),
        "website": c.text("website", max_length=300, pattern=WEB_RE, message=_SAY_WEB),
        "description": c.text("description", max_length=2000, multiline=True),
        "sites": c.strings("sites", max_items=40),
        "charters": _charters(c, data.get("charters")),
    }
    if not p["key"] and p["name"]:
        p["key"] = slugify(p["short_name"] or p["name"])
    unknown = [slug for slug in p["sites"] if site_slugs is not None and slug not in site_slugs]
    for slug in unknown:
        c.fail("sites", N_("Lieu inconnu : « {slug} »."), slug=slug)
    c.done()
    return p


def _charters(c: Fields, value: Any) -> list[dict[str, Any]]:
    """Charters signed: a list of {"charter": name, "signed": YYYY-MM-DD}."""
    if value in (None, "", []):
        return []
    if not isinstance(value, list) or len(value) > MAX_CHARTERS:
        c.fail("charters", N_("Liste de chartes attendue (au plus {n})."), n=MAX_CHARTERS)
        return []
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            c.fail(f"charters.{i}", N_("Chaque charte a un nom et une date de signature."))
            continue
        one = Fields(item, collect=True, prefix=f"charters.{i}.", problems=c.problems)
        out.append(
            {"charter": one.text("charter", required=True, max_length=120), "signed": one.date("signed", required=True)}
        )
    return out


def find(rows: list[Any], value: str) -> Any | None:
    """The partner among rows (id, key, name, short_name) that `value` names: its key, name or short name."""
    if not value:
        return None
    folded = fold(value)
    for row in rows:
        if row["key"] == value:
            return row
    return next((r for r in rows if folded in (fold(r["name"]), fold(r["short_name"] or ""))), None)


def resolve(tx: Executes, value: str) -> int | None:
    """The id of the partner a session names (key, name or short name); None for none; 422 when unknown."""
    if not value:
        return None
    row = find(tx.execute("SELECT id, key, name, short_name FROM partners").fetchall(), value)
    if row is None:
        raise Problem(422, "unknown_partner", N_("Partenaire inconnu : « {partner} »."), partner=value)
    return row["id"]


# -- writes (run on the writer: `await db.write(lambda tx: save_partner(tx, p))`)

COLUMNS = ("key", "name", "short_name", "kind", "circle", "website", "description")


def save_partner(tx: Tx, p: dict[str, Any], *, old_key: str | None = None) -> tuple[int, str]:
    """Create or update a partner (by old_key, else by its key); returns (id, "created"|"updated"|"unchanged")."""
    existing = tx.execute("SELECT * FROM partners WHERE key = ?", (old_key or p["key"],)).fetchone()
    if old_key and existing is None:
        raise Problem(404, "not_found", N_("Ce partenaire n'existe pas."))
    _refuse_taken(tx, p, existing["id"] if existing else None)
    row = {k: p[k] for k in COLUMNS}
    now = time.time()
    if existing is None:
        marks = ", ".join("?" * len(row))
        id = tx.execute(
            f"INSERT INTO partners ({', '.join(row)}, created, updated) VALUES ({marks}, ?, ?) RETURNING id",
            [*row.values(), now, now],
        ).fetchone()[0]
        outcome = "created"
    else:
        id = existing["id"]
        same = all(existing[k] == v for k, v in row.items())
        outcome = "unchanged" if same else "updated"
        if not same:
            sets = ", ".join(f"{k} = ?" for k in row)
            tx.execute(f"UPDATE partners SET {sets}, updated = ? WHERE id = ?", [*row.values(), now, id])
    if _set_links(tx, id, p) and outcome == "unchanged":
        outcome = "updated"
    if outcome != "unchanged":
        _announce(tx, f"partner.{outcome}", p["key"], id)
    return id, outcome


def _refuse_taken(tx: Tx, p: dict[str, Any], own: int | None) -> None:
    for row in tx.execute("SELECT id, key, name FROM partners WHERE id IS NOT ?", (own,)):
        if row["key"] == p["key"]:
            raise Problem(409, "key_taken", N_("L'identifiant « {key} » est déjà pris."), key=p["key"])
        if fold(row["name"]) == fold(p["name"]):
            raise Problem(409, "name_taken", N_("Un partenaire s'appelle déjà « {name} »."), name=row["name"])


def _set_links(tx: Tx, id: int, p: dict[str, Any]) -> bool:
    """Replace the partner's charters and sites with p's; whether anything changed."""
    charters = sorted((c["charter"], c["signed"].isoformat()) for c in p["charters"])
    before_charters = sorted(
        tuple(r) for r in tx.execute("SELECT charter, signed FROM partner_charters WHERE partner_id = ?", (id,))
    )
    sites = sorted(set(p["sites"]))
    before_sites = sorted(
        r[0]
        for r in tx.execute(
            "SELECT s.slug FROM partner_sites ps JOIN sites s ON s.id = ps.site_id WHERE ps.partner_id = ?", (id,)
        )
    )
    if charters == before_charters and sites == before_sites:
        return False
    tx.execute("DELETE FROM partner_charters WHERE partner_id = ?", (id,))
    for charter, signed in charters:
        tx.execute("INSERT INTO partner_charters (partner_id, charter, signed) VALUES (?, ?, ?)", (id, charter, signed))
    tx.execute("DELETE FROM partner_sites WHERE partner_id = ?", (id,))
    for slug in sites:
        tx.execute("INSERT INTO partner_sites (partner_id, site_id) SELECT ?, id FROM sites WHERE slug = ?", (id, slug))
    return True


def set_logo(tx: Tx, key: str, logo: dict[str, Any] | None) -> None:
    """Give a partner the checked image `logo` ({data, extension, content_type, width, height}), or none."""
    row = tx.execute("SELECT id FROM partners WHERE key = ?", (key,)).fetchone()
    if row is None:
        raise Problem(404, "not_found", N_("Ce partenaire n'existe pas."))
    name = None
    if logo is not None:
        name = f"{hashlib.sha256(logo['data']).hexdigest()}.{logo['extension']}"
        tx.execute(
            "INSERT OR IGNORE INTO partner_logos (name, content_type, width, height, data, created) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (name, logo["content_type"], logo["width"], logo["height"], logo["data"], time.time()),
        )
    tx.execute("UPDATE partners SET logo = ?, updated = ? WHERE id = ?", (name, time.time(), row["id"]))
    _announce(tx, "partner.updated", key, row["id"])


def delete_partner(tx: Tx, key: str) -> None:
    """Remove a partner that nothing holds any more (commons checks and names what does first)."""
    row = tx.execute("SELECT id FROM partners WHERE key = ?", (key,)).fetchone()
    if row is None:
        raise Problem(404, "not_found", N_("Ce partenaire n'existe pas."))
    tx.execute("DELETE FROM partners WHERE id = ?", (row["id"],))
    _announce(tx, "partner.deleted", key, row["id"])


class Executes(Protocol):
    """A write transaction (`Tx`) or the migration's bare connection."""

    def execute(self, sql: str, params: Any = ..., /) -> sqlite3.Cursor: ...


def create_from_names(tx: Executes, names: list[str]) -> dict[str, int]:
    """A partner for each distinct name not yet in the registry (matched by fold); folded name -> id."""
    known = {fold(r["name"]): r["id"] for r in tx.execute("SELECT id, name FROM partners")}
    known.update({fold(r["short_name"]): r["id"] for r in tx.execute("SELECT id, short_name FROM partners")})
    keys = {r[0] for r in tx.execute("SELECT key FROM partners")}
    for name in names:
        if not name.strip() or fold(name) in known:
            continue
        key, n = slugify(name)[:50], 2
        while key in keys:
            key, n = f"{slugify(name)[:46]}-{n}", n + 1
        keys.add(key)
        now = time.time()
        known[fold(name)] = tx.execute(
            "INSERT INTO partners (key, name, kind, circle, created, updated) VALUES (?, ?, ?, 2, ?, ?) RETURNING id",
            (key, name.strip(), guess_kind(name), now, now),
        ).fetchone()[0]
    known.pop("", None)
    return known


def _announce(tx: Tx, type: str, key: str, id: int) -> None:
    # The partners' pages, posters and open data follow the programme's channel.
    tx.change(changes.PROGRAMME, type, {"partner": key, "id": id})
