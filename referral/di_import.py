"""Importing a checked data·inclusion batch (referral.di_read) into the directory: preview, then apply.

Each service becomes one resource (its own address, hours and contact, else its structure's); a
structure that no service names becomes a resource of its own (a library with no service listed
still answers "the nearest library"). A resource's identity is its origin, `service:{id}` or
`structure:{id}`: importing the same files again changes nothing, and what the files do not hold
is left alone. Only the files' columns are written (referral.model.IMPORTED): the kind, once set,
the access description, languages, accessibility and the needs staff adjusted stay staff's.

    batch = di_read.read(files, known_structures=await db.read(di_import.known_structures))
    changes = await db.read(lambda d: di_import.preview(d, batch))
    outcomes = await db.write(lambda tx: di_import.apply(tx, batch))
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from quartier.db import Tx
from referral import store
from referral.di_read import Batch
from referral.model import IMPORTED, guess_kind
from referral.queries import resource_row


@dataclass
class Change:
    """What importing one record would do: created, updated (with the columns that differ) or unchanged."""

    origin: str
    name: str
    outcome: str
    columns: list[str]


def known_structures(db: sqlite_utils.Database) -> set[str]:
    return {r[0] for r in db.conn.execute("SELECT id FROM referral_structures")}


def _structures(db: sqlite_utils.Database, batch: Batch) -> dict[str, dict[str, Any]]:
    stored = {r[0]: json.loads(r[1]) for r in db.conn.execute("SELECT id, record FROM referral_structures")}
    return {**stored, **batch.structures}


def _first(*values: Any) -> Any:
    return next((v for v in values if v not in (None, "", [])), None)


def resource_of(record: dict[str, Any], structure: dict[str, Any] | None) -> dict[str, Any]:
    """The directory's columns for a service (with its structure) or for a structure alone."""
    st = structure or {}
    service = "structure_id" in record
    own_place = bool(record.get("adresse") or record.get("latitude"))
    where = record if own_place or not service else st
    modes = set(record.get("modes_accueil") or [])
    return {
        "source": record["source"],
        "name": record["nom"],
        "organisation": st.get("nom", "") if service else "",
        "structure": record["structure_id"] if service else record["id"],
        "description": record.get("description") or "",
        "address": where.get("adresse") or "",
        "address_extra": where.get("complement_adresse") or "",
        "postal_code": where.get("code_postal") or "",
        "commune": where.get("commune") or "",
        "insee": where.get("code_insee") or "",
        "latitude": where.get("latitude"),
        "longitude": where.get("longitude"),
        "opening_hours": _first(record.get("horaires_accueil"), st.get("horaires_accueil")) or "",
        "phone": _first(record.get("telephone"), st.get("telephone")) or "",
        "email": _first(record.get("courriel"), st.get("courriel")) or "",
        "website": _first(record.get("site_web"), st.get("site_web")) or "",
        "link": _first(record.get("lien_mobilisation"), record.get("lien_source")) or "",
        "thematiques": sorted(record.get("thematiques") or []),
        "publics": sorted(record.get("publics") or []),
        "fee": record.get("frais") or "",
        "fee_details": record.get("frais_precisions") or "",
        "conditions": record.get("conditions_acces") or "",
        "remote": bool(modes) and "en-presentiel" not in modes,
        "accessibility_url": _first(record.get("accessibilite_lieu"), st.get("accessibilite_lieu")) or "",
        "source_updated": record.get("date_maj") or "",
    }


def planned(db: sqlite_utils.Database, batch: Batch) -> list[tuple[str, dict[str, Any], str]]:
    """(origin, columns, kind when created) for every resource the batch describes."""
    structures = _structures(db, batch)
    out = []
    for s in batch.services.values():
        st = structures.get(s["structure_id"])
        kind = guess_kind(f"{(st or {}).get('nom', '')} {s['nom']}", (st or {}).get("reseaux_porteurs") or [])
        out.append((f"service:{s['id']}", resource_of(s, st), kind))
    with_services = {s["structure_id"] for s in batch.services.values()} | {
        r[0] for r in db.conn.execute("SELECT DISTINCT structure FROM referral_resources WHERE origin LIKE 'service:%'")
    }
    for st in batch.structures.values():
        if st["id"] not in with_services:
            out.append(
                (
                    f"structure:{st['id']}",
                    resource_of(st, None),
                    guess_kind(st["nom"], st.get("reseaux_porteurs") or []),
                )
            )
    return out


def preview(db: sqlite_utils.Database, batch: Batch) -> list[Change]:
    """What `apply` would do, without writing: one Change per resource, in the files' order."""
    out = []
    for origin, columns, _kind in planned(db, batch):
        row = db.conn.execute("SELECT * FROM referral_resources WHERE origin = ?", (origin,)).fetchone()
        if row is None:
            out.append(Change(origin, columns["name"], "created", []))
            continue
        existing = resource_row(row)
        differ = [k for k in IMPORTED if _comparable(existing[k]) != _comparable(columns[k])]
        out.append(Change(origin, columns["name"], "updated" if differ else "unchanged", differ))
    return out


def _comparable(value: Any) -> Any:
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def apply(tx: Tx, batch: Batch) -> Counter[str]:
    """Write the batch in one transaction; returns how many resources were created, updated, unchanged."""
    for st in batch.structures.values():
        record = json.dumps({k: v for k, v in st.items() if not k.startswith("_")}, ensure_ascii=False, sort_keys=True)
        tx.execute(
            """INSERT INTO referral_structures (id, record, updated) VALUES (?, ?, ?)
               ON CONFLICT (id) DO UPDATE SET record = excluded.record, updated = excluded.updated
               WHERE referral_structures.record != excluded.record""",
            (st["id"], record, time.time()),
        )
    outcomes: Counter[str] = Counter({"created": 0, "updated": 0, "unchanged": 0})
    for origin, columns, kind in planned(tx.db, batch):
        outcomes[store.upsert_imported(tx, origin, columns, kind)] += 1
    return outcomes
