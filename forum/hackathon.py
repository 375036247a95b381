"""Hackathon mode (*hackathon social*): challenges, teams, progress boards, pitches, a final vote.

Everything reuses the forum: each team's progress board is a forum board (with its
wall, tablet and phone pages), and the hackathon's *pitch board* holds one note per
team, so the final vote across teams is an ordinary dot-voting round on it.

Challenges are created by staff or promoted from a forum note (kept as `note_id`, a
link back). Teams have a name, a challenge and members' first names only; anyone can
join one from their phone (one team per device and hackathon). The pitch schedule is
an ordered list of slots of `pitch_minutes` from `pitch_start`, which staff set by hand
or from the hackathon's programme session.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from typing import Any

import sqlite_utils

from forum import changes, reads, store, votes
from quartier.db import Tx
from quartier.errors import Problem
from quartier.i18n import N_

MAX_NAME = 60
MAX_TITLE = 120
MAX_DESCRIPTION = 600
MAX_BUILT = 600
MAX_FIRST_NAME = 30


def member_device(device: str) -> str:
    return hashlib.sha256(f"forum-team:{device}".encode()).hexdigest()[:32]


# -- reads


def hackathon(db: sqlite_utils.Database, hackathon_id: int) -> dict[str, Any] | None:
    """A hackathon with its challenges, teams (members' first names), pitch slots and final rounds."""
    row = db.conn.execute("SELECT * FROM forum_hackathons WHERE id = ?", (hackathon_id,)).fetchone()
    if row is None:
        return None
    h = dict(row)
    h["board"] = reads.board(db, h["board_id"])
    h["challenges"] = challenges(db, hackathon_id)
    h["teams"] = teams(db, hackathon_id)
    h["slots"] = slots(h)
    h["rounds"] = votes.rounds(db, h["board_id"])
    h["voting"] = votes.current_round(db, h["board_id"])
    return h


def hackathons(db: sqlite_utils.Database, site: str | None = None) -> list[dict[str, Any]]:
    sql = "SELECT * FROM forum_hackathons" + (" WHERE site = ?" if site else "") + " ORDER BY created DESC, id DESC"
    return [dict(r) for r in db.conn.execute(sql, (site,) if site else ())]


def challenges(db: sqlite_utils.Database, hackathon_id: int) -> list[dict[str, Any]]:
    rows = db.conn.execute(
        "SELECT c.*, n.text AS note_text, n.board_id AS note_board FROM forum_challenges c "
        "LEFT JOIN forum_notes n ON n.id = c.note_id WHERE c.hackathon_id = ? ORDER BY c.id",
        (hackathon_id,),
    )
    return [dict(r) for r in rows]


def teams(db: sqlite_utils.Database, hackathon_id: int) -> list[dict[str, Any]]:
    """Teams in pitch order, each with its challenge's title, its members' first names and its board's code."""
    rows = db.conn.execute(
        "SELECT t.*, c.title AS challenge, b.code AS board_code FROM forum_teams t "
        "LEFT JOIN forum_challenges c ON c.id = t.challenge_id JOIN forum_boards b ON b.id = t.board_id "
        "WHERE t.hackathon_id = ? ORDER BY t.position, t.id",
        (hackathon_id,),
    )
    out = []
    for r in rows:
        t = dict(r)
        t["members"] = [
            m[0]
            for m in db.conn.execute("SELECT first_name FROM forum_members WHERE team_id = ? ORDER BY id", (t["id"],))
        ]
        out.append(t)
    return out


def team(db: sqlite_utils.Database, team_id: int) -> dict[str, Any] | None:
    row = db.conn.execute("SELECT * FROM forum_teams WHERE id = ?", (team_id,)).fetchone()
    return dict(row) if row else None


def slots(h: dict[str, Any]) -> list[dict[str, Any]]:
    """The pitch schedule: one slot per team in order, with start and end (epoch seconds) when set."""
    out = []
    for i, t in enumerate(h["teams"]):
        starts = h["pitch_start"] + i * h["pitch_minutes"] * 60 if h["pitch_start"] else None
        out.append(
            {
                "team": t["id"],
                "name": t["name"],
                "challenge": t["challenge"],
                "position": i + 1,
                "starts": starts,
                "ends": starts + h["pitch_minutes"] * 60 if starts else None,
            }
        )
    return out


def current_pitches(db: sqlite_utils.Database, site: str, now: dt.datetime | float) -> list[dict[str, Any]]:
    """For a lobby screen: each hackathon of the site whose pitches are on now or later today,
    with its `current` and `next` slot ({team, name, challenge, position, starts, ends}, or None).

    Times are epoch seconds; a screen keeps the slots and recomputes "now / next" itself.
    """
    ts = now.timestamp() if isinstance(now, dt.datetime) else float(now)
    out = []
    for row in hackathons(db, site):
        if not row["pitch_start"]:
            continue
        h = hackathon(db, row["id"])
        assert h is not None
        schedule = [s for s in h["slots"] if s["starts"] is not None]
        if not schedule or schedule[-1]["ends"] <= ts or schedule[0]["starts"] - ts > 12 * 3600:
            continue
        current = next((s for s in schedule if s["starts"] <= ts < s["ends"]), None)
        upcoming = next((s for s in schedule if s["starts"] > ts), None)
        out.append(
            {
                "hackathon": {"id": h["id"], "title": h["title"], "site": h["site"]},
                "current": current,
                "next": upcoming,
                "slots": schedule,
            }
        )
    return out


def results(db: sqlite_utils.Database, hackathon_id: int) -> dict[str, Any] | None:
    """The results page's data: challenges with their teams, what each built, and the final vote's dots."""
    h = hackathon(db, hackathon_id)
    if h is None:
        return None
    final = next((r for r in reversed(h["rounds"])), None)
    dots = {row["note"]: row["votes"] for row in final["ranking"]} if final else {}
    for t in h["teams"]:
        t["votes"] = dots.get(t["pitch_note"], 0) if final else None
    ranked = sorted(h["teams"], key=lambda t: (-(t["votes"] or 0), t["position"]))
    by_challenge = []
    for c in h["challenges"]:
        by_challenge.append({**c, "teams": [t for t in ranked if t["challenge_id"] == c["id"]]})
    loose = [t for t in ranked if t["challenge_id"] is None]
    return {**h, "final": final, "ranked": ranked, "by_challenge": by_challenge, "loose": loose}


# -- writes


def create_hackathon_tx(
    tx: Tx,
    *,
    title: str,
    site: str | None = None,
    session_id: int | None = None,
    pitch_minutes: int = 5,
    now: float | None = None,
) -> int:
    """A hackathon and its pitch board (one note per team: the final vote is a round on it)."""
    now = time.time() if now is None else now
    board = store.create_board_tx(
        tx,
        title=f"Pitchs : {title}"[: store.MAX_TITLE],
        prompt="Quelle solution vous a convaincu ?",
        moderation="post",
        site=site,
        session_id=session_id,
        now=now,
    )
    return tx.execute(
        "INSERT INTO forum_hackathons (title, site, session_id, board_id, pitch_minutes, created) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        (title, site, session_id, board["id"], pitch_minutes, now),
    ).fetchone()[0]


def _hackathon_row(tx: Tx, hackathon_id: int) -> dict[str, Any]:
    row = tx.execute("SELECT * FROM forum_hackathons WHERE id = ?", (hackathon_id,)).fetchone()
    if row is None:
        raise Problem(404, "not_found", N_("Ce hackathon n'existe pas."))
    return dict(row)


def add_challenge_tx(
    tx: Tx,
    hackathon_id: int,
    *,
    title: str = "",
    description: str = "",
    note_id: int | None = None,
    now: float | None = None,
) -> int:
    """A challenge, typed by staff or promoted from a forum note (its text is the default title)."""
    now = time.time() if now is None else now
    _hackathon_row(tx, hackathon_id)
    if note_id is not None:
        note = reads.note(tx.db, note_id)
        if note is None:
            raise Problem(422, "invalid_note", N_("Cette note n'existe pas."))
        title = title or note["text"][:MAX_TITLE]
    if not title:
        raise Problem(422, "missing_field", N_("Donnez un titre au défi."))
    return tx.execute(
        "INSERT INTO forum_challenges (hackathon_id, title, description, note_id, created) VALUES (?, ?, ?, ?, ?) RETURNING id",
        (hackathon_id, title, description, note_id, now),
    ).fetchone()[0]


def add_team_tx(tx: Tx, hackathon_id: int, *, name: str, challenge_id: int | None, now: float | None = None) -> int:
    """A team: its progress board (a forum board) and its note on the pitch board."""
    now = time.time() if now is None else now
    h = _hackathon_row(tx, hackathon_id)
    if not name:
        raise Problem(422, "missing_field", N_("Donnez un nom à l'équipe."))
    if tx.execute(
        "SELECT 1 FROM forum_teams WHERE hackathon_id = ? AND name = ? COLLATE NOCASE", (hackathon_id, name)
    ).fetchone():
        raise Problem(409, "team_exists", N_("Une équipe porte déjà ce nom."))
    challenge = None
    if challenge_id is not None:
        challenge = tx.execute(
            "SELECT * FROM forum_challenges WHERE id = ? AND hackathon_id = ?", (challenge_id, hackathon_id)
        ).fetchone()
        if challenge is None:
            raise Problem(422, "invalid_challenge", N_("Choisissez un défi de ce hackathon."))
    board = store.create_board_tx(
        tx,
        title=f"{name} : avancement"[: store.MAX_TITLE],
        prompt="Où en est l'équipe ? Idées, essais, ce qui marche.",
        moderation="post",
        site=h["site"],
        session_id=h["session_id"],
        now=now,
    )
    pitch_text = f"{name} — {challenge['title']}" if challenge else name
    note = store.post_note_tx(
        tx, h["board_id"], text=pitch_text[: store.MAX_TEXT], source="paper", trusted=True, now=now
    )
    position = tx.execute(
        "SELECT coalesce(max(position), 0) + 1 FROM forum_teams WHERE hackathon_id = ?", (hackathon_id,)
    ).fetchone()[0]
    team_id: int = tx.execute(
        "INSERT INTO forum_teams (hackathon_id, challenge_id, name, board_id, pitch_note, position, created) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (hackathon_id, challenge_id, name, board["id"], note["id"], position, now),
    ).fetchone()[0]
    tx.change(changes.hackathon_channel(hackathon_id), changes.PITCHES_CHANGED)
    return team_id


def join_team_tx(tx: Tx, team_id: int, *, first_name: str, device: str, now: float | None = None) -> dict[str, Any]:
    """A resident joins a team from their phone; a device is in one team per hackathon (joining moves it)."""
    now = time.time() if now is None else now
    t = team(tx.db, team_id)
    if t is None:
        raise Problem(404, "not_found", N_("Cette équipe n'existe pas."))
    tx.execute(
        "DELETE FROM forum_members WHERE device = ? AND team_id IN (SELECT id FROM forum_teams WHERE hackathon_id = ?)",
        (device, t["hackathon_id"]),
    )
    tx.execute(
        "INSERT INTO forum_members (team_id, first_name, device, created) VALUES (?, ?, ?, ?)",
        (team_id, first_name, device, now),
    )
    return t


def set_built_tx(tx: Tx, team_id: int, built: str) -> None:
    if team(tx.db, team_id) is None:
        raise Problem(404, "not_found", N_("Cette équipe n'existe pas."))
    tx.execute("UPDATE forum_teams SET built = ? WHERE id = ?", (built, team_id))


def set_pitches_tx(
    tx: Tx, hackathon_id: int, *, start: float | None, minutes: int, order: list[int] | None = None
) -> None:
    """Set the pitch schedule: first start, minutes per pitch, and optionally the teams' order."""
    _hackathon_row(tx, hackathon_id)
    tx.execute(
        "UPDATE forum_hackathons SET pitch_start = ?, pitch_minutes = ? WHERE id = ?", (start, minutes, hackathon_id)
    )
    if order:
        ids = [r[0] for r in tx.execute("SELECT id FROM forum_teams WHERE hackathon_id = ?", (hackathon_id,))]
        ranked = [i for i in order if i in ids] + [i for i in ids if i not in order]
        for position, team_id in enumerate(ranked, 1):
            tx.execute("UPDATE forum_teams SET position = ? WHERE id = ?", (position, team_id))
    tx.change(changes.hackathon_channel(hackathon_id), changes.PITCHES_CHANGED)


def session_pitch_start(occurrence: dict[str, Any], teams_count: int, minutes: int) -> float:
    """Pitches fill the end of the programme session's occurrence: the last one ends with it."""
    return occurrence["end"].timestamp() - teams_count * minutes * 60
