"""Settings: one declared table (name, type, default, help), read from quartier.yaml.

Every setting is a field of `Settings` with its help text in the field's metadata,
so the sample config, the README table and the validation all come from one place.
"""

from __future__ import annotations

import dataclasses
import difflib
import ipaddress
import re
import secrets
import typing
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from quartier import features, i18n
from quartier.i18n import gettext as _
from quartier.inputs import to_week

CONFIG_FILE = "quartier.yaml"


def setting(default: typing.Any, help: str) -> typing.Any:
    """Declare one setting: its default and the help text shown in the sample config."""
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata={"help": help})
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    host: str = setting("127.0.0.1", "Address the server listens on.")
    port: int = setting(8080, "TCP port the server listens on.")
    database: str = setting(
        "quartier.db",
        "SQLite database file, relative to the folder of this file; or a PostgreSQL database, "
        "postgresql://user:password@host/name, for several hosts (docs/deploy.md).",
    )
    base_url: str = setting(
        "http://127.0.0.1:8080",
        "Public address of the server, printed in QR codes and on paper. "
        "Use https:// in production: cookies are then marked Secure.",
    )
    timezone: str = setting("Europe/Paris", "Timezone of the sites: every time is shown in it.")
    languages: list[str] = setting(
        ["fr", "en", "ar", "tr"],
        "Interface languages, the first one is the default; any language with catalogues "
        "(locale/<code>/LC_MESSAGES/messages.po), see README « Languages ».",
    )
    secret_key: str = setting(
        "",
        "Secret that signs CSRF tokens. `quartier init` writes a fresh one; "
        "when empty, a random one is made at each start (sessions do not survive a restart).",
    )
    changes_retention_days: int = setting(14, "Days the change history is kept for clients that reconnect.")
    notes_retention_days: int = setting(
        0, "Days after publication of the minutes before raw forum notes are anonymised (0: never)."
    )
    forum_blocklist: list[str] = setting(
        [],
        "Words or phrases (case and accents ignored) that send a forum note to the moderation "
        "queue instead of the wall, even on a post-moderated board.",
    )
    feedback_open_days: int = setting(
        7, "Days after a session during which its feedback form takes answers (it closes at midnight)."
    )
    feedback_forms_dir: str = setting(
        "", "Folder of extra feedback form templates (*.yaml), relative to this file; empty: the shipped ones."
    )
    forum_notes_per_minute: int = setting(
        10,
        "Forum notes one device may post per minute (a burst of as many, then one at a time). "
        "A person needs more than 20 s to write a note: this stops floods, not people.",
    )
    forum_notes_per_minute_board: int = setting(
        240, "Forum notes one board accepts per minute, whatever the devices (bursts of half as many)."
    )
    forum_notes_per_minute_address: int = setting(
        600,
        "Forum notes accepted per minute from one network address (a whole centre shares its Wi-Fi; "
        "bursts of a third as many).",
    )
    new_devices_per_hour_address: int = setting(
        60,
        "New resident device ids the server hands out per hour to one network address (bursts of half "
        "as many): it bounds how many voices clearing or forging cookies can buy.",
    )
    trusted_proxies: list[str] = setting(
        [],
        "Addresses of the reverse proxies in front of the server (127.0.0.1 for nginx on this host): for "
        "their requests the visitor's address is the last one of X-Forwarded-For and the scheme "
        "X-Forwarded-Proto, and connections_per_address does not bound them (the proxy does).",
    )
    allowed_origins: list[str] = setting(
        [],
        "Other origins (https://host) whose pages may open this server's staff or screen WebSockets with "
        "the visitor's cookies; the server's own is always allowed.",
    )
    request_header_timeout: int = setting(
        10, "Seconds a request's headers may take to arrive, from its first byte (slow clients are cut: 408)."
    )
    request_body_timeout: int = setting(30, "Seconds more a request's body may take to arrive.")
    connections_per_address: int = setting(
        1000, "Connections one network address may hold open at once (a centre's Wi-Fi is one address)."
    )
    websockets_per_address: int = setting(
        500, "Live WebSocket connections one network address may hold (phones, walls and screens of a centre)."
    )
    max_body_kb: int = setting(1024, "Largest request body accepted, in kilobytes.")
    log_level: str = setting("INFO", "Logging level: DEBUG, INFO, WARNING or ERROR.")
    dashboard_public: bool = setting(
        False, "Whether the service-time dashboard is public (true) or for staff only (false)."
    )
    means_catalogue_public: bool = setting(
        False, "Whether the equipment bank's catalogue (/banque-materiel) is public; it never shows borrowers."
    )
    service_baseline_week: str = setting(
        "", "ISO week (YYYY-Www) whose hours of service are the baseline of the goal; empty: no goal shown."
    )
    service_goal_factor: int = setting(
        2, "The goal in hours of service per week, as a multiple of the baseline week's hours."
    )
    embed_origins: list[str] = setting(
        [],
        "Partner sites allowed to show the programme widget (/embed/programme) in a frame, "
        "e.g. https://www.example.org or https://*.example.org; empty: any site.",
    )
    # Where the file was read from; not a setting, so not in the table.
    config_dir: Path = field(default=Path("."), metadata={"internal": True}, compare=False)

    @property
    def on_postgresql(self) -> bool:
        return self.database.startswith(("postgresql://", "postgres://"))

    @property
    def database_path(self) -> Path:
        """The SQLite file (what only SQLite has beside it: its limits, wake folder, backups)."""
        return (self.config_dir / self.database).resolve()

    @property
    def database_location(self) -> Path | str:
        """What quartier.db's Database opens: the SQLite file, or the PostgreSQL URL."""
        return self.database if self.on_postgresql else self.database_path

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    def replace(self, **changes: typing.Any) -> Settings:
        return dataclasses.replace(self, **changes)


