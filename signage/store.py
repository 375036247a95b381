"""Writes of the signage package: each function runs inside `db.write(fn)` on the writer thread.

What signage itself changes about a screen (its settings, pairing, announcements) records a
`display:{id}` change in the same transaction (`bump`); what the programme and the forum change
reaches screens on their own channels, which the snapshot lists (signage.snapshot.channels_of).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable
from typing import Any

from quartier.db import Tx
from quartier.errors import Problem
from quartier.i18n import N_
from signage import changes

# Letters and digits nobody confuses on a TV across a room (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
PAIRING_TTL = 3600.0  # a code shown on a screen stays valid an hour
TOKEN_PREFIX = "qd_"  # tells a display token from a staff token (qt_) at a glance


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def normalize_code(raw: str) -> str:
    """What staff typed, as stored: capitals, without spaces or dashes."""
    return "".join(c for c in raw.upper() if c.isalnum())


def bump(tx: Tx, display_id: int, type: str, data: dict[str, Any] | None = None) -> int:
    """Tell screen `display_id` that signage changed something it shows; returns the change's seq."""
    seq = tx.change(changes.display_channel(display_id), type, data or {})
    tx.execute("UPDATE signage_displays SET version = ? WHERE id = ?", (seq, display_id))
    return seq


def bump_many(tx: Tx, display_ids: Iterable[int], type: str) -> list[int]:
    ids = sorted(set(display_ids))
    for display_id in ids:
        bump(tx, display_id, type, {"id": display_id})
    return ids


def displays_at(tx: Tx, sites: Iterable[str] | None = None) -> list[int]:
    """Ids of every screen (None) or of the screens at some sites."""
    if sites is None:
        return [r[0] for r in tx.execute("SELECT id FROM signage_displays")]
    slugs = sorted(set(sites))
    if not slugs:
        return []
    marks = ",".join("?" * len(slugs))
    return [r[0] for r in tx.execute(f"SELECT id FROM signage_displays WHERE site IN ({marks})", slugs)]


# -- pairing


def start_pairing(tx: Tx, claim: str, now: float) -> str:
    """A fresh pairing code for a screen that will poll with the secret `claim`."""
    tx.execute("DELETE FROM signage_pairings WHERE expires < ? AND state != 'claimed'", (now - 86400,))
    for _attempt in range(20):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        taken = tx.execute(
            "SELECT 1 FROM signage_pairings WHERE code = ? AND state = 'waiting' AND expires > ?", (code, now)
        ).fetchone()
        if not taken:
            break
    tx.execute(
        "INSERT INTO signage_pairings (code, claim_hash, created, expires) VALUES (?, ?, ?, ?)",
        (code, sha256(claim), now, now + PAIRING_TTL),
    )
    return code


def claim(tx: Tx, code: str, *, site: str, name: str, orientation: str, display_id: int | None, now: float) -> int:
    """Staff claim a waiting code: a new screen, or a new token for an existing one (re-pairing)."""
    row = tx.execute(
        "SELECT id FROM signage_pairings WHERE code = ? AND state = 'waiting' AND expires > ?",
        (normalize_code(code), now),
    ).fetchone()
    if row is None:
        raise Problem(
            404, "unknown_code", N_("Aucun écran n'attend ce code : vérifiez-le ou faites-en afficher un nouveau.")
        )
    if display_id is None:
        display_id = tx.execute(
            """INSERT INTO signage_displays (name, site, orientation, created, updated)
               VALUES (?, ?, ?, ?, ?) RETURNING id""",
            (name, site, orientation, now, now),
        ).fetchone()[0]
    else:
        if not tx.execute("SELECT 1 FROM signage_displays WHERE id = ?", (display_id,)).fetchone():
            raise Problem(404, "not_found", N_("Cet écran n'existe pas."))
        tx.execute(
            "UPDATE signage_displays SET name = ?, site = ?, orientation = ?, updated = ? WHERE id = ?",
            (name, site, orientation, now, display_id),
        )
    tx.execute("UPDATE signage_pairings SET state = 'claimed', display_id = ? WHERE id = ?", (display_id, row[0]))
    bump(tx, display_id, changes.DISPLAY_CLAIMED, {"id": display_id})
    return display_id


def deliver(tx: Tx, claim_secret: str, token: str, now: float) -> int | None:
    """The screen polls: None while waiting; once claimed, store the token's hash and return the id.

    The token itself is made by the caller and handed out in this one answer;
    a second poll finds the pairing delivered and gets nothing.
    """
    row = tx.execute(
        "SELECT id, state, display_id, expires FROM signage_pairings WHERE claim_hash = ?", (sha256(claim_secret),)
    ).fetchone()
    if row is None or row["state"] == "delivered":
        raise Problem(404, "unknown_claim", N_("Ce jumelage est inconnu ou déjà terminé."))
    if row["state"] == "waiting":
        if row["expires"] <= now:
            raise Problem(410, "expired", N_("Ce code a expiré : demandez-en un nouveau."))
        return None
    display_id = row["display_id"]
    tx.execute(
        "UPDATE signage_displays SET token_hash = ?, last_seen = ?, updated = ? WHERE id = ?",
        (sha256(token), now, now, display_id),
    )
    tx.execute("UPDATE signage_pairings SET state = 'delivered' WHERE id = ?", (row["id"],))
    bump(tx, display_id, changes.DISPLAY_PAIRED, {"id": display_id})
    return display_id


