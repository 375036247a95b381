"""Translations: French is the source language, every other language comes from catalogues.

Message ids are the French texts, so a French reader always sees the real text even
where a translation is missing. Each package keeps `locale/<code>/LC_MESSAGES/messages.po`
(en, ar, tr…); they are merged when a language is first used (no compile step, no binary files
in the repository). A language is data: its catalogues and one entry of the `languages` setting;
its name, its direction (`dir="rtl"` for Arabic) and its plural forms come from Babel and the
catalogue's header.
The current language lives in a context variable that the locale middleware sets
per request and the CLI sets from the environment.
"""

from __future__ import annotations

import functools
import importlib.resources
import io
import json
import os
import threading
from contextvars import ContextVar
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from markupsafe import Markup

SOURCE_LANGUAGE = "fr"
# The languages in which our own data (the built-in feedback forms) must give every text;
# the interface's languages are the `languages` setting, any language that has catalogues.
LANGUAGES = ("fr", "en")
UNTRANSLATED_KEPT = 2000  # message ids remembered per language (a test reads them; memory stays bounded)

current_language: ContextVar[str] = ContextVar("current_language", default=SOURCE_LANGUAGE)

_catalogues: dict[str, NullTranslations] = {}
_packages: tuple[str, ...] = ()
_lock = threading.Lock()
# Message ids a page asked for in a language whose catalogues lack them (tests/test_languages.py).
untranslated: dict[str, set[str]] = {}


def load_catalogues(packages: list[str]) -> None:
    """Use the .po catalogues of these packages; a language's are merged when it is first needed.

    Parsing them cost tens of milliseconds at every start-up (twice for `quartier serve`),
    for a language most runs of a command never show.
    """
    global _packages
    packages_ = tuple(packages)
    with _lock:
        if packages_ != _packages:
            _packages = packages_
            _catalogues.clear()


