"""Forum pages and API: thin handlers around forum.store (writes) and forum.queries (reads)."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

from aiohttp import web

from events import queries as programme
from forum import queries, store, votes
from quartier.api import clean_text, path_int, read_json
from quartier.bus import last_seq_in
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.pagecache import cached_page
from quartier.routing import PUBLIC, STAFF, Routes, check
from quartier.settings import Settings
from quartier.templates import public_url, render
from quartier.typedefs import DB, DEVICE, LIMITER, NEW_DEVICE, SETTINGS, USER
from quartier.web import redirect

routes = Routes()

# Posting limits, (per minute, burst), from the settings forum_notes_per_minute*.
# A shared tablet is many people, one after the other: a person needs more than 20 s to
# write a note, so 10 a minute per device stops floods, not people. A whole centre shares
# one Wi-Fi address: the per-address cap is generous. Clients that never keep the device
# cookie share their address's device-sized bucket.


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


SITE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")

# -- access: staff, or the board's facilitator link (?key=...)


async def _board_link(request: web.Request) -> bool:
    key = request.query.get("key")
    raw = request.match_info.get("id", "")
    if not key or not raw.isdigit() or len(raw) > 18:
        return False
    board = await request.app[DB].read(lambda d: queries.board(d, int(raw)))
    return store.key_ok(request.app[SETTINGS].secret_key, board, key)


async def _note_link(request: web.Request) -> bool:
    key = request.query.get("key")
    raw = request.match_info.get("id", "")
    if not key or not raw.isdigit() or len(raw) > 18:
        return False

    def read(d: Any) -> dict | None:
        note = queries.note(d, int(raw))
        return queries.board(d, note["board_id"]) if note else None

    board = await request.app[DB].read(read)
    return store.key_ok(request.app[SETTINGS].secret_key, board, key)


async def _channel_link(request: web.Request) -> bool:
    """On /ws: every moderation:{id} channel asked for must match the key."""
    key = request.query.get("key")
    ids = [c.split(":", 1)[1] for c in request.query.get("channels", "").split(",") if c.startswith("moderation:")]
    if not key or not ids or not all(i.isdigit() and len(i) <= 18 for i in ids):
        return False
    secret = request.app[SETTINGS].secret_key
    boards = await request.app[DB].read(lambda d: [queries.board(d, int(i)) for i in ids])
    return all(store.key_ok(secret, b, key) for b in boards)


BOARD_FACILITATOR = STAFF | check("facilitator_link", _board_link)
NOTE_FACILITATOR = STAFF | check("facilitator_link", _note_link)
CHANNEL_FACILITATOR = STAFF | check("facilitator_link", _channel_link)


def _key(request: web.Request) -> str | None:
    """The facilitator link's key to carry on, only when it is valid (the access check passed)."""
    return None if request.get(USER) else request.query.get("key")


# -- helpers


async def _board_or_404(request: web.Request, board_id: int) -> dict[str, Any]:
    return await _read_of_board(request, board_id, lambda d: queries.board(d, board_id))


async def _read_of_board(request: web.Request, board_id: int, fn: Any) -> Any:
    """fn(db) read in the same snapshot as the board's existence; 404 when there is no such board."""

    def read(d: Any) -> Any:
        return fn(d) if queries.board(d, board_id) else None

    found = await request.app[DB].read(read)
    if found is None:
        raise Problem(404, "not_found", N_("Ce tableau n'existe pas."))
    return found


def _limit(request: web.Request, board_id: int) -> None:
    limiter = request.app[LIMITER]
    limit = limits(request.app[SETTINGS])
    device = f"forum-nocookie:{request.remote}" if request[NEW_DEVICE] else f"forum-device:{request[DEVICE]}"
    per_device = limit["cookieless"] if request[NEW_DEVICE] else limit["device"]
    limiter.enforce(
        [
            (device, *per_device),
            (f"forum-board:{board_id}", *limit["board"]),
            (f"forum-address:{request.remote}", *limit["address"]),
        ],
        N_("Beaucoup de notes en peu de temps : attendez {seconds} secondes, puis envoyez à nouveau."),
    )


