"""Registrations for the sessions "sur inscription": no account, and no personal data beyond
a first name (or initials), plus a phone number or an e-mail only if the resident wants one.

One registration is one place at one occurrence (session id and local date of the original
occurrence, as everywhere in the programme). When the places are taken, or staff marked the
date full, a registration goes on the waiting list; when a confirmed one is cancelled (or
places are added) the first waiting ones move up, and `promoted` tells the desk to call them.
The resident keeps a cancellation link: the registration's id signed with the server's
secret, never stored. The day after the occurrence its registrations lose their personal
data (`erase_past`, run hourly by `erase_forever`); the rows stay, so the counts do.

Every change is announced on the session's channel `session:{id}` (`registration.updated`,
counts only), so the session page's places left follow live. Writes take a Tx (inside db.write),
reads a reader Database (inside db.read).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import hmac
import logging
import re
import time
from collections.abc import Callable
from typing import Any

import sqlite_utils

from events import changes, queries
from events.model import EMAIL_RE
from quartier.db import Database, Tx
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields, How

log = logging.getLogger(__name__)

MAX_FIRST_NAME = 40
MAX_EMAIL = 120
# Places one device may hold at one occurrence: a parent registering a family, not a bot filling a workshop.
MAX_PER_DEVICE = 4
ERASE_EVERY = 3600.0
PHONE_RE = re.compile(r"^\+?[0-9][0-9 .()-]{4,23}[0-9]$")


# -- input


def clean_person(data: Any) -> dict[str, str]:
    """A first name (required: the desk calls the list by it), an optional phone and e-mail; 422 with
    the first problem, named in words."""
    f = Fields(data)
    person = {
        "first_name": f.text(
            "first_name",
            max_length=MAX_FIRST_NAME,
            required=True,
            label=N_("prénom"),
            message={"required": N_("Indiquez un prénom (ou des initiales).")},
            code={"required": "missing_first_name"},
        ),
        "phone": f.text("phone", max_length=30, pattern=PHONE_RE, **_SAY_PHONE),
        "email": f.text("email", max_length=MAX_EMAIL, pattern=EMAIL_RE, **_SAY_EMAIL),
    }
    if person["phone"] and not 6 <= len(re.sub(r"\D", "", person["phone"])) <= 15:
        f.fail("phone", PHONE_WRONG, code="invalid_phone")
    return person


PHONE_WRONG = N_("Numéro de téléphone invalide (ex. 06 12 34 56 78).")
_SAY_PHONE: How = {"message": {"pattern": PHONE_WRONG}, "code": {"pattern": "invalid_phone"}, "label": N_("téléphone")}
_SAY_EMAIL: How = {
    "message": {"pattern": N_("Adresse e-mail invalide.")},
    "code": {"pattern": "invalid_email"},
    "label": N_("e-mail"),
}


def device_hash(device: str) -> str:
    return hashlib.sha256(device.encode()).hexdigest() if device else ""


# -- the cancellation link


def token(secret: str, row: dict[str, Any]) -> str:
    """ "{id}-{signature}": unguessable without the server's secret, valid as long as the row."""
    message = f"registration:{row['id']}:{row['created']!r}".encode()
    return f"{row['id']}-{hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]}"


def by_token(db: sqlite_utils.Database, secret: str, raw: str) -> dict[str, Any] | None:
    """The registration a link names, or None when the link is not one of ours."""
    head, _sep, _sig = raw.partition("-")
    if not head.isdigit() or len(head) > 18 or len(raw) > 80:
        return None
    row = one(db, int(head))
    return row if row and hmac.compare_digest(token(secret, row), raw) else None


# -- reads


def one(db: sqlite_utils.Database, id: int) -> dict[str, Any] | None:
    row = db.conn.execute("SELECT * FROM registrations WHERE id = ?", (id,)).fetchone()
    return dict(row) if row else None


def of_occurrence(db: sqlite_utils.Database, session_id: int, day: dt.date) -> list[dict[str, Any]]:
    """The desk's list: confirmed, then waiting (in order of arrival), then cancelled."""
    rows = db.conn.execute(
        """SELECT * FROM registrations WHERE session_id = ? AND date = ?
           ORDER BY CASE status WHEN 'confirmed' THEN 0 WHEN 'waiting' THEN 1 ELSE 2 END, created, id""",
        (session_id, day.isoformat()),
    )
    return [dict(r) for r in rows]


