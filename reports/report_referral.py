"""The annual report's referral section: "où avons-nous renvoyé, pour quoi", from the slips printed.

The counts come from `referral.queries.slip_counts` (the month, the need, the site asked from and
the destination of each slip; nothing about the person), for the months of the report's period.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils

from referral import queries as referral


def figures(db: sqlite_utils.Database, start: dt.date, until: dt.date) -> dict[str, Any]:
    """Slips per need, site and destination over the period (a period not begun counts nothing)."""
    return referral.slip_counts(db, start, until)


def csv_rows(r: dict[str, Any]) -> list[list[Any]]:
    found = r["referrals"]
    rows: list[list[Any]] = [["orientation", "total", "tickets", found["total"]]]
    rows += [["orientation_besoin", n["need"], n["label"], n["count"]] for n in found["by_need"]]
    rows += [["orientation_lieu", s["site"] or "-", "", s["count"]] for s in found["by_site"]]
    rows += [["orientation_destination", d["destination"], d["kind"], d["count"]] for d in found["by_destination"]]
    return rows


def markdown(r: dict[str, Any]) -> list[str]:
    found = r["referrals"]
    lines = ["", "## Où avons-nous renvoyé, pour quoi", "", f"{found['total']} tickets d'orientation imprimés.", ""]
    if not found["total"]:
        return lines
    lines += ["| Besoin | Tickets |", "|---|---:|"] + [f"| {n['label']} | {n['count']} |" for n in found["by_need"]]
    lines += ["", "| Vers | Tickets |", "|---|---:|"]
    return lines + [f"| {d['destination']} | {d['count']} |" for d in found["by_destination"]]
