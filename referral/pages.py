"""The orientation pages: pick a need, get the answer, print the slip (and count it, anonymously).

`/orientation` shows the needs as big pictogram buttons (a tablet) and a search box (a computer);
`/orientation?need=…&site=…` is the answer. Everything works without JavaScript: the buttons are
links, the site and the search are GET forms, and printing a slip is a POST (counted, CSRF-checked
and rate-limited) that lands on the slip's page, which opens the print dialog.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiohttp import web

from events import queries as programme
from events.pages import formatters, page, readable_hours
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.routing import PUBLIC, Routes
from quartier.typedefs import CLOCK, DB, DEVICE, LIMITER, NEW_DEVICE
from quartier.web import redirect
from referral import answer, needs, slips
from referral.answer import Ask
from referral.model import KINDS

routes = Routes()

MAX_QUERY = 100
# Slips one device (or one address) may print per minute, in bursts of as many.
SLIPS_PER_MINUTE = {"device": (20, 20), "address": (200, 100)}


def helpers() -> dict[str, Any]:
    """What the referral templates use besides the programme's formatters."""
    return {
        "NEEDS": needs.NEEDS,
        "NEEDS_BY_ID": needs.BY_ID,
        "KINDS": KINDS,
        "readable_hours": readable_hours,
        "kind_label": _kind_label,
    }


def _kind_label(kind: str) -> str:
    return _(KINDS.get(kind, KINDS["other"]))


def render(request: web.Request, template: str, context: dict[str, Any], *, status: int = 200) -> web.Response:
    return page(request, template, {**helpers(), **context}, status=status)


def day_words(request: web.Request, moment: dt.datetime) -> Any:
    """A day as people say it from `moment`: "aujourd'hui", "demain", else its weekday and date."""
    fmt_day = formatters(request)["fmt_day"]

    def say(when: dt.datetime) -> str:
        days = (when.date() - moment.date()).days
        return _("aujourd'hui") if days == 0 else _("demain") if days == 1 else fmt_day(when)

    return say


def need_of(raw: str | None) -> needs.Need | None:
    """The need of a query (None when absent); an unknown one is a 404 that lists the needs."""
    if not raw:
        return None
    found = needs.get(raw)
    if found is None:
        raise Problem(
            404,
            "unknown_need",
            N_("Besoin inconnu : « {need} ». Besoins possibles : {needs}."),
            need=raw[:60],
            needs=", ".join(n.id for n in needs.NEEDS),
        )
    return found


async def site_of(request: web.Request, raw: str | None) -> str | None:
    """A site's slug from the query (None when absent); an unknown site is a 404."""
    if not raw:
        return None
    if not await request.app[DB].read(lambda db: programme.site(db, raw[:80])):
        raise Problem(404, "not_found", N_("Ce lieu n'existe pas."))
    return raw


@routes.get("/orientation", name="referral_orientation", access=PUBLIC)
async def orientation(request: web.Request) -> web.Response:
    """The needs to pick from, a search's results, or the answer for one need."""
    query = request.query.get("q", "").strip()[:MAX_QUERY]
    try:
        need = need_of(request.query.get("need"))
    except Problem as p:
        return await chooser(request, query, problem=p)
    site = await site_of(request, request.query.get("site"))
    if need is None:
        return await chooser(request, query, site=site)
    moment = request.app[CLOCK].now()
    found = await request.app[DB].read(lambda db: answer.build(db, Ask(need, site, moment)))
    context = {"answer": found, "need": need, "moment": moment, "site": site, "day_words": day_words(request, moment)}
    return render(request, "referral/answer.html", context)


async def chooser(
    request: web.Request, query: str, *, site: str | None = None, problem: Problem | None = None
) -> web.Response:
    sites = await request.app[DB].read(programme.sites)
    context = {
        "query": query,
        "results": needs.search(query) if query else None,
        "site": site,
        "sites": sites,
        "unknown": request.query.get("need", "")[:60] if problem else None,
    }
    return render(request, "referral/orientation.html", context, status=404 if problem else 200)


@routes.post("/orientation/slips", name="referral_slip_print", access=PUBLIC)
async def print_slip(request: web.Request) -> web.Response:
    """Count one slip (need, site, destination: nothing about the person), then show it to print."""
    form = await request.post()
    need = need_of(str(form.get("need") or "")) or _missing("need")
    site = await site_of(request, str(form.get("site") or "") or None)
    target = str(form.get("target") or "")[:80]
    await _limit(request)
    moment = request.app[CLOCK].now()
    found = await request.app[DB].read(lambda db: answer.item(db, target, Ask(need, site, moment)))
    if found is None:
        raise Problem(404, "not_found", N_("Ce lieu ou cette séance n'existe plus."))
    await request.app[DB].write(lambda tx: slips.count(tx, need, site, found, moment))
    query = {"need": need.id, "target": target, "print": "1", **({"site": site} if site else {})}
    return redirect(str(request.app.router["referral_slip"].url_for().with_query(query)))


def _missing(field: str) -> Any:
    raise Problem(422, "missing_field", N_("Le champ « {field} » est obligatoire."), field=field)


async def _limit(request: web.Request) -> None:
    device = f"slip-nocookie:{request.remote}" if request[NEW_DEVICE] else f"slip-device:{request[DEVICE]}"
    await request.app[LIMITER].enforce(
        [(device, *SLIPS_PER_MINUTE["device"]), (f"slip-address:{request.remote}", *SLIPS_PER_MINUTE["address"])]
    )


@routes.get("/orientation/slip", name="referral_slip", access=PUBLIC)
async def slip(request: web.Request) -> web.Response:
    """The half-A5 slip of one place or session for one need, with a QR code to the same answer."""
    need = need_of(request.query.get("need")) or _missing("need")
    site = await site_of(request, request.query.get("site"))
    target = request.query.get("target", "")[:80]
    moment = request.app[CLOCK].now()
    found = await request.app[DB].read(lambda db: answer.item(db, target, Ask(need, site, moment)))
    if found is None:
        raise Problem(404, "not_found", N_("Ce lieu ou cette séance n'existe plus."))
    back = (
        request.app.router["referral_orientation"]
        .url_for()
        .with_query({"need": need.id, **({"site": site} if site else {})})
    )
    return render(
        request,
        "referral/slip.html",
        {
            "need": need,
            "item": found,
            "answer_path": str(back),
            "moment": moment,
            "autoprint": request.query.get("print") == "1",
        },
    )