# -- the registry


def update_display(tx: Tx, display_id: int, fields: dict[str, Any], now: float) -> None:
    """Rename, move, reorient or reschedule a screen."""
    allowed = {"name", "site", "orientation", "margin_minutes", "hours_override", "always_on", "languages"}
    sets = {k: v for k, v in fields.items() if k in allowed}
    if not tx.execute("SELECT 1 FROM signage_displays WHERE id = ?", (display_id,)).fetchone():
        raise Problem(404, "not_found", N_("Cet écran n'existe pas."))
    if sets:
        assignments = ", ".join(f"{k} = ?" for k in sets)
        tx.execute(
            f"UPDATE signage_displays SET {assignments}, updated = ? WHERE id = ?", [*sets.values(), now, display_id]
        )
    bump(tx, display_id, changes.DISPLAY_UPDATED, {"id": display_id})


def revoke(tx: Tx, display_id: int, now: float) -> None:
    """Forget a screen's token: its next request gets 401 until it is paired again."""
    if not tx.execute("SELECT 1 FROM signage_displays WHERE id = ?", (display_id,)).fetchone():
        raise Problem(404, "not_found", N_("Cet écran n'existe pas."))
    tx.execute("UPDATE signage_displays SET token_hash = NULL, updated = ? WHERE id = ?", (now, display_id))
    tx.execute("DELETE FROM signage_pairings WHERE display_id = ? AND state = 'claimed'", (display_id,))
    bump(tx, display_id, changes.DISPLAY_REVOKED, {"id": display_id})


def delete_display(tx: Tx, display_id: int) -> None:
    bump(tx, display_id, changes.DISPLAY_REVOKED, {"id": display_id})
    tx.execute("DELETE FROM signage_displays WHERE id = ?", (display_id,))


def seen(
    tx: Tx, display_id: int, now: float, *, health: dict[str, Any] | None = None, shown_version: int | None = None
) -> None:
    """A request with the screen's token: remember when, and what its agent reported."""
    if health is None:
        tx.execute("UPDATE signage_displays SET last_seen = ? WHERE id = ?", (now, display_id))
    else:
        tx.execute(
            "UPDATE signage_displays SET last_seen = ?, health = ?, shown_version = coalesce(?, shown_version) WHERE id = ?",
            (now, json.dumps(health, ensure_ascii=False), shown_version, display_id),
        )


# -- announcements


def _announcement_targets(tx: Tx, announcement_id: int) -> list[int]:
    row = tx.execute(
        "SELECT target, sites, displays FROM signage_announcements WHERE id = ?", (announcement_id,)
    ).fetchone()
    if row is None:
        return []
    if row["target"] == "sites":
        return displays_at(tx, json.loads(row["sites"]))
    if row["target"] == "displays":
        wanted = set(json.loads(row["displays"]))
        return [d for d in displays_at(tx) if d in wanted]
    return displays_at(tx)


ANNOUNCEMENT_FIELDS = (
    "title",
    "body",
    "image",
    "image_alt",
    "starts",
    "ends",
    "target",
    "sites",
    "displays",
    "priority",
    "urgent",
)


def save_announcement(tx: Tx, fields: dict[str, Any], now: float, announcement_id: int | None = None) -> int:
    """Create or replace an announcement; every screen it did or does concern is told."""
    row = {k: fields[k] for k in ANNOUNCEMENT_FIELDS if k in fields}
    for key in ("sites", "displays"):
        if key in row:
            row[key] = json.dumps(row[key])
    before: list[int] = []
    if announcement_id is None:
        cols = ", ".join([*row, "created", "updated"])
        marks = ", ".join("?" * (len(row) + 2))
        announcement_id = tx.execute(
            f"INSERT INTO signage_announcements ({cols}) VALUES ({marks}) RETURNING id", [*row.values(), now, now]
        ).fetchone()[0]
    else:
        before = _announcement_targets(tx, announcement_id)
        if not tx.execute("SELECT 1 FROM signage_announcements WHERE id = ?", (announcement_id,)).fetchone():
            raise Problem(404, "not_found", N_("Cette annonce n'existe pas."))
        assignments = ", ".join(f"{k} = ?" for k in row)
        tx.execute(
            f"UPDATE signage_announcements SET {assignments}, updated = ? WHERE id = ?",
            [*row.values(), now, announcement_id],
        )
    bump_many(tx, [*before, *_announcement_targets(tx, announcement_id)], changes.ANNOUNCEMENTS_CHANGED)
    return announcement_id


def delete_announcement(tx: Tx, announcement_id: int) -> None:
    targets = _announcement_targets(tx, announcement_id)
    tx.execute("DELETE FROM signage_announcements WHERE id = ?", (announcement_id,))
    bump_many(tx, targets, changes.ANNOUNCEMENTS_CHANGED)


def save_asset(tx: Tx, data: bytes, extension: str, content_type: str, now: float) -> str:
    """Store an uploaded image under its content hash (so its URL can be cached forever)."""
    name = f"{hashlib.sha256(data).hexdigest()}.{extension}"
    tx.execute(
        "INSERT OR IGNORE INTO signage_assets (name, content_type, data, created) VALUES (?, ?, ?, ?)",
        (name, content_type, data, now),
    )
    return name