def _merge(language: str, packages: tuple[str, ...]) -> NullTranslations:
    # The first catalogue found is the base: its header gives the language's plural forms
    # (six in Arabic), which merging into an empty Translations would lose.
    merged: Translations | None = None
    for package in packages:
        po = importlib.resources.files(package) / "locale" / language / "LC_MESSAGES" / "messages.po"
        if not po.is_file():
            continue
        with po.open("rb") as f:
            catalog = read_po(f, locale=language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        if merged is None:
            merged = Translations(buffer)
        else:
            merged.merge(Translations(buffer))
    return merged if merged is not None else Translations()


def _catalogue(language: str | None = None) -> NullTranslations | None:
    language = language or current_language.get()
    if language == SOURCE_LANGUAGE:
        return None
    catalogue = _catalogues.get(language)
    if catalogue is None:
        with _lock:
            catalogue = _catalogues.get(language)
            if catalogue is None:
                catalogue = _catalogues[language] = _merge(language, _packages)
    return catalogue


def gettext(message: str) -> str:
    """Translate a French message into the current language."""
    catalogue = _catalogue()
    if catalogue is None:
        return message
    if message not in catalogue._catalog:
        _note_untranslated(message)
    return catalogue.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The plural form of the current language (Arabic has six, Turkish and English two)."""
    catalogue = _catalogue()
    if catalogue:
        if (singular, 0) not in catalogue._catalog:
            _note_untranslated(singular)
        return catalogue.ngettext(singular, plural, n)
    return singular if n in (0, 1) else plural  # French counts 0 as singular


def _note_untranslated(message: str) -> None:
    seen = untranslated.setdefault(current_language.get(), set())
    if len(seen) < UNTRANSLATED_KEPT:
        seen.add(message)


def catalogue_languages(packages: list[str]) -> list[str]:
    """The source language and every language some package has a catalogue for."""
    found = {SOURCE_LANGUAGE}
    for package in packages:
        root = importlib.resources.files(package) / "locale"
        if root.is_dir():
            found.update(d.name for d in root.iterdir() if (d / "LC_MESSAGES" / "messages.po").is_file())
    return sorted(found)


def language_name(code: str) -> str:
    """A language's name in itself, for the switcher: "Français", "English", "العربية", "Türkçe"."""
    name = locale(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


PLURAL_SAMPLES = (0, 1, 2, 3, 11, 100, 1000000)  # one number of each CLDR category in every language we know


def plural_forms(singular: str, plural: str) -> str:
    """JSON {CLDR category: text} of a plural message in the current language, for pages' scripts:
    `Intl.PluralRules(lang).select(n)` picks the form (Arabic's "two" and "few" are not "other")."""
    code = current_language.get()
    rule = locale(code).plural_form
    forms: dict[str, str] = {}
    for n in PLURAL_SAMPLES:
        forms.setdefault(rule(n), ngettext(singular, plural, n))
    return json.dumps(forms, ensure_ascii=False)


def direction(code: str) -> str:
    """ "rtl" for a language written right to left (Arabic), else "ltr": the pages' `dir`."""
    return "rtl" if locale(code).character_order == "right-to-left" else "ltr"


def template_globals() -> dict[str, Any]:
    """`_`, `gettext`, `ngettext` and `translated` for Jinja templates.

    Jinja's own "newstyle" gettext %-formats its result, so data that reached it answered 500
    (`100% femmes`) or became HTML once marked safe (an audience of `<meta ...>`). Here `_()` takes
    a literal message of ours: its translation is trusted markup whose `.format()` escapes its
    arguments, and nothing is %-formatted: `{{ _("Compte rendu : {title}").format(title=t) }}`.
    `translated(value)` is for data that may be stored as a French message id (a default theme
    label): shown in the page's language when it is one, as typed otherwise, and escaped either
    way. `ngettext` fills `%(num)d`. A test refuses any `_()` in a template on something else than
    a literal.
    """
    return {
        "_": _template_gettext,
        "gettext": _template_gettext,
        "ngettext": _template_ngettext,
        "translated": _translated,
        "language_name": language_name,
        "direction": direction,
        "plural_forms": plural_forms,
    }


def _template_gettext(message: str) -> Markup:
    return Markup(gettext(message))  # our own message ids and their translations: trusted


def _template_ngettext(singular: str, plural: str, n: int) -> Markup:
    return Markup(ngettext(singular, plural, n).replace("%(num)d", str(int(n))))


def _translated(value: Any) -> Markup:
    text = str(value)
    catalogue = _catalogue()
    if catalogue is None:
        return Markup.escape(text)
    # Data as typed is no message of ours; one of ours (English has them all) missing here is.
    if text not in catalogue._catalog and text in getattr(_catalogue("en"), "_catalog", {}):
        _note_untranslated(text)
    return Markup.escape(catalogue.gettext(text))


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated later, where it is shown."""
    return message


def negotiate(accept_language: str | None, available: list[str] | tuple[str, ...]) -> str:
    """The best of the available languages for an Accept-Language header."""
    if accept_language and len(accept_language) > 200:  # not worth keeping (nor a way to fill memory)
        return _negotiate.__wrapped__(accept_language, tuple(available))
    return _negotiate(accept_language, tuple(available))


@functools.lru_cache(maxsize=1024)
def _negotiate(accept_language: str | None, available: tuple[str, ...]) -> str:
    # Browsers send a handful of distinct headers; babel's negotiation took 8 % of the
    # event loop on every request of a cached page (issue 11).
    if accept_language:
        preferred = []
        for part in accept_language.split(","):
            tag, _, q = part.strip().partition(";q=")
            try:
                weight = float(q) if q else 1.0
            except ValueError:
                weight = 0.0
            if tag:
                preferred.append((weight, tag.strip()))
        preferred.sort(key=lambda p: -p[0])
        match = Locale.negotiate([t for w, t in preferred if w > 0], list(available), sep="-")
        if match:
            return match.language
    return available[0]


def language_from_environment(available: list[str] | tuple[str, ...] = LANGUAGES) -> str:
    """The CLI's language, from LANGUAGE, LC_ALL, LC_MESSAGES or LANG (French by default)."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        code = value.split(":")[0].split("_")[0].split(".")[0].lower()
        if code in available:
            return code
        if code and code not in ("c", "posix"):
            return available[0]
    return available[0]


def locale(language: str) -> Locale:
    try:
        return Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(SOURCE_LANGUAGE)
