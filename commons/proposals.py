"""Sessions a partner account proposes for its organisation.

A proposal holds the session's fields (checked as the staff form checks them) and waits in the
organizers' queue; it reaches the public programme only when an organizer accepts it, which
creates the session (with the partner as its partner) in the same transaction. The queue follows
the staff-only `proposals` channel; a partner account sees only its own organisation's proposals.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import sqlite_utils

from commons import changes
from events import store
from events.model import clean_session
from quartier.db import Tx
from quartier.errors import Problem
from quartier.i18n import N_

STATES = {
    "pending": N_("En attente de validation"),
    "accepted": N_("Acceptée : au programme"),
    "refused": N_("Refusée"),
    "withdrawn": N_("Retirée"),
}


def _json(s: dict[str, Any]) -> str:
    def encode(value: Any) -> Any:
        return value.isoformat() if isinstance(value, dt.date) else value

    data = {k: encode(v) for k, v in s.items() if k != "repeat"}
    if s.get("repeat"):
        data["repeat"] = {k: encode(v) for k, v in s["repeat"].items()}
    return json.dumps(data, ensure_ascii=False)


def create(tx: Tx, partner: dict[str, Any], s: dict[str, Any], author_id: int | None) -> int:
    """A pending proposal of a checked session (`clean_session`), for the partner's organisation."""
    s = {**s, "partner": partner["key"], "key": ""}
    id = tx.execute(
        "INSERT INTO commons_proposals (partner_id, author_id, title, site, data, created) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (partner["id"], author_id, s["title"], s["site"], _json(s), time.time()),
    ).fetchone()[0]
    tx.change(changes.PROPOSALS, changes.PROPOSAL_CREATED, {"id": id, "partner": partner["key"]})
    return id


def _pending(tx: Tx, id: int, partner_id: int | None = None) -> Any:
    row = tx.execute(
        "SELECT pr.*, p.key AS partner FROM commons_proposals pr JOIN partners p ON p.id = pr.partner_id "
        "WHERE pr.id = ?",
        (id,),
    ).fetchone()
    if row is None or (partner_id is not None and row["partner_id"] != partner_id):
        raise Problem(404, "not_found", N_("Cette proposition n'existe pas."))
    if row["state"] != "pending":
        raise Problem(409, "decided", N_("Cette proposition a déjà reçu une réponse."))
    return row


def accept(tx: Tx, id: int, organizer_id: int | None) -> int:
    """Put a pending proposal on the programme; returns the new session's id."""
    row = _pending(tx, id)
    s = clean_session(json.loads(row["data"]))
    session_id, _outcome = store.save_session(tx, {**s, "partner": row["partner"], "key": ""})
    tx.execute(
        "UPDATE commons_proposals SET state = 'accepted', session_id = ?, decided = ?, decided_by = ? WHERE id = ?",
        (session_id, time.time(), organizer_id, id),
    )
    tx.change(changes.PROPOSALS, changes.PROPOSAL_ACCEPTED, {"id": id, "session": session_id})
    return session_id


def refuse(tx: Tx, id: int, organizer_id: int | None, reason: str) -> None:
    _pending(tx, id)
    tx.execute(
        "UPDATE commons_proposals SET state = 'refused', reason = ?, decided = ?, decided_by = ? WHERE id = ?",
        (reason, time.time(), organizer_id, id),
    )
    tx.change(changes.PROPOSALS, changes.PROPOSAL_REFUSED, {"id": id})


def withdraw(tx: Tx, id: int, partner_id: int) -> None:
    """The partner account takes back its own pending proposal."""
    _pending(tx, id, partner_id)
    tx.execute("UPDATE commons_proposals SET state = 'withdrawn', decided = ? WHERE id = ?", (time.time(), id))
    tx.change(changes.PROPOSALS, changes.PROPOSAL_WITHDRAWN, {"id": id})


def listed(
    db: sqlite_utils.Database, *, partner_id: int | None = None, state: str | None = None
) -> list[dict[str, Any]]:
    """Proposals, newest first (of one partner, in one state): id, partner (key), partner_name, title,
    site, site_name, state, reason, session_id, created, decided, and `session` (the fields)."""
    sql = """SELECT pr.*, p.key AS partner, p.name AS partner_name, s.name AS site_name
             FROM commons_proposals pr JOIN partners p ON p.id = pr.partner_id
             LEFT JOIN sites s ON s.slug = pr.site WHERE 1 = 1"""
    params: list[Any] = []
    if partner_id is not None:
        sql += " AND pr.partner_id = ?"
        params.append(partner_id)
    if state is not None:
        sql += " AND pr.state = ?"
        params.append(state)
    out = []
    for r in db.conn.execute(sql + " ORDER BY pr.created DESC, pr.id DESC", params):
        row = dict(r)
        row["session"] = json.loads(row.pop("data"))
        out.append(row)
    return out