def note_input(data: Any) -> dict[str, Any]:
    """Text, theme and author of a note from JSON or a form, with messages a resident understands."""
    text = data.get("text") if hasattr(data, "get") else None
    if text is not None and not isinstance(text, str):
        raise Problem(422, "invalid_field", N_("La note doit être du texte."))
    text = clean_text(text or "")
    if not text:
        raise Problem(422, "empty_note", N_("La note est vide : écrivez quelques mots."))
    if len(text) > store.MAX_TEXT:
        raise Problem(
            422,
            "too_long",
            N_("La note est trop longue : {count} caractères, {max} au plus."),
            count=len(text),
            max=store.MAX_TEXT,
        )
    author = data.get("author") or ""
    theme = data.get("theme") or None
    if not isinstance(author, str) or (theme is not None and not isinstance(theme, str)):
        raise Problem(422, "invalid_field", N_("Le prénom et le thème doivent être du texte."))
    author = clean_text(author)
    if len(author) > store.MAX_AUTHOR:
        raise Problem(422, "too_long", N_("Le prénom est trop long : {max} caractères au plus."), max=store.MAX_AUTHOR)
    return {"text": text, "theme": theme, "author": author}


async def _post(request: web.Request, board_id: int, data: Any, source: str, trusted: bool = False) -> dict:
    fields = note_input(data)
    if not trusted:
        _limit(request, board_id)
    blocklist = request.app[SETTINGS].forum_blocklist
    return await request.app[DB].write(
        lambda tx: store.post_note_tx(tx, board_id, source=source, blocklist=blocklist, trusted=trusted, **fields)
    )


def _message(p: Problem) -> str:
    return _(p.message).format(**p.params) if p.params else _(p.message)


def hhmm(ts: float | None, request: web.Request) -> str:
    if not ts:
        return ""
    return dt.datetime.fromtimestamp(ts, request.app[SETTINGS].tz).strftime("%H:%M")


def _links(request: web.Request, board: dict[str, Any]) -> dict[str, str]:
    router = request.app.router
    console = (
        router["forum_console"]
        .url_for(id=str(board["id"]))
        .with_query(key=store.facilitator_key(request.app[SETTINGS].secret_key, board["id"], board["link_salt"]))
    )
    return {
        "join": str(router["forum_phone"].url_for(code=board["code"])),
        "join_public": public_url(request, str(router["forum_phone"].url_for(code=board["code"]))),
        "console_with_key": str(console),
        "console_public": public_url(request, str(console)),
    }


# -- JSON API


@routes.get("/api/v1/boards", name="api_boards", access=PUBLIC)
async def api_boards(request: web.Request) -> web.Response:
    site = request.query.get("site") or None
    state = request.query.get("state") or None
    if state not in (None, "open", "closed"):
        raise Problem(400, "invalid_state", N_("« state » vaut open ou closed."))
    rows = await request.app[DB].read(lambda d: queries.boards(d, site=site, state=state))
    return web.json_response({"boards": [queries.public_board(b) for b in rows]})


@routes.get("/api/v1/boards/{id}", name="api_board", access=PUBLIC)
async def api_board(request: web.Request) -> web.Response:
    board = await _board_or_404(request, path_int(request))
    out = queries.public_board(board)
    out["join_url"] = _links(request, board)["join_public"]
    return web.json_response(out)


@routes.get("/api/v1/boards/{id}/notes", name="api_board_notes", access=PUBLIC)
async def api_board_notes(request: web.Request) -> web.Response:
    board_id = path_int(request)
    notes = await _read_of_board(request, board_id, lambda d: queries.public_notes(d, board_id))
    return web.json_response({"notes": notes})


