"""Form helpers of commons' pages: field problems as the messages shown beside each field."""

from __future__ import annotations

from quartier.i18n import gettext as _
from quartier.inputs import Invalid


def field_errors(e: Invalid) -> dict[str, str]:
    """{field: message in the reader's language}, the first problem of each field ("a.0.b" -> "a_0_b")."""
    out: dict[str, str] = {}
    for field, message, params in e.errors:
        out.setdefault(field.replace(".", "_"), _(message).format(**params))
    return out
