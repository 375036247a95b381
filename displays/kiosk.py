"""`quartier-kiosk`: the kiosk unit's command. Waits for the agent, then becomes cage + Chromium.

The port comes from the same display.yaml as the agent's (one setting), and Chromium's flags
from config.CHROMIUM_FLAGS (or `browser_command`), so the unit hard-codes neither. The process
replaces itself with `cage -d -s -- chromium … http://127.0.0.1:PORT/`: no Python stays resident.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
import urllib.request

from displays import config as config_module
from displays.config import ConfigError
from displays.i18n import gettext as _

COMPOSITOR = ["cage", "-d", "-s", "--"]  # -d: no client-side decorations, -s: allow VT switching
WAIT_SECONDS = 120.0


def browser_argv(config: config_module.AgentConfig) -> list[str]:
    """The browser's argv for the kiosk: Wayland, a profile in the unit's runtime folder (RAM)."""
    argv = list(config.browser_command)
    if argv[0] == "chromium" and not shutil.which("chromium") and shutil.which("chromium-browser"):
        argv[0] = "chromium-browser"  # Raspberry Pi OS's own build
    argv = [a for a in argv if not a.startswith("--ozone-platform")] + ["--ozone-platform=wayland"]
    runtime = os.environ.get("RUNTIME_DIRECTORY", "").split(":")[0]
    if runtime and not any(a.startswith("--user-data-dir") for a in argv):
        argv.append(f"--user-data-dir={runtime}/chromium")  # nothing written to the SD card
    return argv


def wait_for_agent(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "status.json", timeout=2) as reply:
                if reply.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(1)
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="quartier-kiosk", description=_("le kiosque : Chromium sur la page de l'agent")
    )
    parser.add_argument("--config", metavar="FILE", help=_("réglages YAML de l'agent (display.yaml)"))
    parser.add_argument("--print", action="store_true", help=_("affiche la commande au lieu de la lancer"))
    config_module.add_arguments(parser)
    args = parser.parse_args(argv)
    args.server = args.server or "http://unused"  # the kiosk needs the port only
    try:
        config = config_module.load(args)
    except ConfigError as e:
        print(f"quartier-kiosk: {e}", file=sys.stderr)
        return 2
    url = f"http://127.0.0.1:{config.port}/"
    command = [*COMPOSITOR, *browser_argv(config), url]
    if args.print:
        print(" ".join(command))
        return 0
    if not wait_for_agent(url, WAIT_SECONDS):
        print("quartier-kiosk: " + _("l’agent ne répond pas sur {url}").format(url=url), file=sys.stderr)
        return 1
    sys.stdout.flush()
    os.execvp(command[0], command)
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main())
