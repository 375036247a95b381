"""Feedback form templates: YAML files checked at load (a template that breaks a rule is refused
with its file and line, in one line: FormError is a SettingsError, so `quartier serve` stops with
that line), the shipped ones and the running server's."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import yaml

from quartier.i18n import gettext as _
from quartier.settings import yaml_error_where
from reports.form_model import DEFAULT, FACES, NAME_RE, Choice, Form, FormError, FormSet, Question, label
from reports.forms_yaml import FormParser

__all__ = [
    "DEFAULT",
    "FACES",
    "Choice",
    "Form",
    "FormError",
    "FormSet",
    "Question",
    "active",
    "activate",
    "label",
    "load_dir",
]


def shipped_dir() -> Path:
    return Path(str(files("reports") / "feedback_forms"))


def load_dir(*folders: Path) -> FormSet:
    """Every `*.yaml` of the folders (later folders replace earlier templates of the same name)."""
    forms: dict[str, Form] = {}
    for folder in folders:
        if not folder.is_dir():
            raise FormError(_("{folder} : dossier de questionnaires introuvable").format(folder=folder))
        for path in sorted(folder.glob("*.yaml")):
            form = load_file(path)
            forms[form.name] = form
    return FormSet(forms.values())


_shipped: FormSet | None = None
_active: FormSet | None = None


def shipped() -> FormSet:
    """The templates that come with Quartier (read once)."""
    global _shipped
    if _shipped is None:
        _shipped = load_dir(shipped_dir())
    return _shipped


def activate(forms: FormSet) -> None:
    """Make `forms` the set that `active()` returns (called when the app is set up)."""
    global _active
    _active = forms


def active() -> FormSet:
    """The templates of the running server, or the shipped ones (for commands and reports)."""
    return _active or shipped()


def load_file(path: Path) -> Form:
    """Read and check one template; its name is the file's name without `.yaml`."""
    name = path.stem
    if not NAME_RE.match(name):
        raise FormError(
            _("{file}:1 : nom de fichier invalide ; utilisez des minuscules, chiffres et tirets").format(file=path)
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise FormError(_("{file} : illisible ({error})").format(file=path, error=e)) from None
    return parse(text, name=name, source=str(path))


def parse(text: str, *, name: str = DEFAULT, source: str = "<form>") -> Form:
    """Check a template's YAML text and build its Form; FormError names the line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        line, problem = yaml_error_where(e)
        raise FormError(
            _("{file}:{line} : YAML invalide ({problem}) ; vérifiez l'indentation et les deux-points").format(
                file=source, line=line, problem=problem
            )
        ) from None
    return FormParser(source).form(node, name)
