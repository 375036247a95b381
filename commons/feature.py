"""What the partners share, plugged into Quartier: the public partners pages, partner accounts and
their proposals, contributions, the valuation table, the budget and its exports, the API."""

from __future__ import annotations

from aiohttp import web

from commons import (
    api,
    api_base,
    api_means,
    api_spaces,
    changes,
    sections,
    views_account,
    views_base,
    views_budget,
    views_contributions,
    views_halfdays,
    views_means,
    views_proposals,
    views_public,
    views_registry,
)
from commons.demo import demo
from commons.schema import migrations
from quartier.i18n import N_
from quartier.routing import ORGANIZER, PARTNER, STAFF
from quartier.typedefs import CHANNEL_ACCESS, PARTNER_LINKS, STAFF_LINKS

__all__ = ["demo", "migrations", "setup"]


def setup(app: web.Application) -> None:
    for module in (
        views_public,
        views_registry,
        views_account,
        views_proposals,
        views_budget,
        views_contributions,
        views_halfdays,
        views_means,
        views_base,
        api,
        api_base,
        api_means,
        api_spaces,
    ):
        module.routes.add_to(app)
    sections.setup(app)
    # A partner's drafts are for organizers only; the budget's figures for staff.
    app[CHANNEL_ACCESS][changes.PROPOSALS] = ORGANIZER
    app[CHANNEL_ACCESS][changes.CONTRIBUTIONS] = STAFF
    app[CHANNEL_ACCESS][changes.ROOM_REQUESTS] = STAFF | PARTNER
    app[CHANNEL_ACCESS][changes.MEANS] = STAFF | PARTNER
    app[CHANNEL_ACCESS][changes.FAULTS] = STAFF
    app[STAFF_LINKS].append(("commons_staff_partners", N_("Partenaires")))
    app[STAFF_LINKS].append(("commons_proposals", N_("Séances proposées par les partenaires")))
    app[STAFF_LINKS].append(("commons_budget", N_("Budget des partenaires")))
    app[STAFF_LINKS].append(("commons_contributions", N_("Contributions des partenaires")))
    app[STAFF_LINKS].append(("commons_valuation", N_("Tableau de valorisation")))
    app[STAFF_LINKS].append(("commons_spaces", N_("Demi-journées libres des salles")))
    app[STAFF_LINKS].append(("commons_room_requests", N_("Demandes de salles")))
    app[STAFF_LINKS].append(("commons_means", N_("Banque de matériel")))
    app[STAFF_LINKS].append(("commons_base_index", N_("Socle commun et pannes")))
    app[PARTNER_LINKS].append(("commons_account", N_("Notre organisation")))
    app[PARTNER_LINKS].append(("commons_account_proposals", N_("Proposer une séance")))
    app[PARTNER_LINKS].append(("commons_contributions", N_("Nos contributions")))
    app[PARTNER_LINKS].append(("commons_budget", N_("Nos chiffres")))
    app[PARTNER_LINKS].append(("commons_spaces", N_("Réserver une demi-journée de salle")))
    app[PARTNER_LINKS].append(("commons_means", N_("Banque de matériel")))
