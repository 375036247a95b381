"""The counts as an activity export the national tools take: the columns of the "Activités" sheet of
the Coop de la médiation numérique's export (its *compte rendu d'activité*, CRA), in its order and
words, one row per counted occurrence, so partners report once.

The Coop records one person per individual support; our counts are anonymous, so a drop-in of five
people is one row with "Nombre de participants" 5 and the tallies summed in their cells (one line per
value, as the Coop writes several people in a cell). Columns about a named person stay empty.

    GET /staff/attendance/activites.csv?from=&to=&site=
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from aiohttp import web

from events import queries
from events.hours import hours_of
from quartier import csvout
from quartier.errors import Problem
from quartier.i18n import N_
from quartier.inputs import query
from quartier.routing import STAFF, Routes
from quartier.typedefs import CLOCK, DB
from referral import queries as referral_queries
from reports import attendance_store

routes = Routes()

# The Coop's "Activités" worksheet (buildActivitesWorksheet.ts), in its order.
COLUMNS = [
    "Date",
    "Type",
    "Nombre de participants",
    "Bénéficiaire",
    "Canaux d’accompagnement",
    "Lieu",
    "Durée (min)",
    "Nom de l’atelier",
    "Matériel numérique utilisé",
    "Thématique(s) d’accompagnement",
    "Tags",
    "Nom de la démarche administrative",
    "Niveau d’autonomie (ou de l’atelier)",
    "Bénéficiaire réorienté",
    "Structure de redirection",
    "Commune de résidence du bénéficiaire",
    "Genre du bénéficiaire",
    "Tranche d’âge du bénéficiaire",
    "Statut du bénéficiaire",
    "Notes supplémentaires",
]
# Its activity types and the place type of a session held in a site ("Lieu d'activité").
INDIVIDUAL, COLLECTIVE = "Accompagnement individuel", "Atelier collectif"
COLLECTIVE_KINDS = {"atelier", "formation", "forum", "hackathon"}
IN_PLACE = "Lieu d’activité"
# The Coop's thématiques for our axes (its labels, thematique.ts).
THEMES = {
    "acces-libre": ["Navigation sur internet"],
    "accompagnement": ["Prendre en main du matériel"],
    "droits": ["Aide aux démarches administratives"],
}
AGE_LABELS = {  # the Coop's trancheAgeLabels, for our bands (reports.attendance_store.AGE_BANDS)
    "mineur": "Mineur(e)",
    "18-24": "18 - 24 ans",
    "25-39": "25 - 39 ans",
    "40-59": "40 - 59 ans",
    "60-69": "60 - 69 ans",
    "70-plus": "70 ans ou plus",
}
LINE = "\n"  # several values in one cell, as the Coop writes them


def rows(occurrences: list[dict[str, Any]], sites: dict[str, dict[str, Any]]) -> list[list[Any]]:
    """One row per counted, held occurrence (not the uncounted, the cancelled or the not held)."""
    needs = {n.id: n.title for n in referral_queries.needs()}
    out = []
    for o in occurrences:
        a = o.get("attendance")
        if a is None or not a["held"] or o["status"] == "cancelled":
            continue
        site = sites.get(o["site"], {})
        collective = o["kind"] in COLLECTIVE_KINDS
        place = ", ".join(
            x
            for x in (
                site.get("name", o["site_name"]),
                f"{site.get('postal_code', '')} {site.get('commune', '')}".strip(),
            )
            if x
        )
        ages = LINE.join(f"{AGE_LABELS[k]} : {n}" for k, n in a["ages"].items() if k in AGE_LABELS)
        out.append(
            [
                o["start"].strftime("%d/%m/%Y"),
                COLLECTIVE if collective else INDIVIDUAL,
                a["count"],
                "",
                IN_PLACE,
                place,
                round(hours_of(o) * 60),
                o["title"] if collective else "",
                "",
                LINE.join(THEMES.get(o["axis"], [])),
                o["partner"] or "",
                LINE.join(f"{needs.get(k, k)} : {n}" for k, n in a["needs"].items()),
                "",
                "" if a["referred"] is None else a["referred"],
                "",
                "",
                "",
                ages,
                "",
                "",
            ]
        )
    return out


def to_csv(occurrences: list[dict[str, Any]], sites: dict[str, dict[str, Any]]) -> str:
    out = io.StringIO()
    w = csvout.Writer(out)
    w.writerow(COLUMNS)
    w.writerows(rows(occurrences, sites))
    return out.getvalue()


@routes.get("/staff/attendance/activites.csv", name="reports_activity_export", access=STAFF)
async def export(request: web.Request) -> web.Response:
    """The counts of a period (default: this year up to today) in the Coop's columns."""
    q = query(request)
    today = request.app[CLOCK].now().date()
    start = q.date("from") or dt.date(today.year, 1, 1)
    end = q.date("to") or today
    site = q.text("site", max_length=60) or None
    if end < start or (end - start).days > 400:
        raise Problem(400, "invalid_range", N_("La période va du « from » au « to », {max} jours au plus."), max=400)

    def read(d: Any) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
        rows = attendance_store.with_counts(d, start, end, today)
        return [o for o in rows if site is None or o["site"] == site], {s["slug"]: s for s in queries.sites(d)}

    occurrences, sites = await request.app[DB].read(read)
    response = web.Response(text=to_csv(occurrences, sites), content_type="text/csv", charset="utf-8")
    name = f"activites-{start.isoformat()}-{end.isoformat()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