@routes.post("/api/v1/boards", name="api_create_board", access=STAFF)
async def api_create_board(request: web.Request) -> web.Response:
    data = await read_json(request)
    fields = await with_programme(request, board_input(data))
    created = await request.app[DB].write(lambda tx: store.create_board_tx(tx, **fields))
    return web.json_response(created, status=201)


async def with_programme(request: web.Request, fields: dict[str, Any]) -> dict[str, Any]:
    """Check the board's site and session against the programme; a session gives its site."""

    def read(d: Any) -> tuple:
        site = programme.site(d, fields["site"]) if fields["site"] else None
        session = programme.session(d, fields["session_id"]) if fields["session_id"] else None
        return site, session

    site, session = await request.app[DB].read(read)
    if fields["site"] and site is None:
        raise Problem(422, "unknown_site", N_("Ce lieu n'existe pas dans le programme."))
    if fields["session_id"] and session is None:
        raise Problem(422, "unknown_session", N_("Cette séance n'existe pas dans le programme."))
    if session and fields["site"] and session["site"] != fields["site"]:
        raise Problem(422, "invalid_field", N_("Cette séance a lieu dans un autre lieu."))
    if session and not fields["site"]:
        fields = {**fields, "site": session["site"]}
    return fields


def board_input(data: Any) -> dict[str, Any]:
    title = data.get("title")
    if not isinstance(title, str) or not clean_text(title):
        raise Problem(422, "missing_field", N_("Donnez un titre au tableau."))
    title = clean_text(title)
    prompt = data.get("prompt") or ""
    if not isinstance(prompt, str):
        raise Problem(422, "invalid_field", N_("La question doit être du texte."))
    prompt = clean_text(prompt)
    if len(title) > store.MAX_TITLE or len(prompt) > store.MAX_PROMPT:
        raise Problem(
            422,
            "too_long",
            N_("Le titre ({t} au plus) ou la question ({p} au plus) est trop long."),
            t=store.MAX_TITLE,
            p=store.MAX_PROMPT,
        )
    moderation = data.get("moderation") or "pre"
    if moderation not in store.MODERATION:
        raise Problem(422, "invalid_field", N_("La modération vaut « pre » ou « post »."))
    site = data.get("site") or None
    if site is not None and (not isinstance(site, str) or not SITE_RE.match(site)):
        raise Problem(422, "invalid_field", N_("Le lieu est un identifiant comme « maurepas »."))
    session = data.get("session")
    if session in ("", None):
        session = None
    else:
        if isinstance(session, str) and session.isdigit():
            session = int(session)
        if not isinstance(session, int) or isinstance(session, bool) or session < 1:
            raise Problem(422, "invalid_field", N_("La séance est un numéro."))
    return {"title": title, "prompt": prompt, "moderation": moderation, "site": site, "session_id": session}


@routes.post("/api/v1/boards/{id}/notes", name="api_post_note", access=PUBLIC)
async def api_post_note(request: web.Request) -> web.Response:
    board_id = path_int(request)
    data = await read_json(request)
    source = data.get("source") or "phone"
    trusted = False
    if source in ("paper", "spoken"):
        # Paper and spoken notes are typed in by a facilitator.
        trusted = request.get(USER) is not None or await _board_link(request)
        if not trusted:
            raise Problem(403, "forbidden", N_("Seule l'équipe saisit les notes papier ou orales."))
    elif source not in store.RESIDENT_SOURCES:
        raise Problem(422, "invalid_field", N_("La source vaut tablet, phone, paper ou spoken."))
    # No read of the board first: the write finds it (404) and checks it is open (409) in its
    # own transaction; a read round trip per note cost a third of the event loop (issue 11).
    created = await _post(request, board_id, data, source, trusted)
    return web.json_response(created, status=201)


