"""The catalogue of workshops and trainings: sheets (*fiches*) that document a teaching format so that
other centres, social workers and volunteers can run it too.

A sheet has its title, aims, audience, duration, group size, materials, steps, the skills it covers
(with the Pix framework's areas where they apply), who has run it, a licence for reuse (CC BY-SA by
default) and attached documents (PDF or ODT, checked by their content, at most MAX_DOCUMENT bytes).
A session created from a sheet (kind `atelier` or `formation`) is linked to it, so the sheet lists
its past and next dates across every site.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import time
import zipfile
from typing import Any

import sqlite_utils

from events import queries
from events.model import AXES, slugify
from quartier.db import Tx
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields

KINDS = {"atelier": N_("Atelier"), "formation": N_("Formation")}
AUDIENCES = {
    "habitants": N_("Habitantes et habitants"),
    "seniors": N_("Seniors"),
    "professionnels": N_("Professionnels du travail social"),
    "benevoles": N_("Bénévoles"),
}
# The five areas of the Pix framework (the French version of DigComp), by their number.
PIX_AREAS = {
    "1": N_("Informations et données"),
    "2": N_("Communication et collaboration"),
    "3": N_("Création de contenus"),
    "4": N_("Protection et sécurité"),
    "5": N_("Environnement numérique"),
}
LICENCES = {
    "CC-BY-SA-4.0": "CC BY-SA 4.0",
    "CC-BY-4.0": "CC BY 4.0",
    "CC0-1.0": "CC0 1.0",
    "LO-2.0": "Licence Ouverte 2.0",
}
LICENCE_URLS = {
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/deed.fr",
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/deed.fr",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/deed.fr",
    "LO-2.0": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
MAX_DOCUMENT = 900 * 1024  # under the server's default body limit (max_body_kb: 1024)
ODT = "application/vnd.oasis.opendocument.text"
PDF = "application/pdf"
JSON_COLUMNS = ("audience", "pix")


def clean(data: Any) -> dict[str, Any]:
    """A sheet from JSON or a form, every problem at once (Invalid, 422)."""
    c = Fields(data, collect=True, numbers_as_text=True)
    w: dict[str, Any] = {
        "title": c.text("title", required=True, max_length=120),
        "kind": c.choice("kind", KINDS, "atelier"),
        "axis": c.choice("axis", AXES, required=True),
        "aims": c.text("aims", max_length=2000, multiline=True),
        "audience": c.strings("audience"),
        "duration_minutes": c.integer("duration_minutes", minimum=15, maximum=60 * 24 * 5, required=True),
        "group_min": c.integer("group_min", minimum=1, maximum=500),
        "group_max": c.integer("group_max", minimum=1, maximum=500),
        "materials": c.text("materials", max_length=2000, multiline=True),
        "steps": c.text("steps", max_length=6000, multiline=True),
        "skills": c.text("skills", max_length=2000, multiline=True),
        "pix": c.strings("pix"),
        "facilitators": c.text("facilitators", max_length=1000, multiline=True),
        "licence": c.choice("licence", LICENCES, "CC-BY-SA-4.0"),
    }
    for name, known in (("audience", AUDIENCES), ("pix", PIX_AREAS)):
        unknown = [v for v in w[name] if v not in known]
        if unknown:
            c.fail(
                name,
                N_("« {value} » n'est pas une valeur connue ; valeurs possibles : {values}."),
                value=unknown[0],
                values=", ".join(known),
            )
    if w["group_min"] and w["group_max"] and w["group_max"] < w["group_min"]:
        c.fail("group_max", N_("Le groupe le plus grand ne peut être plus petit que le plus petit."))
    c.done()
    return w


def _row(row: Any) -> dict[str, Any]:
    w = dict(row)
    for name in JSON_COLUMNS:
        w[name] = json.loads(w[name])
    return w


def save_tx(tx: Tx, w: dict[str, Any], slug: str | None = None) -> str:
    """Create a sheet (slug None) or update one; its slug."""
    values = {k: (json.dumps(v) if k in JSON_COLUMNS else v) for k, v in w.items()}
    now = time.time()
    if slug is None:
        base = slugify(w["title"])[:60] or "fiche"
        slug, n = base, 1
        while tx.db.conn.execute("SELECT 1 FROM workshops WHERE slug = ?", (slug,)).fetchone():
            n += 1
            slug = f"{base}-{n}"
        cols = ", ".join(values)
        tx.db.conn.execute(
            f"INSERT INTO workshops (slug, {cols}, created, updated) VALUES (?, {', '.join('?' * len(values))}, ?, ?)",
            [slug, *values.values(), now, now],
        )
        return slug
    sets = ", ".join(f"{k} = ?" for k in values)
    cur = tx.db.conn.execute(f"UPDATE workshops SET {sets}, updated = ? WHERE slug = ?", [*values.values(), now, slug])
    if cur.rowcount == 0:
        raise Problem(404, "not_found", N_("Cette fiche n'existe pas."))
    return slug


def sheets(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every sheet, by title."""
    return [_row(r) for r in db.conn.execute("SELECT * FROM workshops ORDER BY title, id")]


