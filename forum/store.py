"""Forum writes: boards, notes and moderation, each one transaction with its bus changes.

Every function named `*_tx` runs on the writer thread (`await db.write(lambda tx: ...)`)
and records what live pages need:

- `board:{id}`, public: `note.published` (a note to show or update), `note.removed`
  (hidden, merged away or deleted), `board.updated`. Pending notes never go there.
- `moderation:{id}`, staff and the board's facilitator link: `note` (a note's full
  state, whatever its status), `note.deleted`, `board.updated`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
import unicodedata
from collections.abc import Iterable
from typing import Any

from events import changes as events_changes
from forum import changes, history, reads, trash, votes
from quartier.auth import same_secret
from quartier.db import Tx
from quartier.errors import Problem
from quartier.i18n import N_

MAX_TEXT = 280
MAX_AUTHOR = 40
KEY_DAYS = 7  # how long a note's Idempotency-Key is remembered (a tablet retries within minutes or hours)
MAX_TITLE = 120
MAX_PROMPT = 280
MAX_THEME_LABEL = 40
MAX_WHO = 80
SOURCES = ("tablet", "phone", "paper", "spoken")
RESIDENT_SOURCES = ("tablet", "phone")
MODERATION = ("pre", "post")
ACTIONS = ("publish", "hide", "edit", "move", "merge", "pin", "unpin", "decision", "action", "note", "delete")

# Join codes are read aloud and typed on phones: no 0/O, no 1/l/I.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 5

# The three service axes of the programme, then "other". Labels are French msgids.
DEFAULT_THEMES = [
    ("acces-libre", N_("Accès libre"), "acces-libre"),
    ("accompagnement", N_("Être accompagné"), "accompagnement"),
    ("droits", N_("Mes droits"), "droits"),
    ("autre", N_("Autre chose"), "autre"),
]
ICONS = ("acces-libre", "accompagnement", "droits", "autre", "idee")


# -- join codes and facilitator links


def normalize_code(raw: str) -> str:
    """What a resident typed, as a code: upper case, without spaces or dashes."""
    return re.sub(r"[\s\-.]", "", raw or "").upper()[:16]


def new_code(taken: Iterable[str] = ()) -> str:
    taken = set(taken)
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            return code


def facilitator_key(secret_key: str, board_id: int, salt: str) -> str:
    """The secret of a board's facilitator link; never stored, recomputed from the server secret."""
    mac = hmac.new(secret_key.encode(), f"forum-facilitator:{board_id}:{salt}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def kiosk_key(secret_key: str, board_id: int, salt: str) -> str:
    """The secret of a board's voting tablet link: it hands out voter turns, and nothing else."""
    mac = hmac.new(secret_key.encode(), f"forum-kiosk:{board_id}:{salt}".encode(), hashlib.sha256)
    return mac.hexdigest()[:24]


def kiosk_ok(secret_key: str, board: dict[str, Any] | None, key: str | None) -> bool:
    if not board or not key or len(key) > 64:
        return False
    return same_secret(kiosk_key(secret_key, board["id"], board["link_salt"]), key)


def key_ok(secret_key: str, board: dict[str, Any] | None, key: str | None) -> bool:
    if not board or not key or len(key) > 64:
        return False
    return same_secret(facilitator_key(secret_key, board["id"], board["link_salt"]), key)


# -- blocklist


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def blocked_word(text: str, blocklist: Iterable[str]) -> str | None:
    """The first blocklisted word or phrase found in text (case and accents ignored), or None."""
    folded = _fold(text)
    for word in blocklist:
        w = _fold(word.strip())
        if w and re.search(rf"(?<!\w){re.escape(w)}(?!\w)", folded):
            return word
    return None


# -- boards


def slug_of(label: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", _fold(label)).strip("-")
    return s[:40] or "theme"


def create_board_tx(
    tx: Tx,
    *,
    title: str,
    prompt: str = "",
    moderation: str = "pre",
    site: str | None = None,
    session_id: int | None = None,
    now: float | None = None,
    themes: list[dict[str, str]] | None = None,
    forum_id: int | None = None,
) -> dict[str, Any]:
    """A new open board with the default themes (or a forum's); returns {"id", "code"}."""
    now = time.time() if now is None else now
    taken = [r[0] for r in tx.execute("SELECT code FROM forum_boards")]
    code = new_code(taken)
    board_id = tx.execute(
        "INSERT INTO forum_boards (code, title, prompt, moderation, site, session_id, link_salt, created, forum_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (code, title, prompt, moderation, site, session_id, secrets.token_hex(8), now, forum_id),
    ).fetchone()[0]
    chosen = [(t["slug"], t["label"], t["icon"]) for t in themes] if themes else DEFAULT_THEMES
    for position, (slug, label, icon) in enumerate(chosen):
        tx.execute(
            "INSERT INTO forum_themes (board_id, slug, label, icon, position) VALUES (?, ?, ?, ?, ?)",
            (board_id, slug, label, icon, position),
        )
    _board_changed(tx, board_id)  # a board opening is news too (lobby screens at its site show its wall)
    return {"id": board_id, "code": code}


def _open_board(tx: Tx, board_id: int) -> dict[str, Any]:
    board = reads.board(tx.db, board_id)
    if board is None:
        raise Problem(404, "not_found", N_("Ce tableau n'existe pas."))
    if board["state"] != "open":
        raise Problem(409, "board_closed", N_("Ce tableau est fermé : on ne peut plus le modifier."))
    return board


def _known(row: dict[str, Any] | None) -> dict[str, Any]:
    """A board or note this transaction has just found or written: it exists."""
    assert row is not None, "read in the same transaction that checked or wrote it"
    return row


def _board_changed(tx: Tx, board_id: int) -> None:
    """A board opened, closed or changed: its wall and console hear it, and so does its site's
    channel (the site's pages and lobby screens show the boards running there)."""
    data = reads.public_board(_known(reads.board(tx.db, board_id)))
    tx.change(changes.board_channel(board_id), changes.BOARD_UPDATED, data)
    tx.change(changes.moderation_channel(board_id), changes.BOARD_UPDATED, data)
    if data["site"]:
        tx.change(events_changes.site_channel(data["site"]), changes.BOARD_UPDATED, data)


def set_state_tx(tx: Tx, board_id: int, state: str) -> None:
    if reads.board(tx.db, board_id) is None:
        raise Problem(404, "not_found", N_("Ce tableau n'existe pas."))
    tx.execute("UPDATE forum_boards SET state = ? WHERE id = ?", (state, board_id))
    _board_changed(tx, board_id)


def set_themes_tx(tx: Tx, board_id: int, labels: dict[str, str], new_label: str = "") -> None:
    """Rename themes (slug -> label; an empty label keeps the old one) and maybe add one."""
    board = _open_board(tx, board_id)
    slugs = {t["slug"] for t in board["themes"]}
    for slug, label in labels.items():
        if slug in slugs and label:
            tx.execute("UPDATE forum_themes SET label = ? WHERE board_id = ? AND slug = ?", (label, board_id, slug))
    if new_label:
        slug, n = slug_of(new_label), 2
        base = slug
        while slug in slugs:
            slug, n = f"{base}-{n}", n + 1
        tx.execute(
            "INSERT INTO forum_themes (board_id, slug, label, icon, position) VALUES (?, ?, ?, 'idee', ?)",
            (board_id, slug, new_label, len(slugs)),
        )
    _board_changed(tx, board_id)


def new_link_tx(tx: Tx, board_id: int) -> None:
    """A new facilitator link: the old one stops working at once."""
    tx.execute("UPDATE forum_boards SET link_salt = ? WHERE id = ?", (secrets.token_hex(8), board_id))


# -- notes


def _emit(tx: Tx, note_id: int, was_public: bool) -> None:
    note = _known(reads.note(tx.db, note_id))
    board = note["board_id"]
    tx.change(changes.moderation_channel(board), changes.NOTE, reads.moderation_view(note))
    if note["status"] == "published":
        tx.change(changes.board_channel(board), changes.NOTE_PUBLISHED, reads.public_note(note))
    elif was_public:
        tx.change(changes.board_channel(board), changes.NOTE_REMOVED, {"id": note_id})
    if was_public:  # what the history and the vote results said of it must say what is true now
        history.rewrite_note(tx, board, note_id)


def _theme_of(board: dict[str, Any], theme: str | None) -> str:
    slugs = [t["slug"] for t in board["themes"]]
    if not theme:
        return "autre" if "autre" in slugs else slugs[0]
    if theme not in slugs:
        raise Problem(422, "invalid_theme", N_("Ce thème n'existe pas sur ce tableau."))
    return theme


def post_note_tx(
    tx: Tx,
    board_id: int,
    *,
    text: str,
    theme: str | None = None,
    author: str = "",
    source: str,
    blocklist: Iterable[str] = (),
    trusted: bool = False,
    now: float | None = None,
    key: str | None = None,
) -> dict[str, Any]:
    """A new note. Residents' notes wait in pre-moderation or when a blocklisted word is in them;
    notes typed in by a facilitator (`trusted`) are published at once. With an idempotency `key`
    already seen on this board, nothing is written and the first answer comes back (`replayed`)."""
    now = time.time() if now is None else now
    if key:
        first = tx.execute(
            "SELECT note_id, status FROM forum_note_keys WHERE board_id = ? AND key = ?", (board_id, key)
        ).fetchone()
        if first:
            return {"id": first["note_id"], "status": first["status"], "replayed": True}
    board = _open_board(tx, board_id)
    theme = _theme_of(board, theme)
    held = None
    if trusted:
        status = "published"
    else:
        word = blocked_word(f"{text} {author}", blocklist)
        if word:
            held = "blocklist"
        status = "pending" if (board["moderation"] == "pre" or held) else "published"
    note_id = tx.execute(
        "INSERT INTO forum_notes (board_id, theme, text, author, source, status, held, created, published, updated) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (board_id, theme, text, author, source, status, held, now, now if status == "published" else None, now),
    ).fetchone()[0]
    _emit(tx, note_id, was_public=False)
    trash.purge_tx(tx, now)  # a busy board forgets its deleted notes soon after their undo window
    if key:
        tx.execute("DELETE FROM forum_note_keys WHERE created < ?", (now - KEY_DAYS * 86400,))
        tx.execute(
            "INSERT INTO forum_note_keys (board_id, key, note_id, status, created) VALUES (?, ?, ?, ?, ?)",
            (board_id, key, note_id, status, now),
        )
    return {"id": note_id, "status": status}


def moderate_tx(tx: Tx, note_id: int, action: str, args: dict[str, Any], now: float | None = None) -> dict[str, Any]:
    """Apply one moderation action; returns the note's moderation view (or {"id", "deleted"})."""
    note = reads.note(tx.db, note_id)
    result = _moderate_tx(tx, note_id, action, args, now)
    if note and action in ("merge", "delete", "hide", "publish"):
        # During a vote the wall's counts follow merges (sums kept) and removals.
        votes.after_moderation_tx(tx, note["board_id"])
    return result


def _moderate_tx(tx: Tx, note_id: int, action: str, args: dict[str, Any], now: float | None = None) -> dict[str, Any]:
    now = time.time() if now is None else now
    note = reads.note(tx.db, note_id)
    if note is None:
        raise Problem(404, "not_found", N_("Cette note n'existe pas."))
    board = _open_board(tx, note["board_id"])
    was_public = note["status"] == "published"

    def update(sql: str, params: tuple = ()) -> None:
        tx.execute(f"UPDATE forum_notes SET {sql}, updated = ? WHERE id = ?", (*params, now, note_id))

    if action == "publish":
        if note["status"] == "merged":
            raise Problem(409, "merged", N_("Cette note a été regroupée avec une autre."))
        update("status = 'published', held = NULL, published = coalesce(published, ?)", (now,))
    elif action == "hide":
        if note["status"] == "merged":
            raise Problem(409, "merged", N_("Cette note a été regroupée avec une autre."))
        update("status = 'hidden'")
    elif action == "edit":
        update("text = ?", (args["text"],))
    elif action == "move":
        update("theme = ?", (_theme_of(board, args["theme"]),))
    elif action in ("pin", "unpin"):
        update("pinned = ?", (1 if action == "pin" else 0,))
    elif action in ("decision", "note"):
        update("kind = ?, action_who = NULL, action_due = NULL", (action,))
    elif action == "action":
        update("kind = 'action', action_who = ?, action_due = ?", (args.get("who") or None, args.get("due") or None))
    elif action == "merge":
        return _merge(tx, note, args["into"], was_public, now)
    elif action == "delete":
        return trash.delete_tx(tx, note, was_public, now)
    else:  # pragma: no cover - callers check the action first
        raise ValueError(action)
    _emit(tx, note_id, was_public)
    return reads.moderation_view(_known(reads.note(tx.db, note_id)))


def _merge(tx: Tx, note: dict[str, Any], into_id: int, was_public: bool, now: float) -> dict[str, Any]:
    """Merge a note into another of its board; the counts are kept (what it stood for now counts there)."""
    note_id = note["id"]
    into = reads.note(tx.db, into_id)
    if into is None or into["board_id"] != note["board_id"] or into["id"] == note_id:
        raise Problem(422, "invalid_merge", N_("Choisissez une autre note du même tableau."))
    if into["status"] == "merged":
        into = reads.note(tx.db, into["merged_into"]) or into
    children = [r[0] for r in tx.execute("SELECT id FROM forum_notes WHERE merged_into = ?", (note_id,))]
    tx.execute("UPDATE forum_notes SET merged_into = ?, updated = ? WHERE merged_into = ?", (into["id"], now, note_id))
    tx.execute(
        "UPDATE forum_notes SET status = 'merged', merged_into = ?, pinned = 0, updated = ? WHERE id = ?",
        (into["id"], now, note_id),
    )
    for child in children:
        child_view = reads.moderation_view(_known(reads.note(tx.db, child)))
        tx.change(changes.moderation_channel(note["board_id"]), changes.NOTE, child_view)
    _emit(tx, note_id, was_public)
    _emit(tx, into["id"], into["status"] == "published")
    return reads.moderation_view(_known(reads.note(tx.db, note_id)))


def purge_notes_tx(tx: Tx, board_id: int) -> None:
    """Retention: delete a board's plain notes (their dots with them) and the first names left on it.

    Decisions and actions, the record of what the group decided, stay without their authors'
    first names; frozen vote results lose the names too. The wall hears each removal.
    """
    for (note_id,) in tx.execute(
        "SELECT id FROM forum_notes WHERE board_id = ? AND kind = 'note' AND status = 'published'", (board_id,)
    ).fetchall():
        tx.change(changes.board_channel(board_id), changes.NOTE_REMOVED, {"id": note_id})
    tx.execute("UPDATE forum_notes SET merged_into = NULL WHERE board_id = ? AND kind != 'note'", (board_id,))
    tx.execute("DELETE FROM forum_notes WHERE board_id = ? AND kind = 'note'", (board_id,))
    tx.execute("DELETE FROM forum_deleted_notes WHERE board_id = ?", (board_id,))
    tx.execute("UPDATE forum_notes SET author = '' WHERE board_id = ?", (board_id,))
    for rid, results in tx.execute(
        "SELECT id, results FROM forum_rounds WHERE board_id = ? AND results IS NOT NULL", (board_id,)
    ).fetchall():
        ranking = [{**x, "author": ""} for x in json.loads(results)]
        tx.execute("UPDATE forum_rounds SET results = ? WHERE id = ?", (json.dumps(ranking, ensure_ascii=False), rid))
    history.rewrite_board(tx, board_id)  # the changes table forgets the texts and names too
