"""The people section of the annual report in each format: its charts, its CSV rows, its Markdown.

The charts get the very figures of their tables (reports.report_people), through the same number
formatter, so a reader and a test find the same numbers in the SVG, the table and the CSV.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from events.model import AXES
from quartier import charts
from quartier.i18n import gettext as _
from reports.attendance_store import AGE_BANDS
from reports.report import MONTHS
from reports.report_people import round1

__all__ = ["charts_of", "csv_rows", "markdown", "month_rows", "round1"]


def month_rows(r: dict[str, Any]) -> list[dict[str, Any]]:
    """The months of the period (up to the last day counted)."""
    return [m for m in r["people"]["months"] if dt.date(r["year"], m["month"], 1) <= r["until"]]


def charts_of(r: dict[str, Any], axes: list[tuple[str, str, str]], fmt: Callable[[Any], str]) -> dict[str, Markup]:
    p = r["people"]
    return {
        "people_months": charts.stacked_bars(
            [(_(MONTHS[m["month"] - 1]), m["by_axis"]) for m in month_rows(r)],
            axes,
            name="report-people-months",
            title=_("Personnes accueillies, mois par mois"),
            desc=_("Personnes comptées aux séances tenues, par axe."),
            fmt=fmt,
        ),
        "people_sites": charts.stacked_bars(
            [(r["sites"].get(k, k), {"people": n}) for k, n in p["by_site"].items()],
            [("people", _("personnes"), "#1b4f8a")],
            name="report-people-sites",
            title=_("Personnes accueillies, par lieu"),
            desc=_("Personnes comptées aux séances tenues, par lieu."),
            fmt=fmt,
        ),
    }


def csv_rows(r: dict[str, Any]) -> list[list[Any]]:
    """section, element, detail, value: the same figures as the page's people section."""
    p = r["people"]
    rows: list[list[Any]] = [
        ["personnes", "total", "", p["people"]],
        ["personnes", "premieres_visites", "", p["first_visits"]],
        ["personnes", "orientees_ailleurs", "", p["referred"]],
        ["personnes", "heures_par_personne", "", "" if p["hours_per_person"] is None else p["hours_per_person"]],
        ["comptage", "seances_tenues", "", p["held"]],
        ["comptage", "seances_comptees", "", p["counted"]],
        ["comptage", "part_comptee_pct", "", p["share_counted"]],
        ["comptage", "seances_pas_eu_lieu", "", r["sessions"]["not_held"]],
    ]
    rows += [["personnes_lieu", k, "", n] for k, n in p["by_site"].items()]
    rows += [["personnes_axe", k, "", n] for k, n in p["by_axis"].items()]
    for m in month_rows(r):
        month = f"{r['year']}-{m['month']:02d}"
        rows += [["personnes_mois", month, a, n] for a, n in m["by_axis"].items()]
        rows.append(["personnes_mois", month, "total", m["people"]])
    rows += [["personnes_age", k, "", n] for k, n in p["ages"].items()]
    rows += [["personnes_besoin", k, "", n] for k, n in p["needs"].items()]
    rows.append(["tendance", "personnes_annee_precedente", "", p["previous"]["people"]])
    rows.append(["tendance", "seances_tenues_annee_precedente", "", p["previous"]["held"]])
    rows.append(["tendance", "heures_annee_precedente", "", p["previous"]["hours"]])
    rows.append(["tendance", "evolution_pct", "", "" if p["trend"] is None else p["trend"]])
    return rows


def markdown(r: dict[str, Any], num: Callable[[Any], str]) -> list[str]:
    p = r["people"]
    lines = [
        "",
        "## Personnes accueillies",
        "",
        f"- Personnes accueillies (visites comptées) : {p['people']}",
        f"- Séances comptées : {p['counted']} sur {p['held']} tenues ({num(p['share_counted'])} %)",
        f"- Premières visites : {p['first_visits']}",
        f"- Heures de service par personne : {num(p['hours_per_person'])}",
        f"- L'an dernier aux mêmes dates : {p['previous']['people']}",
        "",
        "| Mois | " + " | ".join(AXES.values()) + " | Total |",
        "|---|" + "---:|" * (len(AXES) + 1),
    ]
    for m in month_rows(r):
        lines.append(
            f"| {MONTHS[m['month'] - 1]} | " + " | ".join(str(m["by_axis"][a]) for a in AXES) + f" | {m['people']} |"
        )
    lines += ["", "| Tranche d'âge | Personnes |", "|---|---:|"]
    lines += [f"| {AGE_BANDS[k]} | {n} |" for k, n in p["ages"].items()]
    return lines
