"""Where input comes from: a JSON body (its content type, encoding and depth checked), the query string,
the parts of a path."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from aiohttp import web

from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs.fields import Fields
from quartier.inputs.values import to_date, to_id

MAX_DEPTH = 16  # levels of lists and objects in a JSON body: ours need three


def query(request: web.Request, *, status: int = 400) -> Fields:
    """The query string's fields: a problem is a 400 (the address is wrong), or 422 for a filter form sent by GET."""
    return Fields(request.query, status=status)


def path_id(request: web.Request, name: str = "id") -> int:
    """A record's number from the URL, or 404 (a path that cannot exist)."""
    found = to_id(request.match_info.get(name, ""))
    if found is None:
        raise Problem(404, "not_found", N_("Cette page n'existe pas."))
    return found


def path_date(request: web.Request, name: str = "date") -> dt.date:
    """A YYYY-MM-DD date from the URL, or 404."""
    found = to_date(request.match_info.get(name, ""))
    if found is None:
        raise Problem(404, "not_found", N_("Cette page n'existe pas."))
    return found


async def read_json(request: web.Request) -> dict[str, Any]:
    """The request's JSON object, or a 415 (not JSON) or 400 (unreadable, too deep) the client can read."""
    if request.content_type != "application/json":
        raise Problem(415, "unsupported_media_type", N_("Envoyez du JSON (application/json)."))
    raw = await request.read()
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise Problem(400, "invalid_encoding", N_("Le texte envoyé n'est pas de l'UTF-8 valide.")) from None
    except RecursionError:
        # The decoder recurses once a level and stops at the interpreter's limit (about 1,000): a
        # clean refusal, not a crash. Shallower bodies are measured below.
        raise _too_deep() from None
    except ValueError:  # JSONDecodeError, NaN or Infinity, an integer of thousands of digits
        raise Problem(400, "invalid_json", N_("Le JSON envoyé est invalide.")) from None
    if not isinstance(data, dict):
        raise Problem(400, "invalid_json", N_("Le JSON envoyé doit être un objet."))
    if depth(data) > MAX_DEPTH:
        raise _too_deep()
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(name)  # NaN, Infinity: not JSON, and no field wants them


def _too_deep() -> Problem:
    message = N_("Le JSON envoyé est imbriqué trop profondément ({max} niveaux au plus).")
    return Problem(400, "too_deep", message, max=MAX_DEPTH)


def depth(value: Any) -> int:
    """How many levels of lists and objects a decoded JSON value has (counted without recursing)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((x, level + 1) for x in item if isinstance(x, (list, dict)))
    return deepest
