"""Posting a note: the limits that stop floods, the checks a resident's text goes through, the write.

Posting limits, (per minute, burst), from the settings forum_notes_per_minute*.
A shared tablet is many people, one after the other: a person needs more than 20 s to
write a note, so 10 a minute per device stops floods, not people. A whole centre shares
one Wi-Fi address: the per-address cap is generous. Clients that never keep the device
cookie share their address's device-sized bucket.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from forum import store
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.inputs import Fields
from quartier.settings import Settings
from quartier.templates import render
from quartier.typedefs import DB, DEVICE, LIMITER, NEW_DEVICE, SETTINGS
from quartier.web import redirect


def limits(settings: Settings) -> dict[str, tuple[int, int]]:
    device = settings.forum_notes_per_minute
    board = settings.forum_notes_per_minute_board
    address = settings.forum_notes_per_minute_address
    return {
        "device": (device, device),
        "cookieless": (device, device),
        "board": (board, max(1, board // 2)),
        "address": (address, max(1, address // 3)),
    }


async def enforce_limits(request: web.Request, board_id: int) -> None:
    limiter = request.app[LIMITER]
    limit = limits(request.app[SETTINGS])
    device = f"forum-nocookie:{request.remote}" if request[NEW_DEVICE] else f"forum-device:{request[DEVICE]}"
    per_device = limit["cookieless"] if request[NEW_DEVICE] else limit["device"]
    await limiter.enforce(
        [
            (device, *per_device),
            (f"forum-board:{board_id}", *limit["board"]),
            (f"forum-address:{request.remote}", *limit["address"]),
        ],
        N_("Beaucoup de notes en peu de temps : attendez {seconds} secondes, puis envoyez à nouveau."),
    )


TYPED_SOURCES = ("paper", "spoken")  # notes a facilitator types in (store.RESIDENT_SOURCES: residents)

# What a resident reads about a note that cannot go up, and the API's codes for it.
NOTE_SAYS = {
    "required": N_("La note est vide : écrivez quelques mots."),
    "text": N_("La note doit être du texte."),
    "too_long": N_("La note est trop longue : {count} caractères, {max} au plus."),
}
NOTE_CODES = {"required": "empty_note"}
AUTHOR_SAYS = {
    "text": N_("Le prénom et le thème doivent être du texte."),
    "too_long": N_("Le prénom est trop long : {max} caractères au plus."),
}


def note_input(data: Any) -> dict[str, Any]:
    """Text, theme and author of a note from JSON or a form, with messages a resident understands."""
    f = Fields(data)
    return {
        "text": f.text(
            "text", max_length=store.MAX_TEXT, required=True, multiline=True, message=NOTE_SAYS, code=NOTE_CODES
        ),
        "theme": f.text("theme", max_length=80, message={"text": AUTHOR_SAYS["text"]}) or None,
        "author": f.text("author", max_length=store.MAX_AUTHOR, message=AUTHOR_SAYS),
    }


KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def idempotency_key(request: web.Request) -> str | None:
    """The `Idempotency-Key` header a tablet's queue sends with each note (a UUID), or None."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not KEY_RE.match(key):
        raise Problem(422, "invalid_key", N_("L'en-tête Idempotency-Key compte de 8 à 64 lettres, chiffres ou tirets."))
    return key


async def post_note(
    request: web.Request, board_id: int, data: Any, source: str, trusted: bool = False, key: str | None = None
) -> dict:
    fields = note_input(data)
    if not trusted:
        await enforce_limits(request, board_id)
    blocklist = request.app[SETTINGS].forum_blocklist
    return await request.app[DB].write(
        lambda tx: store.post_note_tx(
            tx, board_id, source=source, blocklist=blocklist, trusted=trusted, key=key, **fields
        )
    )


def message_of(p: Problem) -> str:
    return _(p.message).format(**p.params) if p.params else _(p.message)


async def posting_page(
    request: web.Request, board: dict, template: str, extra: dict | None = None, status: int = 200
) -> web.Response:
    ctx = {
        "board": board,
        "max_text": store.MAX_TEXT,
        "max_author": store.MAX_AUTHOR,
        "sent": request.query.get("sent"),
        **(extra or {}),
    }
    return render(request, template, ctx, status=status)


async def form_post(request: web.Request, board: dict, source: str, template: str, back: str) -> web.Response:
    form = await request.post()
    try:
        created = await post_note(request, board["id"], form, source)
    except Problem as p:
        if p.status == 404:
            raise
        response = await posting_page(
            request,
            board,
            template,
            {
                "error": message_of(p),
                "text": str(form.get("text", ""))[:2000],
                "author": str(form.get("author", ""))[:100],
                "theme": str(form.get("theme", "")),
            },
            status=p.status,
        )
        for k, v in p.headers.items():
            response.headers[k] = v
        return response
    return redirect(f"{back}?sent={created['status']}")
