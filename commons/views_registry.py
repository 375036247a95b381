"""Staff pages of the partners registry: list, add (with its logo), edit, delete (refused while
something holds the partner, with the list), and the partner's accounts. Organizers write."""

from __future__ import annotations

from typing import Any

import sqlite_utils
from aiohttp import web

from commons import registry
from commons.forms import field_errors
from events import partners, queries
from events.pages import page
from events.partners import CIRCLES, KINDS
from quartier import auth
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.inputs import Invalid
from quartier.routing import ORGANIZER, STAFF, Routes
from quartier.typedefs import DB
from quartier.web import redirect

routes = Routes()


def _url(request: web.Request, name: str, **parts: Any) -> str:
    return str(request.app.router[name].url_for(**{k: str(v) for k, v in parts.items()}))


@routes.get("/staff/partners", name="commons_staff_partners", access=STAFF)
async def staff_partners(request: web.Request) -> web.Response:
    rows = await request.app[DB].read(queries.partners)
    return page(request, "commons/staff_partners.html", {"partners": rows, "KINDS": KINDS, "CIRCLES": CIRCLES})


async def _form_page(
    request: web.Request, p: dict[str, Any], errors: dict[str, str], *, new: bool, status: int = 200
) -> web.Response:
    def read(db: sqlite_utils.Database) -> dict[str, Any]:
        existing = None if new else queries.partner(db, p.get("old_key") or p["key"])
        accounts = auth.organisation_accounts(db, existing["id"]) if existing else []
        held = registry.holders(db, existing) if existing else []
        return {"sites": queries.sites(db), "existing": existing, "accounts": accounts, "holders": held}

    data = await request.app[DB].read(read)
    action = (
        _url(request, "commons_staff_partner_create")
        if new
        else _url(request, "commons_staff_partner_save", key=p.get("old_key") or p["key"])
    )
    return page(
        request,
        "commons/staff_partner_form.html",
        {
            **data,
            "p": p,
            "charters": registry.charter_rows(p),
            "errors": errors,
            "new": new,
            "action": action,
            "KINDS": KINDS,
            "CIRCLES": CIRCLES,
        },
        status=status,
    )


@routes.get("/staff/partners/new", name="commons_staff_partner_new", access=ORGANIZER)
async def staff_partner_new(request: web.Request) -> web.Response:
    return await _form_page(request, {"kind": "association", "circle": 2, "sites": [], "charters": []}, {}, new=True)


@routes.get("/staff/partners/{key}", name="commons_staff_partner", access=STAFF)
async def staff_partner(request: web.Request) -> web.Response:
    key = request.match_info["key"]
    p = await request.app[DB].read(lambda db: queries.partner(db, key))
    if p is None:
        raise Problem(404, "not_found", N_("Ce partenaire n'existe pas."))
    return await _form_page(request, p, {}, new=False)


async def _save(request: web.Request, old_key: str | None) -> web.Response:
    form = await request.post()
    data = registry.form_data(form)
    new = old_key is None
    shown = {**data, "old_key": old_key}
    slugs = {s["slug"] for s in await request.app[DB].read(queries.sites)}
    try:
        p = partners.clean_partner(data, site_slugs=slugs)
    except Invalid as e:
        return await _form_page(request, shown, field_errors(e), new=new, status=422)
    try:
        logo = registry.read_logo(form)
    except Problem as e:
        message = _(e.message).format(**e.params)
        return await _form_page(request, shown, {"logo": message}, new=new, status=e.status)

    def write(tx: Any) -> None:
        partners.save_partner(tx, p, old_key=old_key)
        if logo is not None:
            partners.set_logo(tx, p["key"], logo)
        elif form.get("remove_logo"):
            partners.set_logo(tx, p["key"], None)

    try:
        await request.app[DB].write(write)
    except Problem as e:
        if e.status != 409:
            raise
        field = "key" if e.code == "key_taken" else "name"
        return await _form_page(request, shown, {field: _(e.message).format(**e.params)}, new=new, status=409)
    return redirect(_url(request, "commons_staff_partner", key=p["key"]))


@routes.post("/staff/partners/new", name="commons_staff_partner_create", access=ORGANIZER)
async def staff_partner_create(request: web.Request) -> web.Response:
    return await _save(request, None)


@routes.post("/staff/partners/{key}", name="commons_staff_partner_save", access=ORGANIZER)
async def staff_partner_save(request: web.Request) -> web.Response:
    key = request.match_info["key"]
    if await request.app[DB].read(lambda db: queries.partner(db, key)) is None:
        raise Problem(404, "not_found", N_("Ce partenaire n'existe pas."))
    return await _save(request, key)


@routes.post("/staff/partners/{key}/delete", name="commons_staff_partner_delete", access=ORGANIZER)
async def staff_partner_delete(request: web.Request) -> web.Response:
    """Delete a partner nothing holds; otherwise its page again, with the list of what holds it."""
    key = request.match_info["key"]
    await delete_partner(request, key)
    return redirect(_url(request, "commons_staff_partners"))


async def delete_partner(request: web.Request, key: str) -> None:
    """Refuse (409, with the list) while anything holds the partner, else delete it, in one write."""

    def write(tx: Any) -> None:
        p = queries.partner(tx.db, key)
        if p is None:
            raise Problem(404, "not_found", N_("Ce partenaire n'existe pas."))
        registry.refuse_if_held(tx.db, p)
        partners.delete_partner(tx, key)

    await request.app[DB].write(write)


@routes.post("/staff/partners/{key}/accounts", name="commons_staff_partner_account", access=ORGANIZER)
async def staff_partner_account(request: web.Request) -> web.Response:
    """A new account for the partner (role `partner`, tied to this organisation)."""
    key = request.match_info["key"]
    p = await request.app[DB].read(lambda db: queries.partner(db, key))
    if p is None:
        raise Problem(404, "not_found", N_("Ce partenaire n'existe pas."))
    form = await request.post()
    name, password = str(form.get("account_name", "")), str(form.get("account_password", ""))
    try:
        await auth.add_user(request.app[DB], name, "partner", password, p["id"])
    except auth.AuthError as e:
        return await _form_page(request, p, {"account_name": str(e)}, new=False, status=422)
    return redirect(_url(request, "commons_staff_partner", key=key))


@routes.post(
    "/staff/partners/{key}/accounts/{id:\\d+}/delete", name="commons_staff_partner_account_delete", access=ORGANIZER
)
async def staff_partner_account_delete(request: web.Request) -> web.Response:
    key = request.match_info["key"]
    user_id = int(request.match_info["id"])
    p = await request.app[DB].read(lambda db: queries.partner(db, key))
    if p is None:
        raise Problem(404, "not_found", N_("Ce partenaire n'existe pas."))
    if not await request.app[DB].write(lambda tx: auth.delete_partner_account(tx, p["id"], user_id)):
        raise Problem(404, "not_found", N_("Ce compte n'existe pas."))
    return redirect(_url(request, "commons_staff_partner", key=key))
