"""The agent's own page: the pairing code in large type, with the Pi's address."""

from __future__ import annotations

from pathlib import Path

import jinja2

from quartier import i18n

TEMPLATE_DIR = Path(__file__).parent / "templates"

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
    autoescape=True,
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]


def pairing_page(*, code: str | None, paired: bool, address: str, server: str, port: int) -> str:
    return _env.get_template("displays/pair.html").render(
        lang=i18n.current_language.get(),
        code=code,
        code_display=f"{code[:3]} {code[3:]}" if code else "",
        paired=paired,
        address=address,
        server=server,
        staff_url=server.rstrip("/") + "/staff/screens",
        port=port,
    )
