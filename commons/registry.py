"""What the partners' staff pages and API share: the logo upload, the form's fields, and the list of
what still holds a partner (its sessions, contributions, proposals, accounts) so that deleting one
that is still used is refused with that list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlite_utils
from aiohttp import web

from events import queries
from events.partners import LOGO_MIN_PIXELS, MAX_CHARTERS
from quartier import auth, images
from quartier.errors import Problem
from quartier.i18n import N_, ngettext
from quartier.i18n import gettext as _

FORM_FIELDS = ("key", "name", "short_name", "kind", "circle", "website", "description")
CHARTER_ROWS = 3  # empty rows the form offers for new charters


def read_logo(form: Mapping[str, Any]) -> dict[str, Any] | None:
    """The uploaded logo, checked by its bytes and sized for print; None when no file was sent."""
    upload = form.get("logo")
    if not isinstance(upload, web.FileField):
        return None
    data = upload.file.read(images.MAX_IMAGE_BYTES + 1)
    if not data:
        return None
    extension, content_type = images.sniff(data)
    size = images.dimensions(extension, data)
    if size is None:
        raise Problem(422, "invalid_image", N_("Ce fichier n'est pas une image lisible."))
    if max(size) < LOGO_MIN_PIXELS:
        raise Problem(
            422,
            "logo_too_small",
            N_(
                "Le logo fait {width} × {height} pixels : il en faut au moins {min} sur sa plus grande longueur pour l'impression."
            ),
            width=size[0],
            height=size[1],
            min=LOGO_MIN_PIXELS,
        )
    return {"data": data, "extension": extension, "content_type": content_type, "width": size[0], "height": size[1]}


def form_data(form: Mapping[str, Any]) -> dict[str, Any]:
    """A partner's fields from the staff form (charters as numbered rows, sites as checkboxes)."""
    data: dict[str, Any] = {k: form.get(k, "") for k in FORM_FIELDS}
    data["sites"] = [s for s in form.getall("sites", []) if isinstance(s, str)] if hasattr(form, "getall") else []
    charters = []
    for i in range(MAX_CHARTERS):
        name, signed = form.get(f"charter_{i}", ""), form.get(f"signed_{i}", "")
        if name or signed:
            charters.append({"charter": name, "signed": signed})
    data["charters"] = charters
    return data


def holders(db: sqlite_utils.Database, partner: dict[str, Any]) -> list[str]:
    """What still names this partner, one readable line each (empty: it may be deleted)."""
    lines = [
        _("la séance « {title} » ({site})").format(title=s["title"], site=s["site_name"])
        for s in queries.partner_sessions(db, partner["key"])
    ]
    for year, n in db.conn.execute(
        "SELECT year, count(*) FROM commons_contributions WHERE partner_id = ? GROUP BY year ORDER BY year",
        (partner["id"],),
    ):
        lines.append(ngettext("{n} contribution en {year}", "{n} contributions en {year}", n).format(n=n, year=year))
    n = db.conn.execute("SELECT count(*) FROM commons_proposals WHERE partner_id = ?", (partner["id"],)).fetchone()[0]
    if n:
        lines.append(ngettext("{n} proposition de séance", "{n} propositions de séance", n).format(n=n))
    for m in db.conn.execute("SELECT name FROM commons_means WHERE partner_id = ? ORDER BY name", (partner["id"],)):
        lines.append(_("le matériel « {name} »").format(name=m[0]))
    n = db.conn.execute("SELECT count(*) FROM commons_bookings WHERE partner_id = ?", (partner["id"],)).fetchone()[0]
    if n:
        lines.append(ngettext("{n} réservation de matériel", "{n} réservations de matériel", n).format(n=n))
    n = db.conn.execute("SELECT count(*) FROM commons_room_requests WHERE partner_id = ?", (partner["id"],)).fetchone()[
        0
    ]
    if n:
        lines.append(ngettext("{n} demande de salle", "{n} demandes de salle", n).format(n=n))
    lines += [_("le compte « {name} »").format(name=u.name) for u in auth.organisation_accounts(db, partner["id"])]
    return lines


def refuse_if_held(db: sqlite_utils.Database, partner: dict[str, Any]) -> None:
    """A 409 naming everything that holds the partner, or nothing."""
    held = holders(db, partner)
    if held:
        raise Problem(
            409,
            "partner_in_use",
            N_("Ce partenaire est encore utilisé ; retirez d'abord : {holders}."),
            holders="; ".join(held),
        )


def charter_rows(partner: dict[str, Any]) -> list[dict[str, Any]]:
    """The form's charter rows: those signed, then empty ones."""
    rows = [{"charter": c.get("charter", ""), "signed": c.get("signed", "")} for c in partner.get("charters", [])]
    return (rows + [{"charter": "", "signed": ""}] * CHARTER_ROWS)[: max(len(rows) + 1, CHARTER_ROWS)][:MAX_CHARTERS]
