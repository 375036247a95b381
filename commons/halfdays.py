"""Free half-days of the sites' rooms, asked for and granted (issue 19, point 3).

A partner account or staff asks for one half-day of a room (a morning: before 13:00; an afternoon:
from 13:00), or the same half-day every week until a date. The request is refused at once, with
its reason, when the site is closed then, a session of the programme uses the room, or another
request waits for it. The site's organizer accepts it (it becomes a session of the programme with
its partner, so its hours count in the service time at once) or refuses it with a word.
The organizers' queue follows the staff-only `room_requests` channel.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from typing import Any

import opening_hours
import sqlite_utils

from commons import changes
from events import queries, store
from events.hours import NOON
from events.model import AXES, KINDS, clean_session
from quartier.db import Tx
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import Fields, Invalid

MAX_WEEKS = 52
HALVES = {"morning": ("09:00", "12:00"), "afternoon": ("14:00", "17:00")}
HALF_LABELS = {"morning": N_("matin"), "afternoon": N_("après-midi")}
STATES = {
    "pending": N_("En attente de réponse"),
    "accepted": N_("Acceptée : au programme"),
    "refused": N_("Refusée"),
    "withdrawn": N_("Retirée"),
}


def half_of(start: str) -> str:
    return "morning" if dt.time.fromisoformat(start) < NOON else "afternoon"


def clean_request(data: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """A request's fields, checked: a date to come, an end after the start, within one half-day."""
    c = Fields(data, collect=True, numbers_as_text=True)
    r: dict[str, Any] = {
        "title": c.text("title", required=True, max_length=120),
        "kind": c.choice("kind", KINDS, "permanence"),
        "axis": c.choice("axis", AXES, required=True),
        "date": c.date("date", required=True),
        "start": c.time("start", required=True),
        "end": c.time("end", required=True),
        "until": c.date("until"),
        "partner": c.text("partner", max_length=120),
    }
    if r["date"] and r["date"] < today:
        c.fail("date", N_("Cette date est passée : choisissez une date à venir."), code="past")
    if r["start"] and r["end"]:
        if r["end"] <= r["start"]:
            c.fail("end", N_("La fin doit suivre le début."), code="end_before_start")
        elif len(halves_used(r["start"], r["end"])) > 1:
            c.fail("end", N_("Une demande tient dans une demi-journée : le matin finit à 13 h."), code="two_halves")
    if r["until"] and r["date"]:
        if r["until"] < r["date"]:
            c.fail("until", N_("La dernière semaine précède la première date."), code="end_before_start")
        elif (r["until"] - r["date"]).days // 7 + 1 > MAX_WEEKS:
            c.fail("until", N_("Une série dure au plus {n} semaines."), n=MAX_WEEKS)
    c.done()
    return r


def dates_of(first: dt.date, until: dt.date | None) -> list[dt.date]:
    """The dates a request covers: the first, then the same weekday every week until `until`."""
    last = until or first
    return [first + dt.timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]


def halves_used(start: str, end: str) -> set[str]:
    """The half-days a span of a day touches, as the dashboard counts them (events.hours)."""
    noon = NOON.strftime("%H:%M")
    return ({"morning"} if start < noon else set()) | ({"afternoon"} if end > noon else set())


def _overlaps(a_start: str, a_end: str, b_start: str, b_end: str) -> bool:
    """Two spans of a day share a half-day (the unit a room is lent by)."""
    return bool(halves_used(a_start, a_end) & halves_used(b_start, b_end))


def closed(site: dict[str, Any], day: dt.date, start: str, end: str) -> bool:
    if not site["opening_hours"]:
        return False  # hours not stated: the organizer knows
    oh = opening_hours.OpeningHours(site["opening_hours"])
    begin = dt.datetime.combine(day, dt.time.fromisoformat(start))
    finish = dt.datetime.combine(day, dt.time.fromisoformat(end))
    return any(state != opening_hours.State.OPEN for _a, _b, state, _c in oh.intervals(begin, finish))


def obstacle(
    db: sqlite_utils.Database, room: dict[str, Any], r: dict[str, Any], exclude: int | None = None
) -> Problem | None:
    """Why the room cannot be lent on those dates (closed, a session, another request), or None."""
    site = queries.site(db, room["site"])
    assert site is not None
    days = dates_of(r["date"], r["until"])
    for day in days:
        if closed(site, day, r["start"], r["end"]):
            return Problem(
                409,
                "closed",
                N_("{site} est fermé le {date} de {start} à {end} (horaires : {hours})."),
                site=site["name"],
                date=day.isoformat(),
                start=r["start"],
                end=r["end"],
                hours=site["opening_hours"],
            )
    wanted = set(days)
    for o in queries.occurrences(db, days[0], days[-1], site=room["site"]):
        start, end = o["start"].strftime("%H:%M"), o["end"].strftime("%H:%M")
        if o["status"] != "cancelled" and o["room"] == room["name"] and o["start"].date() in wanted:
            if _overlaps(r["start"], r["end"], start, end):
                return Problem(
                    409,
                    "room_taken",
                    N_("La salle est prise le {date} par « {title} » ({start}–{end})."),
                    date=o["start"].date().isoformat(),
                    title=o["title"],
                    start=start,
                    end=end,
                )
    for other in _pending(db, room["id"]):
        if other["id"] != exclude and _overlaps(r["start"], r["end"], other["start_time"], other["end_time"]):
            common = wanted & set(dates_of(dt.date.fromisoformat(other["first_date"]), _date(other["until"])))
            if common:
                return Problem(
                    409,
                    "requested",
                    N_("Une autre demande attend déjà une réponse pour le {date} : « {title} » ({partner})."),
                    date=min(common).isoformat(),
                    title=other["title"],
                    partner=other["partner_name"] or "",
                )
    return None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _pending(db: sqlite_utils.Database, room_id: int) -> list[dict[str, Any]]:
    sql = """SELECT q.*, p.name AS partner_name FROM commons_room_requests q
             LEFT JOIN partners p ON p.id = q.partner_id WHERE q.room_id = ? AND q.state = 'pending'"""
    return [dict(x) for x in db.conn.execute(sql, (room_id,))]


