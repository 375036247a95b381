"""What the monitoring pages say about a screen, in words staff read at a glance.

The registry keeps what the agent or the page reported as raw JSON ({"agent": "browser",
"uptime": 12, ...}); the staff pages showed it as is ("browser", "0.0 h"). Here each value
becomes a phrase in the reader's language, durations and numbers through Babel.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import babel.dates
import babel.numbers

from quartier import i18n
from quartier.i18n import N_
from quartier.i18n import gettext as _
from signage.service import POWER_CONTROLS

AGENTS = {
    "browser": N_("navigateur seul (sans agent Raspberry Pi)"),
    "displays": N_("agent Raspberry Pi"),
}


def _locale() -> str:
    return str(i18n.locale(i18n.current_language.get()))


def duration(seconds: float) -> str:
    """ "3 minutes", "2 heures", "5 jours" (Babel rounds to the largest sensible unit)."""
    return babel.dates.format_timedelta(dt.timedelta(seconds=max(0, seconds)), threshold=1.5, locale=_locale())


def describe(health: dict[str, Any]) -> list[str]:
    """The lines of a screen's last heartbeat, most telling first."""
    lines: list[str] = []
    agent = health.get("agent")
    if agent:
        name = _(AGENTS[agent]) if agent in AGENTS else str(agent)
        version = health.get("agent_version")
        lines.append(_("{agent}, version {version}").format(agent=name, version=version) if version else name)
    if "browser_alive" in health:
        lines.append(_("navigateur actif") if health["browser_alive"] else _("navigateur arrêté"))
    if isinstance(health.get("uptime"), (int, float)):
        uptime = health["uptime"]  # (a page that has just loaded reports a few seconds: not "0 seconde")
        lines.append(
            _("démarré à l'instant")
            if uptime < 60
            else _("en marche depuis {duration}").format(duration=duration(uptime))
        )
    if isinstance(health.get("temperature"), (int, float)):
        lines.append(
            _("{n} °C").format(n=babel.numbers.format_decimal(round(health["temperature"], 1), locale=_locale()))
        )
    # The agent reports the memory in use ("memory") and the total: what is free is their difference.
    used, total = health.get("memory"), health.get("memory_total")
    free = total - used if isinstance(used, (int, float)) and isinstance(total, (int, float)) else None
    for value, label in ((free, N_("mémoire libre {n} Mo")), (health.get("disk"), N_("disque libre {n} Mo"))):
        if isinstance(value, (int, float)):
            lines.append(_(label).format(n=babel.numbers.format_decimal(round(value / 1048576), locale=_locale())))
    if health.get("power_control") in POWER_CONTROLS:
        power = _(POWER_CONTROLS[health["power_control"]])
        lines.append(power if health.get("power_ok", True) else _("{power} — ne répond pas").format(power=power))
    return lines


def last_seen(iso: str | None, now: dt.datetime | None = None) -> str:
    """ "il y a 2 minutes (02/12/2026 10:15)", or "jamais"."""
    if not iso:
        return _("jamais")
    seen = dt.datetime.fromisoformat(iso)
    now = now or dt.datetime.now(seen.tzinfo)
    ago = babel.dates.format_timedelta(seen - now, add_direction=True, threshold=1.5, locale=_locale())
    when = babel.dates.format_datetime(seen, "short", tzinfo=now.tzinfo, locale=_locale())
    return _("{ago} ({when})").format(ago=ago, when=when)