def position(db: sqlite_utils.Database, row: dict[str, Any]) -> int | None:
    """Rank on the waiting list (1 = next to get a place), None when not waiting."""
    if row["status"] != "waiting":
        return None
    ahead = db.conn.execute(
        """SELECT count(*) FROM registrations WHERE session_id = ? AND date = ? AND status = 'waiting'
           AND (created < ? OR (created = ? AND id < ?))""",
        (row["session_id"], row["date"], row["created"], row["created"], row["id"]),
    ).fetchone()[0]
    return ahead + 1


def counts(db: sqlite_utils.Database, session_id: int, days: list[dt.date] | None = None) -> dict[str, dict[str, int]]:
    """{date iso: {"confirmed": n, "waiting": n}} for a session's occurrences (those in `days`, or all)."""
    out: dict[str, dict[str, int]] = {}
    sql = "SELECT date, status, count(*) AS n FROM registrations WHERE session_id = ? AND status != 'cancelled'"
    params: list[Any] = [session_id]
    if days is not None:
        sql += f" AND date IN ({','.join('?' * len(days))})"
        params += [d.isoformat() for d in days]
    for r in db.conn.execute(sql + " GROUP BY date, status", params):
        out.setdefault(r["date"], {"confirmed": 0, "waiting": 0})[r["status"]] = r["n"]
    return out


def places(capacity: int | None, status: str, tally: dict[str, int] | None) -> dict[str, Any]:
    """What a page says about an occurrence: places left (None: no limit), the waiting list."""
    tally = tally or {"confirmed": 0, "waiting": 0}
    left = None if capacity is None else max(0, capacity - tally["confirmed"])
    if status == "full":
        left = 0
    return {"capacity": capacity, **tally, "left": left, "full": left == 0}


def occurrence_places(db: sqlite_utils.Database, session_id: int, day: dt.date) -> dict[str, Any] | None:
    occ = queries.occurrence(db, session_id, day)
    if occ is None:
        return None
    return places(occ["capacity"], occ["status"], counts(db, session_id, [day]).get(day.isoformat()))


# -- writes


def _announce(tx: Tx, session_id: int, day: str) -> None:
    occ = queries.occurrence(tx.db, session_id, dt.date.fromisoformat(day))
    tally = counts(tx.db, session_id, [dt.date.fromisoformat(day)]).get(day)
    state = places(occ["capacity"], occ["status"], tally) if occ else places(None, "cancelled", tally)
    data = {"session": session_id, "date": day, **{k: state[k] for k in ("confirmed", "waiting", "left")}}
    tx.change(changes.session_channel(session_id), changes.REGISTRATION_UPDATED, data)


def register(
    tx: Tx, session_id: int, day: dt.date, person: dict[str, str], *, source: str, device: str, now: dt.datetime
) -> dict[str, Any]:
    """A place (or a place on the waiting list) at one occurrence; returns the registration."""
    occ = queries.occurrence(tx.db, session_id, day)
    if occ is None:
        raise Problem(404, "no_occurrence", N_("Cette séance n'a pas lieu le {date}."), date=day.isoformat())
    if not occ["registration"]:
        raise Problem(409, "no_registration", N_("Cette séance est sans inscription : venez directement."))
    if occ["status"] == "cancelled":
        raise Problem(409, "cancelled", N_("Cette date est annulée : on ne peut plus s'y inscrire."))
    if occ["end"] <= now:
        raise Problem(409, "past", N_("Cette date est passée."))
    if device:
        held = tx.execute(
            "SELECT count(*) FROM registrations WHERE session_id = ? AND date = ? AND device = ? AND status != 'cancelled'",
            (session_id, day.isoformat(), device),
        ).fetchone()[0]
        if held >= MAX_PER_DEVICE:
            raise Problem(
                409, "too_many", N_("Cet appareil a déjà {n} inscriptions à cette date : appelez l'accueil."), n=held
            )
    state = places(occ["capacity"], occ["status"], counts(tx.db, session_id, [day]).get(day.isoformat()))
    free = state["left"] is None or (state["left"] > 0 and not state["waiting"])
    stamp = now.timestamp()
    row = tx.execute(
        """INSERT INTO registrations (session_id, date, status, source, first_name, phone, email, device, created, updated)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *""",
        (
            session_id,
            day.isoformat(),
            "confirmed" if free else "waiting",
            source,
            person["first_name"],
            person["phone"],
            person["email"],
            device,
            stamp,
            stamp,
        ),
    ).fetchone()
    created = dict(row)
    _announce(tx, session_id, day.isoformat())
    return created