def create(tx: Tx, room: dict[str, Any], r: dict[str, Any], partner_id: int | None, author_id: int | None) -> int:
    """A pending request, refused (409 with its reason) when the half-days are not free."""
    problem = obstacle(tx.db, room, r)
    if problem is not None:
        raise problem
    id = tx.execute(
        """INSERT INTO commons_room_requests (room_id, partner_id, author_id, title, kind, axis, first_date, until,
               start_time, end_time, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
        (
            room["id"],
            partner_id,
            author_id,
            r["title"],
            r["kind"],
            r["axis"],
            r["date"].isoformat(),
            r["until"].isoformat() if r["until"] else None,
            r["start"],
            r["end"],
            time.time(),
        ),
    ).fetchone()[0]
    tx.change(changes.ROOM_REQUESTS, changes.ROOM_REQUEST_CREATED, {"id": id, "site": room["site"]})
    return int(id)


def _load(tx: Tx, id: int, partner_id: int | None = None) -> dict[str, Any]:
    row = tx.execute(
        """SELECT q.*, p.key AS partner_key FROM commons_room_requests q LEFT JOIN partners p ON p.id = q.partner_id
           WHERE q.id = ?""",
        (id,),
    ).fetchone()
    if row is None or (partner_id is not None and row["partner_id"] != partner_id):
        raise Problem(404, "not_found", N_("Cette demande n'existe pas."))
    if row["state"] != "pending":
        raise Problem(409, "decided", N_("Cette demande a déjà reçu une réponse."))
    return dict(row)


def accept(tx: Tx, id: int, organizer_id: int | None) -> int:
    """The request becomes a session of the programme (weekly until its last date); returns its id."""
    q = _load(tx, id)
    room = queries.room(tx.db, q["room_id"])
    assert room is not None
    r = {"date": dt.date.fromisoformat(q["first_date"]), "until": _date(q["until"])}
    r |= {"start": q["start_time"], "end": q["end_time"]}
    problem = obstacle(tx.db, room, r, exclude=id)  # the programme may have changed since
    if problem is not None:
        raise problem
    fields = {"site": room["site"], "title": q["title"], "kind": q["kind"], "axis": q["axis"], "room": room["name"]}
    fields |= {"date": q["first_date"], "start": q["start_time"], "end": q["end_time"]}
    if q["until"] and q["until"] != q["first_date"]:
        fields["repeat"] = {"every": "weekly", "until": q["until"]}
    try:
        s = clean_session(fields)
    except Invalid as e:  # the request was checked when made; a renamed room could still fail here
        raise Problem(409, "invalid_session", N_("Cette demande ne peut plus devenir une séance.")) from e
    session_id, _outcome = store.save_session(tx, {**s, "partner": q["partner_key"] or "", "key": ""})
    tx.execute(
        "UPDATE commons_room_requests SET state = 'accepted', session_id = ?, decided = ?, decided_by = ? WHERE id = ?",
        (session_id, time.time(), organizer_id, id),
    )
    tx.change(changes.ROOM_REQUESTS, changes.ROOM_REQUEST_ACCEPTED, {"id": id, "session": session_id})
    return session_id


def refuse(tx: Tx, id: int, organizer_id: int | None, reason: str) -> None:
    _load(tx, id)
    tx.execute(
        "UPDATE commons_room_requests SET state = 'refused', reason = ?, decided = ?, decided_by = ? WHERE id = ?",
        (reason, time.time(), organizer_id, id),
    )
    tx.change(changes.ROOM_REQUESTS, changes.ROOM_REQUEST_REFUSED, {"id": id})


def withdraw(tx: Tx, id: int, partner_id: int) -> None:
    """A partner account takes back its own pending request."""
    _load(tx, id, partner_id)
    tx.execute("UPDATE commons_room_requests SET state = 'withdrawn', decided = ? WHERE id = ?", (time.time(), id))
    tx.change(changes.ROOM_REQUESTS, changes.ROOM_REQUEST_WITHDRAWN, {"id": id})


def listed(
    db: sqlite_utils.Database, *, partner_id: int | None = None, state: str | None = None, site: str | None = None
) -> list[dict[str, Any]]:
    """Requests, newest first: the row's columns plus room, site, site_name, partner_name, partner_key."""
    sql = """SELECT q.*, r.name AS room, sites.slug AS site, sites.name AS site_name,
                    p.name AS partner_name, p.key AS partner_key
             FROM commons_room_requests q JOIN rooms r ON r.id = q.room_id JOIN sites ON sites.id = r.site_id
             LEFT JOIN partners p ON p.id = q.partner_id WHERE 1 = 1"""
    params: list[Any] = []
    for column, value in (("q.partner_id", partner_id), ("q.state", state), ("sites.slug", site)):
        if value is not None:
            sql += f" AND {column} = ?"
            params.append(value)
    return [dict(x) for x in db.conn.execute(sql + " ORDER BY q.created DESC, q.id DESC", params)]


def booked_sessions(db: sqlite_utils.Database) -> set[int]:
    """The sessions that accepted half-day requests created (the dashboard counts their hours as gained)."""
    sql = "SELECT session_id FROM commons_room_requests WHERE state = 'accepted' AND session_id IS NOT NULL"
    return {r[0] for r in db.conn.execute(sql)}
