"""The agent's translations, read from its own catalogue with no dependency at all.

French is the source language (message ids are the French texts), English comes from
`locale/en/LC_MESSAGES/messages.po`, the catalogue `make messages` keeps up to date. The Pi
has neither babel nor the server's i18n: this reads the few plain entries the agent has
(msgid / msgstr, continuation lines, C escapes; fuzzy and obsolete entries are skipped).
"""

from __future__ import annotations

import ast
import functools
import os
from pathlib import Path

SOURCE_LANGUAGE = "fr"
LANGUAGES = ("fr", "en")
LOCALE_DIR = Path(__file__).parent / "locale"

_language = SOURCE_LANGUAGE


def parse_po(text: str) -> dict[str, str]:
    """{msgid: msgstr} of a .po file's translated, non-fuzzy entries."""
    entries: dict[str, str] = {}
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    current: list[str] | None = None
    fuzzy = False

    def flush() -> None:
        if msgid is not None and msgstr is not None and not fuzzy:
            key, value = "".join(msgid), "".join(msgstr)
            if key and value:
                entries[key] = value

    for raw in [*text.splitlines(), ""]:
        line = raw.strip()
        if not line or line.startswith("#~"):
            flush()
            msgid = msgstr = current = None
            fuzzy = False
            continue
        if line.startswith("#"):
            fuzzy = fuzzy or ("fuzzy" in line and line.startswith("#,"))
            continue
        keyword, _, rest = line.partition(" ")
        if keyword == "msgid":
            flush()
            msgid, msgstr = [], None
            current = msgid
        elif keyword == "msgstr":
            msgstr = []
            current = msgstr
        elif not line.startswith('"'):
            current = None  # msgctxt, msgid_plural, msgstr[n]: the agent uses none of them
            continue
        else:
            rest = line
        if current is not None:
            current.append(ast.literal_eval(rest))
    return entries


@functools.cache
def catalogue(language: str) -> dict[str, str]:
    if language == SOURCE_LANGUAGE:
        return {}
    try:
        return parse_po((LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8"))
    except OSError:
        return {}


def language_from_environment() -> str:
    """The language of the Pi, from LANGUAGE, LC_ALL, LC_MESSAGES or LANG (French by default)."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        code = os.environ.get(var, "").split(":")[0].split("_")[0].split(".")[0].lower()
        if code in LANGUAGES:
            return code
        if code and code not in ("c", "posix"):
            return SOURCE_LANGUAGE
    return SOURCE_LANGUAGE


def set_language(language: str) -> None:
    global _language
    _language = language if language in LANGUAGES else SOURCE_LANGUAGE


def language() -> str:
    return _language


def gettext(message: str) -> str:
    """Translate a French message into the agent's language."""
    return catalogue(_language).get(message, message)


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


set_language(language_from_environment())
