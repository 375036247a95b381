"""Small helpers for JSON endpoints: read a body, check its fields, answer errors clearly."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from aiohttp import web

from quartier.errors import Problem
from quartier.i18n import N_

# Characters a resident's text may not hold: C0/C1 controls (but tab and newline)
# and the bidirectional overrides that can disguise text.
_FORBIDDEN = (
    {c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)}
    | set(range(0x7F, 0xA0))
    | {
        0x202A,
        0x202B,
        0x202C,
        0x202D,
        0x202E,
        0x2066,
        0x2067,
        0x2068,
        0x2069,
    }
)
_STRIP = {c: None for c in _FORBIDDEN}


async def read_json(request: web.Request) -> dict[str, Any]:
    """The request's JSON object, or a 400/415 the client can read."""
    if request.content_type != "application/json":
        raise Problem(415, "unsupported_media_type", N_("Envoyez du JSON (application/json)."))
    raw = await request.read()
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise Problem(400, "invalid_encoding", N_("Le texte envoyé n'est pas de l'UTF-8 valide.")) from None
    except json.JSONDecodeError:
        raise Problem(400, "invalid_json", N_("Le JSON envoyé est invalide.")) from None
    if not isinstance(data, dict):
        raise Problem(400, "invalid_json", N_("Le JSON envoyé doit être un objet."))
    return data


def clean_text(value: str) -> str:
    """A resident's text without control characters or bidi overrides, trimmed."""
    return value.translate(_STRIP).strip()


def text_field(
    data: dict[str, Any] | Any, name: str, *, max_length: int, required: bool = True, default: str = ""
) -> str:
    """A text field of a JSON object or form, cleaned and checked; 400/422 with the field's name."""
    value = data.get(name) if hasattr(data, "get") else None
    if value is None or value == "":
        if required:
            raise Problem(422, "missing_field", N_("Le champ « {field} » est obligatoire."), field=name)
        return default
    if not isinstance(value, str):
        raise Problem(422, "invalid_field", N_("Le champ « {field} » doit être du texte."), field=name)
    value = clean_text(value)
    if required and not value:
        raise Problem(422, "missing_field", N_("Le champ « {field} » est obligatoire."), field=name)
    if len(value) > max_length:
        raise Problem(
            422,
            "too_long",
            N_("Le champ « {field} » dépasse {max} caractères."),
            field=name,
            max=max_length,
        )
    return value


def int_field(
    data: dict[str, Any] | Any,
    name: str,
    *,
    required: bool = True,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int | None:
    """An integer field (JSON number or form digits), with bounds."""
    value = data.get(name) if hasattr(data, "get") else None
    if value is None or value == "":
        if required:
            raise Problem(422, "missing_field", N_("Le champ « {field} » est obligatoire."), field=name)
        return None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise Problem(422, "invalid_field", N_("Le champ « {field} » doit être un nombre entier."), field=name)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise Problem(422, "invalid_field", N_("Le champ « {field} » est hors des limites permises."), field=name)
    return value


def date_query(request: web.Request, name: str, default: dt.date | None = None) -> dt.date | None:
    """A `YYYY-MM-DD` query parameter as a date (default when absent), or a 400 the user can read."""
    raw = request.query.get(name)
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise Problem(400, "invalid_date", N_("Dates attendues au format AAAA-MM-JJ.")) from None


def path_int(request: web.Request, name: str = "id") -> int:
    """An integer from the URL, or 404 (a path that cannot exist)."""
    raw = request.match_info.get(name, "")
    if not raw.isdigit() or len(raw) > 18:
        raise Problem(404, "not_found", N_("Cette page n'existe pas."))
    return int(raw)