def moderation_input(data: Any) -> tuple[str, dict[str, Any]]:
    action = data.get("action")
    if action not in store.ACTIONS:
        raise Problem(422, "invalid_action", N_("Action inconnue : {actions}."), actions=", ".join(store.ACTIONS))
    args: dict[str, Any] = {}
    if action == "edit":
        args["text"] = note_input(data)["text"]
    elif action == "move":
        theme = data.get("theme")
        if not isinstance(theme, str) or not theme:
            raise Problem(422, "invalid_theme", N_("Ce thème n'existe pas sur ce tableau."))
        args["theme"] = theme
    elif action == "merge":
        into = data.get("into")
        if isinstance(into, str) and into.strip().lstrip("#").isdigit():
            into = int(into.strip().lstrip("#"))
        if not isinstance(into, int) or isinstance(into, bool):
            raise Problem(422, "invalid_merge", N_("Choisissez une autre note du même tableau."))
        args["into"] = into
    elif action == "action":
        who = data.get("who") or ""
        due = data.get("due") or ""
        if not isinstance(who, str) or not isinstance(due, str) or len(clean_text(who)) > store.MAX_WHO:
            raise Problem(422, "invalid_field", N_("Indiquez qui s'en charge (80 caractères au plus)."))
        if due:
            try:
                due = dt.date.fromisoformat(due).isoformat()
            except ValueError:
                raise Problem(422, "invalid_date", N_("La date s'écrit AAAA-MM-JJ.")) from None
        args.update(who=clean_text(who), due=due)
    return action, args


@routes.post("/api/v1/notes/{id}/moderation", name="api_moderate", access=NOTE_FACILITATOR)
async def api_moderate(request: web.Request) -> web.Response:
    note_id = path_int(request)
    action, args = moderation_input(await read_json(request))
    result = await request.app[DB].write(lambda tx: store.moderate_tx(tx, note_id, action, args))
    return web.json_response(result)


# -- resident pages: tablet kiosk, phone, join form


