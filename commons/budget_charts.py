"""The budget page's SVG charts (quartier.charts); the page puts a table of the same figures under each."""

from __future__ import annotations

from typing import Any

import babel.numbers
from markupsafe import Markup

from commons.budget import NO_AXIS
from commons.valuation import KINDS
from events.model import AXES
from quartier import charts
from quartier.i18n import N_, current_language
from quartier.i18n import gettext as _

KIND_COLOURS = {
    "salaried_hours": "#1b4f8a",
    "volunteer_hours": "#1d6b2f",
    "room_half_days": "#8a5a00",
    "equipment": "#6b3fa0",
    "service": "#0f6f78",
    "money": "#a13a00",
}
AXIS_COLOURS = {"acces-libre": "#005a8c", "accompagnement": "#6b3fa0", "droits": "#a13a00", NO_AXIS: "#5c5c5c"}
SHORT_AXES = {
    "acces-libre": N_("Accès libre"),
    "accompagnement": N_("Accompagnement"),
    "droits": N_("Droits"),
    NO_AXIS: N_("Non affecté"),
}


def whole_euros(value: float) -> str:
    """A bar's total as the tables write it, to the euro ("40 940", "40,940"): cents would crowd a chart."""
    return babel.numbers.format_decimal(round(value), format="#,##0", locale=current_language.get())


def axis_label(axis: str) -> str:
    return _("Non affecté") if axis == NO_AXIS else _(AXES[axis])


def chart_set(b: dict[str, Any]) -> dict[str, Markup]:
    """The charts of a budget (`commons.budget.build`): by partner and kind, by axis, per site, projection."""
    kinds = [(k, _(label), KIND_COLOURS[k]) for k, (label, _unit) in KINDS.items()]
    axes = [(a, _(label), AXIS_COLOURS[a]) for a, label in SHORT_AXES.items()]
    given = [p for p in b["partners"] if p["euros"]]
    out = {
        "kinds": charts.stacked_bars(
            [(p["short_name"], {k: v["euros"] for k, v in p["by_kind"].items()}) for p in given],
            kinds,
            name="budget-kinds",
            title=_("Contributions valorisées, par partenaire et par nature"),
            desc=_("En euros, chaque nature valorisée par le tableau de valorisation."),
            unit=" €",
            fmt=whole_euros,
        ),
        "axes": charts.stacked_bars(
            [(p["short_name"], p["by_axis"]) for p in given],
            axes,
            name="budget-axes",
            title=_("Contributions valorisées, par axe de service"),
            desc=_("En euros ; « non affecté » : les apports sans axe (salles, matériel, argent…)."),
            unit=" €",
            fmt=whole_euros,
        ),
    }
    if b["base"]["sites"]:
        out["base"] = charts.stacked_bars(
            [(s["name"], _coverage(s)) for s in b["base"]["sites"]],
            [
                ("covered", _("besoin couvert"), "#1d6b2f"),
                ("gap", _("reste à financer"), "#a4161a"),
                ("beyond", _("au-delà du besoin"), "#1b4f8a"),
            ],
            name="budget-base",
            title=_("Base commune par lieu : besoin et apports"),
            desc=_(
                "En euros : ce qu'il faut pour faire vivre la base commune de chaque lieu, et ce qui y est apporté."
            ),
            unit=" €",
            fmt=whole_euros,
        )
    projection = b["projection"]
    if projection["lines"]:
        rows = [(str(b["year"]), {k: v["euros"] for k, v in b["totals"]["by_kind"].items()})]
        for i, year in enumerate(projection["years"]):
            by_kind: dict[str, float] = {}
            for line in projection["lines"]:
                by_kind[line["kind"]] = by_kind.get(line["kind"], 0.0) + line["values"][i]
            rows.append((str(year), by_kind))
        out["projection"] = charts.stacked_bars(
            rows,
            kinds,
            name="budget-projection",
            title=_("Projection sur trois ans"),
            desc=_("À partir des chiffres de l'année et du taux de croissance de chaque ligne."),
            unit=" €",
            fmt=whole_euros,
        )
    return out


def _coverage(site: dict[str, Any]) -> dict[str, float]:
    need, given = site["need"], site["contributed"]
    return {"covered": min(need, given), "gap": max(need - given, 0.0), "beyond": max(given - need, 0.0)}