def cancel(tx: Tx, registration_id: int, now: dt.datetime) -> dict[str, Any]:
    """Cancel a place; the waiting list moves up. Cancelling twice changes nothing."""
    row = one(tx.db, registration_id)
    if row is None:
        raise Problem(404, "not_found", N_("Cette inscription n'existe pas."))
    if row["status"] == "cancelled":
        return {"registration": row, "promoted": []}
    tx.execute(
        "UPDATE registrations SET status = 'cancelled', updated = ? WHERE id = ?", (now.timestamp(), registration_id)
    )
    promoted = fill(tx, row["session_id"], dt.date.fromisoformat(row["date"]), now)
    if not promoted:
        _announce(tx, row["session_id"], row["date"])
    return {"registration": one(tx.db, registration_id), "promoted": promoted}


def fill(tx: Tx, session_id: int, day: dt.date, now: dt.datetime) -> list[int]:
    """Give free places to the waiting list, first come first served; returns who moved up."""
    occ = queries.occurrence(tx.db, session_id, day)
    if occ is None or occ["status"] in ("cancelled", "full") or occ["end"] <= now:
        return []
    state = places(occ["capacity"], occ["status"], counts(tx.db, session_id, [day]).get(day.isoformat()))
    if not state["waiting"] or state["left"] == 0:
        return []
    limit = -1 if state["left"] is None else state["left"]
    ids = [
        r[0]
        for r in tx.execute(
            "SELECT id FROM registrations WHERE session_id = ? AND date = ? AND status = 'waiting' "
            "ORDER BY created, id LIMIT ?",
            (session_id, day.isoformat(), limit),
        )
    ]
    if not ids:
        return []
    stamp = now.timestamp()
    tx.execute(
        f"UPDATE registrations SET status = 'confirmed', promoted = ?, updated = ? WHERE id IN ({','.join('?' * len(ids))})",
        [stamp, stamp, *ids],
    )
    _announce(tx, session_id, day.isoformat())
    return ids


def fill_session(tx: Tx, session_id: int, now: dt.datetime) -> list[int]:
    """After a session's capacity changed, or a date was restored: every coming date's waiting list."""
    days = [
        r[0]
        for r in tx.execute(
            "SELECT DISTINCT date FROM registrations WHERE session_id = ? AND status = 'waiting' AND date >= ?",
            (session_id, (now.date() - dt.timedelta(days=31)).isoformat()),
        )
    ]
    return [id for day in days for id in fill(tx, session_id, dt.date.fromisoformat(day), now)]


def erase_past(tx: Tx, today: dt.date, now: float) -> int:
    """Delete the personal data of every registration whose occurrence (moved or not) is before today."""
    ids = [
        r[0]
        for r in tx.execute(
            """SELECT r.id FROM registrations r
               LEFT JOIN occurrence_exceptions e ON e.session_id = r.session_id AND e.date = r.date AND e.status = 'moved'
               WHERE r.erased IS NULL AND coalesce(e.new_date, r.date) < ?""",
            (today.isoformat(),),
        )
    ]
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        tx.execute(
            "UPDATE registrations SET first_name = '', phone = '', email = '', device = '', erased = ? "
            f"WHERE id IN ({','.join('?' * len(chunk))})",
            [now, *chunk],
        )
    return len(ids)


def _erase_now(tx: Tx, *, clock: Callable[[], float], tz: dt.tzinfo) -> int:
    now = clock()
    return erase_past(tx, dt.datetime.fromtimestamp(now, tz).date(), now)


async def erase_forever(
    db: Database, tz: dt.tzinfo, *, clock: Callable[[], float] = time.time, every: float = ERASE_EVERY
) -> None:
    """The background task: erase at start-up, then every hour (the clock is injected for tests)."""
    while True:
        try:
            erased = await db.write(functools.partial(_erase_now, clock=clock, tz=tz))
            if erased:
                log.info("registrations: personal data of %d past registrations deleted", erased)
        except Exception:  # a failed pass must not stop the next ones
            log.exception("registrations: erasing past personal data failed")
        await asyncio.sleep(every)