async def _posting_page(
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


async def _form_post(request: web.Request, board: dict, source: str, template: str, back: str) -> web.Response:
    form = await request.post()
    try:
        created = await _post(request, board["id"], form, source)
    except Problem as p:
        if p.status == 404:
            raise
        response = await _posting_page(
            request,
            board,
            template,
            {
                "error": _message(p),
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


@routes.get("/forum/boards/{id}/tablet", name="forum_tablet", access=PUBLIC)
async def tablet(request: web.Request) -> web.Response:
    return await _posting_page(request, await _board_or_404(request, path_int(request)), "forum/tablet.html")


@routes.post("/forum/boards/{id}/tablet", name="forum_tablet_post", access=PUBLIC)
async def tablet_post(request: web.Request) -> web.Response:
    board = await _board_or_404(request, path_int(request))
    back = str(request.app.router["forum_tablet"].url_for(id=str(board["id"])))
    return await _form_post(request, board, "tablet", "forum/tablet.html", back)


@routes.get("/j", name="forum_join", access=PUBLIC)
async def join(request: web.Request) -> web.Response:
    raw = request.query.get("code")
    if raw is None:
        return render(request, "forum/join.html")
    code = store.normalize_code(raw)
    board = await request.app[DB].read(lambda d: queries.board_by_code(d, code)) if code else None
    if board is None:
        return render(
            request,
            "forum/join.html",
            {
                "code": raw[:16],
                "error": _("Ce code ne correspond à aucun tableau. Vérifiez les lettres et les chiffres."),
            },
            status=404,
        )
    return redirect(str(request.app.router["forum_phone"].url_for(code=code)))


async def _board_by_code(request: web.Request) -> dict:
    raw = request.match_info["code"]
    code = store.normalize_code(raw)
    board = await request.app[DB].read(lambda d: queries.board_by_code(d, code))
    if board is None:
        raise Problem(
            404, "not_found", N_("Ce code ne correspond à aucun tableau. Vérifiez les lettres et les chiffres.")
        )
    if code != raw:
        raise web.HTTPPermanentRedirect(str(request.app.router["forum_phone"].url_for(code=code)))
    return board


@routes.get("/j/{code}", name="forum_phone", access=PUBLIC)
async def phone(request: web.Request) -> web.Response:
    board = await _board_by_code(request)
    voting = await request.app[DB].read(lambda d: votes.current_round(d, board["id"]) is not None)
    return await _posting_page(request, board, "forum/phone.html", {"voting": voting})


@routes.post("/j/{code}", name="forum_phone_post", access=PUBLIC)
async def phone_post(request: web.Request) -> web.Response:
    board = await _board_by_code(request)
    back = str(request.app.router["forum_phone"].url_for(code=board["code"]))
    return await _form_post(request, board, "phone", "forum/phone.html", back)


# -- the projection wall


@routes.get("/forum/boards/{id}/wall", name="forum_wall", access=PUBLIC)
@cached_page(lambda r: {f"board:{r.match_info['id']}"})
async def wall(request: web.Request) -> web.Response:
    board_id = path_int(request)

    def read(d: Any) -> tuple:
        shown = votes.shown_round(d, board_id)
        return (
            queries.board(d, board_id),
            queries.public_notes(d, board_id),
            votes.public_round(d, shown) if shown else None,
            last_seq_in(d),
        )

    board, notes, vote_round, seq = await request.app[DB].read(read)
    if board is None:
        raise Problem(404, "not_found", N_("Ce tableau n'existe pas."))
    recent = time.time() - 60
    by_theme = {t["slug"]: [] for t in board["themes"]}
    for n in notes:
        n["new"] = (n["published"] or 0) > recent
        by_theme.setdefault(n["theme"], []).append(n)
    return render(
        request,
        "forum/wall.html",
        {
            "board": board,
            "by_theme": by_theme,
            "seq": seq,
            "links": _links(request, board),
            "vote_round": vote_round,
            "results_shown": votes.RESULTS_SHOWN,
        },
    )


# -- facilitator console


@routes.get("/forum/boards/{id}/console", name="forum_console", access=BOARD_FACILITATOR)
async def console(request: web.Request) -> web.Response:
    board_id = path_int(request)

    def read(d: Any) -> tuple:
        return (
            queries.board(d, board_id),
            queries.all_notes(d, board_id),
            last_seq_in(d),
            queries.attendance(d, board_id),
        )

    board, notes, seq, attendance = await request.app[DB].read(read)
    if board is None:
        raise Problem(404, "not_found", N_("Ce tableau n'existe pas."))
    groups: dict[str, list] = {"pending": [], "published": [], "hidden": [], "merged": []}
    merged_of: dict[int, list] = {}
    for n in notes:
        groups[n["status"]].append(n)
        if n["status"] == "merged" and n["merged_into"]:
            merged_of.setdefault(n["merged_into"], []).append(n)
    response = render(
        request,
        "forum/console.html",
        {
            "board": board,
            "groups": groups,
            "merged_of": merged_of,
            "seq": seq,
            "key": _key(request),
            "theme_labels": {t["slug"]: t["label"] for t in board["themes"]},
            "hhmm": lambda ts: hhmm(ts, request),
            "max_text": store.MAX_TEXT,
            "sent": request.query.get("sent"),
            "attendance": attendance,
        },
    )
    response.headers["Cache-Control"] = "no-store"  # the page holds the link's key
    return response


def _console_url(request: web.Request, board_id: int, anchor: str = "", **query: str) -> str:
    url = request.app.router["forum_console"].url_for(id=str(board_id))
    key = _key(request)
    q = {**({"key": key} if key else {}), **query}
    return str(url.with_query(q) if q else url) + anchor


@routes.post("/forum/boards/{id}/console/notes", name="forum_console_note", access=BOARD_FACILITATOR)
async def console_note(request: web.Request) -> web.Response:
    board_id = path_int(request)
    form = await request.post()
    source = form.get("source")
    if source not in ("paper", "spoken"):
        raise Problem(422, "invalid_field", N_("Choisissez la source : papier ou oral."))
    await _board_or_404(request, board_id)
    await _post(request, board_id, form, str(source), trusted=True)
    return redirect(_console_url(request, board_id, "#saisie", sent=str(source)))


@routes.post("/forum/notes/{id}/moderate", name="forum_moderate", access=NOTE_FACILITATOR)
async def moderate(request: web.Request) -> web.Response:
    note_id = path_int(request)
    form = await request.post()
    note = await request.app[DB].read(lambda d: queries.note(d, note_id))
    if note is None:
        raise Problem(404, "not_found", N_("Cette note n'existe pas."))
    action, args = moderation_input(form)
    await request.app[DB].write(lambda tx: store.moderate_tx(tx, note_id, action, args))
    anchor = "" if action == "delete" else f"#note-{note_id}"
    return redirect(_console_url(request, note["board_id"], anchor))


@routes.post("/forum/boards/{id}/state", name="forum_state", access=BOARD_FACILITATOR)
async def board_state(request: web.Request) -> web.Response:
    board_id = path_int(request)
    form = await request.post()
    state = form.get("state")
    if state not in ("open", "closed"):
        raise Problem(422, "invalid_state", N_("L'état vaut ouvert ou fermé."))
    await request.app[DB].write(lambda tx: store.set_state_tx(tx, board_id, str(state)))
    if request.get(USER) and form.get("back") == "board":
        return redirect(str(request.app.router["forum_board"].url_for(id=str(board_id))))
    return redirect(_console_url(request, board_id))


# -- staff pages: boards, one board


@routes.get("/forum", name="forum_boards", access=STAFF)
async def boards_page(request: web.Request) -> web.Response:
    def read(d: Any) -> list:
        return [{**b, "counts": queries.counts(d, b["id"])} for b in queries.boards(d)]

    return render(request, "forum/boards.html", {"boards": await request.app[DB].read(read)})


@routes.post("/forum", name="forum_create", access=STAFF)
async def create_board(request: web.Request) -> web.Response:
    form = await request.post()
    fields = await with_programme(request, board_input(form))
    created = await request.app[DB].write(lambda tx: store.create_board_tx(tx, **fields))
    return redirect(str(request.app.router["forum_board"].url_for(id=str(created["id"]))))


@routes.get("/forum/boards/{id}", name="forum_board", access=STAFF)
async def board_page(request: web.Request) -> web.Response:
    board_id = path_int(request)

    def read(d: Any) -> tuple:
        return queries.board(d, board_id), queries.counts(d, board_id)

    board, counts = await request.app[DB].read(read)
    if board is None:
        raise Problem(404, "not_found", N_("Ce tableau n'existe pas."))
    return render(request, "forum/board.html", {"board": board, "counts": counts, "links": _links(request, board)})


@routes.post("/forum/boards/{id}/themes", name="forum_themes", access=STAFF)
async def board_themes(request: web.Request) -> web.Response:
    board_id = path_int(request)
    form = await request.post()
    labels = {}
    for name, value in form.items():
        if name.startswith("label-") and isinstance(value, str):
            label = clean_text(value)
            if len(label) > store.MAX_THEME_LABEL:
                raise Problem(422, "too_long", N_("Un thème a {max} caractères au plus."), max=store.MAX_THEME_LABEL)
            labels[name.removeprefix("label-")] = label
    new = clean_text(str(form.get("new", "")))
    if len(new) > store.MAX_THEME_LABEL:
        raise Problem(422, "too_long", N_("Un thème a {max} caractères au plus."), max=store.MAX_THEME_LABEL)
    await request.app[DB].write(lambda tx: store.set_themes_tx(tx, board_id, labels, new))
    return redirect(str(request.app.router["forum_board"].url_for(id=str(board_id))) + "#themes")


@routes.post("/forum/boards/{id}/link", name="forum_new_link", access=STAFF)
async def new_link(request: web.Request) -> web.Response:
    board_id = path_int(request)
    await _board_or_404(request, board_id)
    await request.app[DB].write(lambda tx: store.new_link_tx(tx, board_id))
    return redirect(str(request.app.router["forum_board"].url_for(id=str(board_id))) + "#lien")
