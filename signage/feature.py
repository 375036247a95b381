"""Lobby screens, plugged into Quartier: tables, routes, demo data."""

from __future__ import annotations

import datetime as dt
import secrets
import time

from aiohttp import web

from quartier.demo import DemoContext
from quartier.i18n import N_
from quartier.i18n import gettext as _
from quartier.typedefs import CHANNEL_ACCESS, STAFF_LINKS, TEMPLATES
from signage import access, api, changes, health, store, views
from signage.schema import migrations

__all__ = ["migrations", "setup", "demo"]


def setup(app: web.Application) -> None:
    api.routes.add_to(app)
    views.routes.add_to(app)
    app[CHANNEL_ACCESS][changes.DISPLAY] = access.DISPLAY_CHANNEL
    app[STAFF_LINKS].append(("signage_displays", N_("Écrans d'accueil")))
    app[STAFF_LINKS].append(("signage_announcements", N_("Annonces des écrans")))
    app[TEMPLATES].env.globals.update(screen_health=health.describe, screen_last_seen=health.last_seen)


DEMO_SITE = "maurepas"


async def demo(ctx: DemoContext) -> None:
    """Two screens (one paired at Maurepas, one waiting with a code) and three announcements."""
    now = time.time()
    token = store.new_token()
    today = ctx.now

    def write(tx) -> tuple[int, str]:
        code = store.start_pairing(tx, secrets.token_urlsafe(24), now)
        display_id = store.claim(
            tx, code, site=DEMO_SITE, name="Hall d'accueil", orientation="landscape", display_id=None, now=now
        )
        tx.execute("UPDATE signage_pairings SET state = 'delivered' WHERE display_id = ?", (display_id,))
        tx.execute("UPDATE signage_displays SET token_hash = ? WHERE id = ?", (store.sha256(token), display_id))
        # The second screen is waiting: its code is shown by /screens/pair on a TV, or by the Pi agent.
        waiting = store.start_pairing(tx, secrets.token_urlsafe(24), now)
        week = (today + dt.timedelta(days=7)).isoformat()
        for fields in (
            {
                "title": "Fermeture exceptionnelle vendredi à 16 h",
                "body": "L'espace ferme à 16 h pour une réunion d'équipe.",
                "urgent": 1,
                "priority": 10,
                "target": "all",
                "ends": week,
            },
            {
                "title": "Nouveau : aide aux démarches CAF le mardi",
                "body": "Sans rendez-vous, avec une médiatrice numérique.",
                "priority": 5,
                "target": "sites",
                "sites": [DEMO_SITE],
            },
            {
                "title": "Wi-Fi gratuit dans le hall",
                "body": "Demandez le code à l'accueil.",
                "priority": 1,
                "target": "all",
            },
        ):
            store.save_announcement(tx, fields, now)
        return display_id, waiting

    display_id, waiting = await ctx.db.write(write)
    base = ctx.settings.base_url.rstrip("/")
    print(_("Écran de démo (Maurepas) : {url}").format(url=f"{base}/screens/{display_id}?token={token}"))
    print(
        _("Un écran attend avec le code {code} : jumelez-le sur {url}").format(
            code=waiting, url=f"{base}/staff/screens"
        )
    )
