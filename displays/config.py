"""The agent's settings: command-line flags, optionally a small YAML file (flags win).

    # /etc/quartier/display.yaml
    server: https://quartier.example.org
    cache: /var/lib/quartier-display
    port: 8088
    power: auto                # or cec, kiosk, wlr-randr, vcgencmd, none, or {on: [argv…], off: [argv…]}
    browser: false             # true: the agent starts Chromium itself and watches it
    browser_command: [chromium, --kiosk, …]   # optional; the URL is appended
    browser_restart: [sudo, systemctl, restart, quartier-kiosk.service]  # when the kiosk unit runs it

Commands are argv lists, run without a shell.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from displays.i18n import N_
from displays.i18n import gettext as _
from displays.power import PRESETS

DESCRIPTION = N_("l'agent d'écran du Raspberry Pi (garde le programme hors connexion)")
DEFAULT_PORT = 8088
DEFAULT_CACHE = "/var/lib/quartier-display"

# Chromium in kiosk mode, frugal: one renderer, no background work, small caches, no
# crash bubble after a power cut, no translation prompt, no first-run page.
CHROMIUM_FLAGS = [
    "--kiosk",
    "--noerrdialogs",
    "--disable-infobars",
    "--no-first-run",
    "--disable-session-crashed-bubble",
    "--disable-features=Translate,MediaRouter,OptimizationHints",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--renderer-process-limit=1",
    "--process-per-site",
    "--disk-cache-size=16000000",
    "--js-flags=--max-old-space-size=128",
    "--disable-dev-shm-usage",
    "--check-for-update-interval=31536000",
    "--ozone-platform-hint=auto",
    "--password-store=basic",
    "--autoplay-policy=no-user-gesture-required",
]


class ConfigError(Exception):
    pass


@dataclass
class AgentConfig:
    server: str
    cache: Path
    port: int = DEFAULT_PORT
    power: str = "auto"  # a preset of displays.power, or "custom" with power_on / power_off
    power_on: list[str] = field(default_factory=list)
    power_off: list[str] = field(default_factory=list)
    browser: bool = False
    browser_command: list[str] = field(default_factory=lambda: ["chromium", *CHROMIUM_FLAGS])
    # When the kiosk unit runs the browser: the command that restarts it once the page goes silent.
    browser_restart: list[str] = field(default_factory=list)
    # Timings, shortened by the tests (the defaults are the issue's).
    backoff_start: float = 1.0
    backoff_max: float = 60.0
    refetch_every: float = 600.0
    heartbeat_every: float = 30.0
    power_every: float = 30.0
    browser_silence: float = 90.0  # the page heartbeats every 30 s: three missed is a hung browser
    browser_grace: float = 60.0


def _argv(value: Any, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{what}: a list of strings is expected (the program then its arguments)")
    return value


def _port(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit():
        raise ConfigError(f"port: a number from 1 to 65535 is expected, not {value!r}")
    if not 0 < int(value) < 65536:
        raise ConfigError(f"port: {value} is not between 1 and 65535")
    return int(value)


def power_setting(value: Any) -> tuple[str, list[str], list[str]]:
    """(preset, on, off) from `power:`: a preset name, or {on: [argv…], off: [argv…]} ("custom")."""
    if value is None:
        value = "auto"
    if value is False:
        value = "none"
    if isinstance(value, str):
        if value not in PRESETS:
            raise ConfigError(f"power: unknown preset {value!r} (choose {', '.join(PRESETS)})")
        return value, [], []
    if isinstance(value, dict):
        # YAML 1.1 reads a bare `on:` / `off:` key as true / false.
        value = {{True: "on", False: "off"}.get(k, k) if isinstance(k, bool) else k: v for k, v in value.items()}
    if isinstance(value, dict) and set(value) <= {"on", "off"}:
        return "custom", _argv(value.get("on", []), "power.on"), _argv(value.get("off", []), "power.off")
    raise ConfigError("power: a preset name or {on: [...], off: [...]}")


TIMINGS = (
    "backoff_start",
    "backoff_max",
    "refetch_every",
    "heartbeat_every",
    "power_every",
    "browser_silence",
    "browser_grace",
)
KNOWN = {"server", "cache", "port", "power", "browser", "browser_command", "browser_restart"}


def load(args: argparse.Namespace) -> AgentConfig:
    data: dict[str, Any] = {}
    if getattr(args, "config", None):
        import yaml  # only when a file is given

        try:
            data = yaml.safe_load(Path(args.config).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as e:
            raise ConfigError(f"{args.config}: {e}") from e
        if not isinstance(data, dict) or set(data) - KNOWN:
            raise ConfigError(f"{args.config}: unknown keys {sorted(set(data) - KNOWN)}; known: {sorted(KNOWN)}")
    server = args.server or data.get("server")
    if not server or not str(server).startswith(("http://", "https://")):
        raise ConfigError("--server http(s)://… is required")
    power, on, off = power_setting(args.power if args.power is not None else data.get("power"))
    config = AgentConfig(
        server=str(server).rstrip("/"),
        cache=Path(args.cache or data.get("cache") or DEFAULT_CACHE),
        port=_port(args.port if args.port is not None else data.get("port", DEFAULT_PORT)),
        power=power,
        power_on=on,
        power_off=off,
        browser=bool(args.browser or data.get("browser", False)),
    )
    if data.get("browser_restart"):
        config.browser_restart = _argv(data["browser_restart"], "browser_restart")
    if data.get("browser_command"):
        config.browser_command = _argv(data["browser_command"], "browser_command")
    # Tests and the memory measurement compress time: QUARTIER_DISPLAY_TIMINGS="heartbeat_every=1,…".
    for item in filter(None, os.environ.get("QUARTIER_DISPLAY_TIMINGS", "").split(",")):
        name, _sep, value = item.partition("=")
        if name not in TIMINGS:
            raise ConfigError(f"QUARTIER_DISPLAY_TIMINGS: unknown {name!r} (known: {', '.join(TIMINGS)})")
        setattr(config, name, float(value))
    return config


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", metavar="URL", help=_("le serveur Quartier, par ex. https://quartier.example.org"))
    parser.add_argument(
        "--cache",
        metavar="DIR",
        help=_("dossier de l'agent (jeton, programme, images) ; par défaut {dir}").format(dir=DEFAULT_CACHE),
    )
    parser.add_argument(
        "--port",
        type=int,
        metavar="P",
        help=_("port local pour le navigateur (127.0.0.1) ; par défaut {port}").format(port=DEFAULT_PORT),
    )
    parser.add_argument(
        "--power",
        metavar="PRESET",
        help=_("extinction de l'écran hors des heures : {presets} (auto par défaut)").format(
            presets=", ".join(PRESETS)
        ),
    )
    parser.add_argument(
        "--browser", action="store_true", help=_("lance Chromium en mode kiosque et le relance s'il meurt ou se fige")
    )
