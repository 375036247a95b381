"""The agent's own page: the pairing code in large type, with the Pi's address.

A plain `string.Template` (no Jinja on the Pi): every value is escaped here, the French
texts go through the agent's catalogue.
"""

from __future__ import annotations

import functools
import html
from pathlib import Path
from string import Template

from displays import i18n
from displays.i18n import gettext as _

TEMPLATE = Path(__file__).parent / "templates" / "pair.html"


@functools.cache
def _template() -> Template:
    return Template(TEMPLATE.read_text(encoding="utf-8"))


def _p(cls: str, text: str, **attrs: str) -> str:
    extra = "".join(f' {k}="{html.escape(v)}"' for k, v in attrs.items())
    return f'<p class="{cls}"{extra}>{html.escape(text)}</p>'


def pairing_page(*, code: str | None, paired: bool, address: str, server: str, power: str = "") -> str:
    """Paired and loading, a code to type, or still looking for the server."""
    if paired:
        title, main = _("Écran jumelé"), _p("hint", _("Chargement du programme…"))
    elif code:
        staff_url = server.rstrip("/") + "/staff/screens"
        title = _("Écran à jumeler")
        main = _p("code", f"{code[:3]} {code[3:]}", id="code", **{"aria-label": _("Code de jumelage")})
        main += "\n    " + _p(
            "hint", _("Sur {url}, tapez ce code sous « Jumeler un nouvel écran ».").format(url=staff_url)
        )
    else:
        title = _("Écran à jumeler")
        main = _p("hint", _("Connexion au serveur {server}…").format(server=server))
    return _template().substitute(
        lang=i18n.language(),
        title=html.escape(title),
        main=main,
        address=html.escape(_("Adresse de cet appareil : {address}").format(address=address)),
        power=html.escape(power),
    )
