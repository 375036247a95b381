"""The budget of a year: every partner's contributions in hours and in euros, by kind and by service
axis, each one's share of the whole, the cost of each site's common base and the gap, and a
three-year projection. One function computes it; the page, the ODS and CSV exports, the API and the
annual report all show its figures, so they add up to the same totals.

Every line is valued once (rounded to the cent) and every total is a sum of those values.

    b = await db.read(lambda d: build(d, 2026, today))
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import sqlite_utils

from commons import contributions, valuation
from commons.valuation import KINDS
from events import queries
from events.model import AXES

PROJECTION_YEARS = 3
NO_AXIS = "none"
BASE_LINE = "base"


def build(db: sqlite_utils.Database, year: int, today: dt.date, partner_id: int | None = None) -> dict[str, Any]:
    """The budget of `year` (see the module's docstring); with `partner_id`, only that partner's part."""
    rates = valuation.rates(db, year)
    lines = _lines(db, year, today, rates)
    registry = {p["key"]: p for p in queries.partners(db)}
    total = round(sum(line["euros"] for line in lines), 2)
    rows = _partners(lines, registry, total)
    base = _base(db, rates, lines)
    growth = _growth(db, year)
    out = {
        "year": year,
        "period": contributions.period(year, today),
        "rates": rates,
        "lines": lines,
        "partners": rows,
        "totals": _totals(lines),
        "base": base,
        "gap": round(base["need"] - total, 2),
        "projection": project(rows, base, growth, year),
        "growth": growth,
        "scope": "all",
    }
    if partner_id is not None:
        own = next((p["key"] for p in registry.values() if p["id"] == partner_id), None)
        out = _restricted(out, own)
    return out


def _lines(db: sqlite_utils.Database, year: int, today: dt.date, rates: dict[str, Any]) -> list[dict[str, Any]]:
    """Every valued line: the salaried hours of each session, then each typed contribution."""
    lines = []
    for r in contributions.salaried(db, year, today):
        lines.append(
            {
                "source": "programme",
                "partner": r["partner"],
                "partner_name": r["partner_name"],
                "kind": "salaried_hours",
                "item": None,
                "what": r["title"],
                "date": None,
                "quantity": r["hours"],
                "held": r["held"],
                "site": r["site"],
                "axis": r["axis"],
                "euros": valuation.euros(rates, "salaried_hour", r["hours"]),
            }
        )
    for t in contributions.typed(db, year):
        rule = valuation.rule_of(t["kind"], t["item"])
        lines.append(
            {
                "source": "typed",
                "id": t["id"],
                "partner": t["partner"],
                "partner_name": t["partner_name"],
                "kind": t["kind"],
                "item": t["item"],
                "what": t["note"],
                "date": t["date"],
                "quantity": round(t["quantity"], 2),
                "site": t["site"],
                "axis": t["axis"],
                "euros": valuation.euros(rates, rule, t["quantity"]),
            }
        )
    return lines


def _partners(lines: list[dict[str, Any]], registry: dict[str, Any], total: float) -> list[dict[str, Any]]:
    """One row per partner of the registry: hours, euros, by kind, by axis, share of the whole."""
    rows = {}
    for key, p in registry.items():
        rows[key] = {
            "key": key,
            "name": p["name"],
            "short_name": p["short_name"] or p["name"],
            "circle": p["circle"],
            "hours": 0.0,
            "euros": 0.0,
            "by_kind": {k: {"quantity": 0.0, "euros": 0.0} for k in KINDS},
            "by_axis": dict.fromkeys([*AXES, NO_AXIS], 0.0),
        }
    for line in lines:
        row = rows[line["partner"]]
        row["euros"] += line["euros"]
        if line["kind"] in ("salaried_hours", "volunteer_hours"):
            row["hours"] += line["quantity"]
        kind = row["by_kind"][line["kind"]]
        kind["quantity"] += line["quantity"]
        kind["euros"] += line["euros"]
        row["by_axis"][line["axis"] or NO_AXIS] += line["euros"]
    for row in rows.values():
        row["hours"], row["euros"] = round(row["hours"], 2), round(row["euros"], 2)
        row["share"] = round(100 * row["euros"] / total, 1) if total else 0.0
        for kind in row["by_kind"].values():
            kind["quantity"], kind["euros"] = round(kind["quantity"], 2), round(kind["euros"], 2)
        row["by_axis"] = {a: round(v, 2) for a, v in row["by_axis"].items()}
    return sorted(rows.values(), key=lambda r: (-r["euros"], r["name"].casefold()))


def _totals(lines: list[dict[str, Any]]) -> dict[str, Any]:
    by_kind: dict[str, dict[str, float]] = {k: {"quantity": 0.0, "euros": 0.0} for k in KINDS}
    by_axis = dict.fromkeys([*AXES, NO_AXIS], 0.0)
    for line in lines:
        by_kind[line["kind"]]["quantity"] += line["quantity"]
        by_kind[line["kind"]]["euros"] += line["euros"]
        by_axis[line["axis"] or NO_AXIS] += line["euros"]
    hours = sum(line["quantity"] for line in lines if line["kind"] in ("salaried_hours", "volunteer_hours"))
    return {
        "euros": round(sum(line["euros"] for line in lines), 2),
        "hours": round(hours, 2),
        "by_kind": {
            k: {"quantity": round(v["quantity"], 2), "euros": round(v["euros"], 2)} for k, v in by_kind.items()
        },
        "by_axis": {a: round(v, 2) for a, v in by_axis.items()},
    }


def _base(db: sqlite_utils.Database, rates: dict[str, Any], lines: list[dict[str, Any]]) -> dict[str, Any]:
    """Each site's common base: what it takes to run it (valued needs), what was contributed there, the gap."""
    needs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in db.conn.execute(
        "SELECT n.id, n.kind, n.quantity, n.note, s.slug FROM commons_site_needs n JOIN sites s ON s.id = n.site_id "
        "ORDER BY s.name, n.id"
    ):
        needs[r["slug"]].append({**dict(r), "euros": valuation.euros(rates, r["kind"], r["quantity"])})
    given: dict[str, float] = defaultdict(float)
    for line in lines:
        if line["site"]:
            given[line["site"]] += line["euros"]
    sites = []
    for s in queries.sites(db):
        need = round(sum(n["euros"] for n in needs.get(s["slug"], [])), 2)
        contributed = round(given.get(s["slug"], 0.0), 2)
        if need or contributed:
            sites.append(
                {
                    "site": s["slug"],
                    "name": s["name"],
                    "needs": needs.get(s["slug"], []),
                    "need": need,
                    "contributed": contributed,
                    "gap": round(need - contributed, 2),
                }
            )
    return {"sites": sites, "need": round(sum(s["need"] for s in sites), 2)}


def _growth(db: sqlite_utils.Database, year: int) -> dict[str, float]:
    rows = db.conn.execute("SELECT line, rate FROM commons_growth WHERE base_year = ?", (year,))
    return {r["line"]: r["rate"] for r in rows}


def line_key(partner: str, kind: str) -> str:
    """A projection line's name: a partner's key and a contribution kind."""
    return f"{partner}:{kind}"


def project(rows: list[dict[str, Any]], base: dict[str, Any], growth: dict[str, float], year: int) -> dict[str, Any]:
    """The next years from this year's figures, each line growing by its rate (% a year, 0 by default)."""
    years = [year + n for n in range(1, PROJECTION_YEARS + 1)]
    lines = []
    for row in rows:
        for kind, figures in row["by_kind"].items():
            if not figures["euros"]:
                continue
            rate = growth.get(line_key(row["key"], kind), 0.0)
            values = [round(figures["euros"] * (1 + rate / 100) ** n, 2) for n in range(1, PROJECTION_YEARS + 1)]
            lines.append(
                {"line": line_key(row["key"], kind), "partner": row["key"], "name": row["name"], "kind": kind}
                | {"rate": rate, "start": figures["euros"], "values": values}
            )
    base_rate = growth.get(BASE_LINE, 0.0)
    need = [round(base["need"] * (1 + base_rate / 100) ** n, 2) for n in range(1, PROJECTION_YEARS + 1)]
    totals = [round(sum(line["values"][i] for line in lines), 2) for i in range(PROJECTION_YEARS)]
    return {
        "years": years,
        "lines": lines,
        "base_rate": base_rate,
        "need": need,
        "totals": totals,
        "gaps": [round(n - t, 2) for n, t in zip(need, totals, strict=True)],
    }


def _restricted(out: dict[str, Any], own: str | None) -> dict[str, Any]:
    """A partner account's view: its own lines, row and projection, its share; no other partner's figures."""
    lines = [line for line in out["lines"] if line["partner"] == own]
    rows = [r for r in out["partners"] if r["key"] == own]
    projection = dict(out["projection"])
    projection["lines"] = [line for line in projection["lines"] if line["partner"] == own]
    projection["totals"] = [
        round(sum(line["values"][i] for line in projection["lines"]), 2) for i in range(PROJECTION_YEARS)
    ]
    projection.update(need=[], gaps=[], base_rate=0.0)
    growth = {k: v for k, v in out["growth"].items() if k.startswith(f"{own}:")}
    return out | {
        "lines": lines,
        "partners": rows,
        "totals": _totals(lines),
        "base": {"sites": [], "need": 0.0},
        "gap": None,
        "projection": projection,
        "growth": growth,
        "scope": own,
    }
