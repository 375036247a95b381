"""Every French text in code and templates has its English translation."""

import re
from importlib.resources import files

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from quartier import features, i18n

METHOD_MAP = [("**/templates/**.html", "jinja2"), ("**/templates/**.svg", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**": {"extensions": "jinja2.ext.i18n"}}


@pytest.mark.parametrize("package", features.translated_packages())
def test_every_text_has_an_english_translation(package):
    root = files(package)
    po = root / "locale" / "en" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        catalog = read_po(f, locale="en")
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in catalog
        if m.string and (m.string if isinstance(m.string, str) else all(m.string))
    }
    missing = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(root), method_map=METHOD_MAP, options_map=OPTIONS
    ):
        msgid = message if isinstance(message, str) else message[0]
        if msgid and msgid not in translated:
            missing.add(msgid)
    assert not missing, f"run `make messages` and translate in {po}: {sorted(missing)}"


def test_negotiation():
    assert i18n.negotiate("en-US,en;q=0.9", ["fr", "en"]) == "en"
    assert i18n.negotiate("de-DE, fr;q=0.5", ["fr", "en"]) == "fr"
    assert i18n.negotiate("de", ["fr", "en"]) == "fr"
    assert i18n.negotiate("en;q=0, fr;q=0.1", ["fr", "en"]) == "fr"
    assert i18n.negotiate(None, ["en", "fr"]) == "en"


BRACE_FIELD = re.compile(r"(?<!\{)\{(\w+)[^{}]*\}(?!\})")
PERCENT_FIELD = re.compile(r"%\((\w+)\)[sd]")


def _catalogues(package):
    for po in (files(package) / "locale").iterdir():
        path = po / "LC_MESSAGES" / "messages.po"
        if path.is_file():
            with path.open("rb") as f:
                yield path, read_po(f, locale=po.name)


@pytest.mark.parametrize("package", features.translated_packages())
def test_translations_name_the_same_placeholders(package):
    """A translation that renames {axe} to {axis} would raise KeyError (or print the brace) at run time."""
    wrong = []
    for path, catalog in _catalogues(package):
        for message in catalog:
            if not message.id or not message.string:
                continue
            ids = [message.id] if isinstance(message.id, str) else list(message.id)
            strings = [message.string] if isinstance(message.string, str) else list(message.string)
            for pattern, flag in ((BRACE_FIELD, "python-brace-format"), (PERCENT_FIELD, "python-format")):
                if flag not in message.flags or f"no-{flag}" in message.flags:
                    continue
                expected = set(pattern.findall(ids[0])) | set(pattern.findall(ids[-1]))
                for string in strings:
                    found = set(pattern.findall(string or ""))
                    # A plural form may leave the number out ("un caractère"), never name an unknown field.
                    if string and (found - expected or (len(strings) == 1 and found != expected)):
                        wrong.append(f"{path}: {ids[0]!r} -> {string!r}")
    assert not wrong, "\n".join(wrong)
