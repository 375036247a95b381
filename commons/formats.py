"""Figures as the budget's pages show them, in the reader's language (euros, hours, percentages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import babel.dates
import babel.numbers
from aiohttp import web

from quartier.typedefs import LANGUAGE


def formatters(request: web.Request) -> dict[str, Any]:
    lang = request.get(LANGUAGE, "fr")

    def euros(value: float | None) -> str:
        return babel.numbers.format_currency(value or 0, "EUR", locale=lang, format_type="standard")

    def number(value: float | None) -> str:
        return babel.numbers.format_decimal(round(value or 0, 2), format="#,##0.##", locale=lang)

    def percent(value: float | None) -> str:
        return babel.numbers.format_decimal(value or 0, format="0.#", locale=lang) + " %"

    def date(value: dt.date) -> str:
        return babel.dates.format_date(value, "long", locale=lang)  # 1 décembre 2026, December 1, 2026

    return {"euros": euros, "number": number, "percent": percent, "date": date}