def sheet(db: sqlite_utils.Database, slug: str) -> dict[str, Any] | None:
    row = db.conn.execute("SELECT * FROM workshops WHERE slug = ?", (slug,)).fetchone()
    if row is None:
        return None
    w = _row(row)
    w["documents"] = [
        dict(d)
        for d in db.conn.execute(
            "SELECT id, filename, media_type, size FROM workshop_documents WHERE workshop_id = ? ORDER BY id",
            (w["id"],),
        )
    ]
    return w


def filtered(
    rows: list[dict[str, Any]], audience: str | None, kind: str | None, pix: str | None, q: str | None
) -> list[dict[str, Any]]:
    """The sheets that match the catalogue's filters (every filter given must match)."""
    words = (q or "").lower().split()
    out = []
    for w in rows:
        text = " ".join((w["title"], w["aims"], w["skills"])).lower()
        if audience and audience not in w["audience"] or kind and w["kind"] != kind or pix and pix not in w["pix"]:
            continue
        if all(word in text for word in words):
            out.append(w)
    return out


def dates(db: sqlite_utils.Database, workshop_id: int, today: dt.date) -> dict[str, list[dict[str, Any]]]:
    """The occurrences of the sessions made from a sheet: the past year's and the next three months'."""
    ids = [
        r["session_id"]
        for r in db.conn.execute("SELECT session_id FROM workshop_sessions WHERE workshop_id = ?", (workshop_id,))
    ]
    past: list[dict[str, Any]] = []
    coming: list[dict[str, Any]] = []
    for id in ids:
        for o in queries.occurrences(db, today - dt.timedelta(days=365), today + dt.timedelta(days=92), session_id=id):
            (past if o["start"].date() < today else coming).append(o)
    return {
        "past": sorted(past, key=lambda o: o["start"], reverse=True),
        "next": sorted(coming, key=lambda o: o["start"]),
    }


def document_type(data: bytes) -> str:
    """PDF or ODT by content (not by name): 422 for anything else or too big a file."""
    if len(data) > MAX_DOCUMENT:
        raise Problem(422, "too_large", N_("Le document dépasse {max} Ko."), max=MAX_DOCUMENT // 1024)
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]:
        return PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                first = z.infolist()[0] if z.infolist() else None
                if first and first.filename == "mimetype" and z.read("mimetype").strip() == ODT.encode():
                    if "content.xml" in z.namelist():
                        return ODT
        except (zipfile.BadZipFile, KeyError, OSError, ValueError):
            pass
    raise Problem(
        422, "invalid_document", N_("Le document doit être un vrai PDF ou un texte ODT (vérifié sur son contenu).")
    )


def add_document_tx(tx: Tx, slug: str, filename: str, data: bytes) -> int:
    media_type = document_type(data)
    row = tx.db.conn.execute("SELECT id FROM workshops WHERE slug = ?", (slug,)).fetchone()
    if row is None:
        raise Problem(404, "not_found", N_("Cette fiche n'existe pas."))
    name = (filename or "document").replace("/", "_").replace("\\", "_")[-120:]
    cur = tx.db.conn.execute(
        "INSERT INTO workshop_documents (workshop_id, filename, media_type, size, data, created) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (row["id"], name, media_type, len(data), data, time.time()),
    )
    return int(cur.fetchone()[0])


def document(db: sqlite_utils.Database, slug: str, id: int) -> dict[str, Any] | None:
    row = db.conn.execute(
        "SELECT d.* FROM workshop_documents d JOIN workshops w ON w.id = d.workshop_id WHERE w.slug = ? AND d.id = ?",
        (slug, id),
    ).fetchone()
    return dict(row) if row else None


def link_session_tx(tx: Tx, workshop_id: int, session_id: int) -> None:
    tx.db.conn.execute(
        "INSERT INTO workshop_sessions (session_id, workshop_id) VALUES (?, ?) "
        "ON CONFLICT (session_id) DO UPDATE SET workshop_id = excluded.workshop_id",
        (session_id, workshop_id),
    )


def public(w: dict[str, Any]) -> dict[str, Any]:
    """A sheet as open data (the API, catalogue.json and .yaml): its fields, no internal ids."""
    keys = ("slug", "title", "kind", "axis", "aims", "audience", "duration_minutes", "group_min", "group_max")
    out = {k: w[k] for k in keys}
    out.update(
        materials=w["materials"],
        steps=[s for s in w["steps"].splitlines() if s.strip()],
        skills=[s for s in w["skills"].splitlines() if s.strip()],
        pix=w["pix"],
        facilitators=w["facilitators"],
        licence=w["licence"],
        licence_url=LICENCE_URLS[w["licence"]],
    )
    return out
