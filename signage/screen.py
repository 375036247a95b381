"""The screen page, renderable with or without the server.

The server serves it at /screens/{id}; the Pi agent (`displays/`) serves the very same
HTML from localhost with `page_html(...)` and the files of `STATIC_DIR`, pointing
`snapshot_url`, `ws_url` and `heartbeat_url` at itself. Everything the page needs to
know is in data attributes on <body>:

- data-snapshot-url: GET it (with If-None-Match) for the snapshot JSON;
- data-ws-url: optional WebSocket; any message on it means "fetch the snapshot again";
- data-heartbeat-url: optional; the page POSTs {"snapshot_version", "browser_alive": true, ...}
  as JSON every HEARTBEAT_SECONDS (a watchdog restarts the browser when these stop);
- data-display: the screen's id (the key of the copy kept in localStorage).

A snapshot response may carry `X-Quartier-Synced: <ISO time>`: the last time the
agent reached the server. The page then shows "mis à jour à HH:MM" from that time.

The agent does not render this page: it downloads `agent_page()` (GET /api/v1/displays/{id}/page),
the same HTML pointed at the agent's own URLs with `SNAPSHOT_SLOT` where the snapshot goes, and
the files it names, and serves them from its cache. So the server stays the page's only source.
"""

from __future__ import annotations

import hashlib
import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2

from quartier import i18n
from quartier.i18n import N_
from quartier.i18n import gettext as _

STATIC_DIR = Path(str(files("signage") / "static"))
TEMPLATE_DIR = Path(str(files("signage") / "templates"))
STATIC_FILES = ("screen.css", "screen.js")
HEARTBEAT_SECONDS = 30
# Where the agent puts <script type="application/json" id="screen-snapshot" data-etag data-synced>.
SNAPSHOT_SLOT = "<!--quartier:snapshot-->"

LABELS = {
    "now": N_("En ce moment"),
    "next": N_("Ensuite"),
    "later": N_("Plus tard aujourd'hui"),
    "nothing_now": N_("Rien pour le moment"),
    "nothing_today": N_("Plus rien aujourd'hui ici."),
    "coming_days": N_("Les prochains jours"),
    "elsewhere": N_("Ailleurs dans la ville aujourd'hui"),
    "cancelled": N_("Annulé"),
    "moved": N_("Déplacé"),
    "full": N_("Complet"),
    "room": N_("Salle"),
    "updated_at": N_("mis à jour à {time}"),
    "urgent": N_("Important"),
    "wall": N_("Le mur du forum"),
    "qr_site": N_("Tout le programme"),
    "qr_feedback": N_("Votre avis sur « {title} »"),
    "qr_board": N_("Participez au forum"),
    "qr_alt": N_("Code QR vers {url}"),
    "qr_type_code": N_("{url} · code {code}"),
    "open_today": N_("Ouvert aujourd'hui"),
    "closed_today": N_("Fermé aujourd'hui"),
    "free": N_("Gratuit, sans inscription sauf mention"),
    "unpaired": N_("Écran à jumeler"),
    "waiting": N_("Chargement du programme…"),
    "announcements": N_("Annonces"),
    "qr_codes": N_("Codes QR"),
    "today_empty": N_(
        "Rien d'autre de prévu ici ces prochains jours. Tout le programme de la ville : scannez le code QR."
    ),
}
ALTERNATE_SECONDS = 15  # a screen in two languages changes language this often

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.globals.update(i18n.template_globals())


def asset_version(name: str) -> str:
    """A short content hash, for cache-busting static links outside the server's router."""
    return hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]


def labels() -> dict[str, str]:
    return {key: _(text) for key, text in LABELS.items()}


def label_sets(languages: list[str]) -> dict[str, dict[str, str]]:
    """The fixed labels in each of a screen's languages, with each language's direction."""
    sets = {}
    for code in languages:
        token = i18n.current_language.set(code)
        try:
            sets[code] = {**labels(), "_dir": i18n.direction(code)}
        finally:
            i18n.current_language.reset(token)
    return sets


def _script_json(data: Any) -> str:
    """JSON safe inside a <script type="application/json"> element: no "<" at all."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def page_html(
    *,
    snapshot_url: str,
    ws_url: str = "",
    heartbeat_url: str = "",
    display_id: int | str = "",
    css_url: str | None = None,
    js_url: str | None = None,
    static_prefix: str = "/static/signage/",
    initial: dict[str, Any] | None = None,
    initial_etag: str = "",
    lang: str = i18n.SOURCE_LANGUAGE,
    languages: list[str] | None = None,
    snapshot_slot: bool = False,
    ws_follows_snapshot: bool = False,
) -> str:
    """The screen page's HTML. `initial` (a snapshot) makes the first paint need no request.
    With two `languages` the fixed labels alternate between them (the first is `lang`)."""
    languages = languages or [lang]
    lang = languages[0]
    token = i18n.current_language.set(lang)
    try:
        return _env.get_template("signage/screen.html").render(
            lang=lang,
            css_url=css_url or f"{static_prefix}screen.css?v={asset_version('screen.css')}",
            js_url=js_url or f"{static_prefix}screen.js?v={asset_version('screen.js')}",
            snapshot_url=snapshot_url,
            ws_url=ws_url,
            ws_follows=ws_follows_snapshot,
            heartbeat_url=heartbeat_url,
            heartbeat_seconds=HEARTBEAT_SECONDS,
            display_id=display_id,
            labels=_script_json(labels()),
            label_sets=_script_json(label_sets(languages)) if len(languages) > 1 else "",
            languages=" ".join(languages),
            alternate_seconds=ALTERNATE_SECONDS,
            initial=_script_json(initial) if initial else "",
            initial_etag=initial_etag,
            snapshot_slot=SNAPSHOT_SLOT if snapshot_slot and not initial else "",
        )
    finally:
        i18n.current_language.reset(token)


def agent_page(display_id: int, lang: str, languages: list[str] | None = None) -> dict[str, Any]:
    """The screen page as the Pi agent serves it from localhost: its HTML and the files it loads."""
    prefix = "/static/signage/"
    return {
        "html": page_html(
            snapshot_url="/snapshot.json",
            ws_url="/events",
            heartbeat_url="/heartbeat",
            display_id=display_id,
            static_prefix=prefix,
            lang=lang,
            languages=languages,
            snapshot_slot=True,
        ),
        "files": [prefix + name for name in STATIC_FILES],
        "slot": SNAPSHOT_SLOT,
    }