class SettingsError(Exception):
    """A config file that cannot be used; the message is one readable line."""


def table() -> list[dataclasses.Field]:
    """The declared settings, in order, without internal fields."""
    return [f for f in dataclasses.fields(Settings) if not f.metadata.get("internal")]


def _types() -> dict[str, typing.Any]:
    return typing.get_type_hints(Settings)


def _default(f: dataclasses.Field) -> typing.Any:
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return f.default


def _check_type(name: str, value: typing.Any) -> str | None:
    """Return a hint if value does not fit the declared type of setting name."""
    expected = _types()[name]
    if expected is bool:
        ok = isinstance(value, bool)
        kind = _("true ou false")
    elif expected is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        kind = _("un nombre entier")
    elif expected is str:
        ok = isinstance(value, str)
        kind = _("du texte")
    elif typing.get_origin(expected) is list:
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        kind = _("une liste de textes")
    else:  # pragma: no cover - the table only uses the types above
        raise TypeError(expected)
    return None if ok else kind


def _validate(name: str, value: typing.Any) -> str | None:
    """Semantic checks beyond the type, returning a hint or None."""
    if name == "timezone":
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            return _("fuseau horaire inconnu, par exemple Europe/Paris")
    if name == "port" and not 0 <= value <= 65535:
        return _("un port entre 0 et 65535")
    if name == "base_url" and not value.startswith(("http://", "https://")):
        return _("une adresse qui commence par http:// ou https://")
    if name == "languages":
        known = i18n.catalogue_languages(features.packages())
        if not value or any(v not in known for v in value) or len(set(value)) != len(value):
            return _("une liste sans doublon parmi {languages}").format(languages=", ".join(known))
    if name == "service_baseline_week" and value and to_week(value) is None:
        return _("une semaine ISO, par exemple 2025-W10")
    if name == "service_goal_factor" and value < 1:
        return _("un nombre entier d'au moins 1")
    if name == "embed_origins" and any(not re.fullmatch(r"https?://(\*\.)?[A-Za-z0-9.-]+(:\d+)?", v) for v in value):
        return _("des origines comme https://www.exemple.org (sans chemin)")
    if name == "database" and re.match(r"^[a-z][a-z0-9+.-]*://", value) and not re.match(r"^postgres(ql)?://", value):
        return _("un fichier SQLite, ou une base PostgreSQL : postgresql://utilisateur:mot-de-passe@hôte/nom")
    if name == "trusted_proxies" and not all(_is_address(v) for v in value):
        return _("des adresses IP, par exemple 127.0.0.1")
    if name == "log_level" and value not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        return _("DEBUG, INFO, WARNING ou ERROR")
    if name.startswith("forum_notes_per_minute") and value < 1:
        return _("un nombre entier positif (une limite ne se désactive pas)")
    if name.endswith("_days") or name == "max_body_kb":
        if value < 0:
            return _("un nombre positif")
    return None


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def load(path: Path | None) -> Settings:
    """Read settings from a YAML file; built-in defaults when path is None.

    Raises SettingsError naming the file, the line and a hint.
    """
    if path is None:
        return Settings(secret_key=secrets.token_urlsafe(32))
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SettingsError(_("{file} : fichier introuvable").format(file=path)) from None
    except (OSError, UnicodeDecodeError) as e:
        raise SettingsError(_("{file} : illisible ({error})").format(file=path, error=e)) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        line, problem = yaml_error_where(e)
        raise SettingsError(
            _("{file}:{line} : YAML invalide ({problem}) ; vérifiez l'indentation et les deux-points").format(
                file=path, line=line, problem=problem
            )
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SettingsError(_("{file}:1 : le fichier doit contenir des lignes « nom: valeur »").format(file=path))
    lines = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _value in node.value:
            lines[key_node.value] = key_node.start_mark.line + 1
    known = {f.name: f for f in table()}
    values: dict[str, typing.Any] = {}
    for name, value in data.items():
        line = lines.get(name, 1)
        if name not in known:
            close = difflib.get_close_matches(str(name), known, n=1)
            hint = (
                _("vouliez-vous dire « {name} » ?").format(name=close[0])
                if close
                else _("les réglages possibles sont listés dans le README")
            )
            raise SettingsError(
                _("{file}:{line} : réglage inconnu « {name} » ; {hint}").format(
                    file=path, line=line, name=name, hint=hint
                )
            )
        wrong = _check_type(name, value) or _validate(name, value)
        if wrong:
            raise SettingsError(
                _("{file}:{line} : valeur invalide pour « {name} » ; attendu : {hint}").format(
                    file=path, line=line, name=name, hint=wrong
                )
            )
        values[name] = value
    if not values.get("secret_key"):
        values["secret_key"] = secrets.token_urlsafe(32)
    return Settings(config_dir=path.parent.resolve(), **values)


def yaml_error_where(e: yaml.YAMLError) -> tuple[int, str]:
    """The 1-based line and the problem of a YAML error, for a message a person can act on."""
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    return (mark.line + 1 if mark else 1), (getattr(e, "problem", None) or str(e))


def find_config(path: str | None) -> Path | None:
    """The config to use: the one named, else ./quartier.yaml when present, else none."""
    if path:
        return Path(path)
    default = Path(CONFIG_FILE)
    return default if default.exists() else None


def sample(**overrides: typing.Any) -> str:
    """A commented quartier.yaml with every setting, a fresh secret and the given overrides."""
    values = {f.name: _default(f) for f in table()}
    values["secret_key"] = secrets.token_urlsafe(32)
    values.update(overrides)
    out = ["# Quartier settings. Every setting is optional; the defaults are shown.", ""]
    for f in table():
        out.append(f"# {f.metadata['help']}")
        dumped = yaml.safe_dump({f.name: values[f.name]}, allow_unicode=True, default_flow_style=True)
        out.append(dumped.strip().removeprefix("{").removesuffix("}"))
        out.append("")
    return "\n".join(out)
