"""How a session's schedule reads, in whole translated sentences.

The session page used to assemble "Chaque semaine, mercredi , 09:00" from pieces in the
template (a stray space, a weekday cut out of a formatted date, no English word order).
"""

from __future__ import annotations

from events.model import Rule
from quartier import formats
from quartier.i18n import N_
from quartier.i18n import gettext as _

ORDINALS = {1: N_("premier"), 2: N_("deuxième"), 3: N_("troisième"), 4: N_("quatrième"), -1: N_("dernier")}


def schedule(rule: Rule) -> str:
    """ "Chaque semaine, le mercredi, 09:00–12:00, jusqu'au 3 juillet 2026" / "Every week on Wednesday, …"."""
    weekday = formats.weekday(rule.first)
    if rule.every == "weekly":
        if rule.interval == 1:
            when = _("Chaque semaine, le {weekday}").format(weekday=weekday)
        else:
            when = _("Toutes les {n} semaines, le {weekday}").format(n=rule.interval, weekday=weekday)
    elif rule.every == "monthly":
        nth = _(ORDINALS[rule.weekday().n or 1])
        if rule.interval == 1:
            when = _("Chaque mois, le {nth} {weekday}").format(nth=nth, weekday=weekday)
        else:
            when = _("Tous les {n} mois, le {nth} {weekday}").format(n=rule.interval, nth=nth, weekday=weekday)
    else:
        when = formats.ucfirst(formats.day_year(rule.first))
    text = _("{when}, {start}–{end}").format(when=when, start=formats.hour(rule.start), end=formats.hour(rule.end))
    if rule.every and rule.until:
        text = _("{schedule}, jusqu'au {date}").format(schedule=text, date=formats.date(rule.until))
    return text
