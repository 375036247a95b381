"""The annual report's section "Contributions des partenaires": each partner's share of the year,
from the commons' budget (the same figures as /staff/budget and its exports)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils

from commons import queries
from commons.queries import KINDS


def figures(db: sqlite_utils.Database, year: int, today: dt.date) -> dict[str, Any]:
    """Totals in hours and euros, by kind, per partner that gave something, the common base's gap."""
    b = queries.budget(db, year, today)
    return {
        "euros": b["totals"]["euros"],
        "hours": b["totals"]["hours"],
        "by_kind": {k: v for k, v in b["totals"]["by_kind"].items() if v["euros"]},
        "partners": [
            {k: p[k] for k in ("key", "name", "circle", "hours", "euros", "share")} for p in b["partners"] if p["euros"]
        ],
        "need": b["base"]["need"],
        "gap": b["gap"],
    }


def csv_rows(c: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = [["contributions", p["key"], "euros", p["euros"]] for p in c["partners"]]
    rows += [["contributions", p["key"], "heures", p["hours"]] for p in c["partners"]]
    rows += [["contributions_nature", k, "euros", v["euros"]] for k, v in c["by_kind"].items()]
    rows += [["contributions", "total", "euros", c["euros"]], ["contributions", "total", "heures", c["hours"]]]
    if c["need"]:
        rows += [
            ["contributions", "base_commune", "besoin", c["need"]],
            ["contributions", "base_commune", "ecart", c["gap"]],
        ]
    return rows


def markdown(c: dict[str, Any], num: Any) -> list[str]:
    lines = [
        "",
        "## Contributions des partenaires",
        "",
        f"{num(c['euros'])} € d'apports valorisés, dont {num(c['hours'])} heures (valeurs du tableau de valorisation).",
        "",
        "| Partenaire | Cercle | Heures | Euros | Part |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {p['name']} | {p['circle']} | {num(p['hours'])} | {num(p['euros'])} | {num(p['share'])} % |"
        for p in c["partners"]
    ]
    lines += ["", "| Nature | Euros |", "|---|---:|"]
    lines += [f"| {KINDS[k][0]} | {num(v['euros'])} |" for k, v in c["by_kind"].items()]
    if c["need"]:
        lines += ["", f"Besoin de la base commune : {num(c['need'])} € ; écart à financer : {num(c['gap'])} €."]
    return lines
