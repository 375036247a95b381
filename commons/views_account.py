"""A partner account's own pages: its organisation's page, and the sessions it proposes.

Every route here is for partner accounts only and reads or writes its own organisation, whatever
the request names: another organisation's page or proposals are never found.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils
from aiohttp import web

from commons import access, proposals, registry
from commons.forms import field_errors
from events import partners, queries
from events.model import REPEATS, clean_session
from events.pages import now, page
from events.staff import session_from_form
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.inputs import Invalid, path_id
from quartier.routing import PARTNER, Routes
from quartier.typedefs import DB
from quartier.web import redirect

routes = Routes()

OWN_PAGE_FIELDS = ("short_name", "website", "description")


async def own(request: web.Request) -> dict[str, Any]:
    """The partner account's organisation, from the registry."""
    organisation = access.require_partner(request)
    p = await request.app[DB].read(lambda db: queries.partner_by_id(db, organisation))
    if p is None:
        raise Problem(404, "not_found", N_("Ce partenaire n'existe pas."))
    return p


@routes.get("/partenaire", name="commons_account", access=PARTNER)
async def account_home(request: web.Request) -> web.Response:
    """The organisation at a glance: its public page, its proposals, this year's contributions."""
    p = await own(request)
    year = now(request).date().year

    def read(db: sqlite_utils.Database) -> dict[str, Any]:
        mine = proposals.listed(db, partner_id=p["id"])
        lines = db.conn.execute(
            "SELECT count(*) FROM commons_contributions WHERE partner_id = ? AND year = ?", (p["id"], year)
        ).fetchone()[0]
        return {"proposals": mine[:5], "pending": sum(1 for x in mine if x["state"] == "pending"), "lines": lines}

    data = await request.app[DB].read(read)
    return page(request, "commons/account.html", {**data, "p": p, "year": year, "STATES": proposals.STATES})


@routes.get("/partenaire/page", name="commons_account_page", access=PARTNER)
async def account_page(request: web.Request) -> web.Response:
    p = await own(request)
    return page(request, "commons/account_page.html", {"p": p, "errors": {}})


@routes.post("/partenaire/page", name="commons_account_page_save", access=PARTNER)
async def account_page_save(request: web.Request) -> web.Response:
    """The organisation's public page: short name, website, presentation and logo (the rest is the organizers')."""
    p = await own(request)
    form = await request.post()
    data = {**p, **{k: form.get(k, "") for k in OWN_PAGE_FIELDS}}
    try:
        cleaned = partners.clean_partner(data)
        logo = registry.read_logo(form)
    except Invalid as e:
        return page(request, "commons/account_page.html", {"p": data, "errors": field_errors(e)}, status=422)
    except Problem as e:
        errors = {"logo": _(e.message).format(**e.params)}
        return page(request, "commons/account_page.html", {"p": data, "errors": errors}, status=e.status)

    def write(tx: Any) -> None:
        partners.save_partner(tx, {**cleaned, "key": p["key"]}, old_key=p["key"])
        if logo is not None:
            partners.set_logo(tx, p["key"], logo)

    await request.app[DB].write(write)
    return redirect(str(request.app.router["commons_account"].url_for()))


# -- proposals


def _proposal_page(request: web.Request, ctx: dict[str, Any], status: int = 200) -> web.Response:
    return page(
        request,
        "commons/account_proposals.html",
        {"STATES": proposals.STATES, "REPEATS": REPEATS, **ctx},
        status=status,
    )


async def _proposals_context(request: web.Request, p: dict[str, Any]) -> dict[str, Any]:
    def read(db: sqlite_utils.Database) -> dict[str, Any]:
        # The sites where the partner works come first (the first is the form's default), then the others.
        sites = sorted(queries.sites(db), key=lambda x: x["slug"] not in p["sites"])
        return {"sites": sites, "proposals": proposals.listed(db, partner_id=p["id"])}

    return {**await request.app[DB].read(read), "p": p}


@routes.get("/partenaire/propositions", name="commons_account_proposals", access=PARTNER)
async def account_proposals(request: web.Request) -> web.Response:
    p = await own(request)
    ctx = await _proposals_context(request, p)
    s = {"date": now(request).date().isoformat(), "staff_count": 1, "repeat_interval": 1}
    return _proposal_page(request, {**ctx, "s": s, "errors": {}})


@routes.post("/partenaire/propositions", name="commons_account_propose", access=PARTNER)
async def account_propose(request: web.Request) -> web.Response:
    """A session proposed for the organisation: it waits for an organizer, then joins the programme."""
    p = await own(request)
    flat, data = session_from_form(await request.post())
    data["free"] = True  # the programme is free; an organizer may say otherwise once it is accepted
    ctx = await _proposals_context(request, p)
    try:
        s = clean_session(data, site_slugs={x["slug"] for x in ctx["sites"]})
        if s["date"] and s["date"] < now(request).date():
            raise Invalid([("date", N_("Proposez une date à venir."), {})])
    except Invalid as e:
        return _proposal_page(request, {**ctx, "s": flat, "errors": field_errors(e)}, status=422)
    user = access.user_id(request)
    await request.app[DB].write(lambda tx: proposals.create(tx, p, s, user))
    return redirect(str(request.app.router["commons_account_proposals"].url_for().with_query(sent="1")))


@routes.post("/partenaire/propositions/{id}/withdraw", name="commons_account_withdraw", access=PARTNER)
async def account_withdraw(request: web.Request) -> web.Response:
    p = await own(request)
    id = path_id(request)
    await request.app[DB].write(lambda tx: proposals.withdraw(tx, id, p["id"]))
    return redirect(str(request.app.router["commons_account_proposals"].url_for()))
