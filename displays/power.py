"""Screen power: which way of switching this screen off works here, found at start and said once.

Outside the snapshot's `power.on` intervals the page itself goes dark (a small clock on black);
what is found here switches the screen itself off as well:

- `cec`: a TV that answers HDMI-CEC on one of /dev/cec* (`cec-ctl`, package v4l-utils) goes to
  standby and wakes up: any Pi whose TV speaks CEC, whatever runs on the screen;
- `kiosk`: the shipped kiosk (cage 0.1.4, which exposes no output management to `wlr-randr`)
  is stopped and the console's framebuffer blanked, so the KMS driver switches HDMI off (DPMS)
  and a monitor goes to standby for lack of signal; run as root by `quartier-screen-power`
  through one sudoers line (install.sh);
- `wlr-randr`: for an agent that runs inside a Wayland desktop session (labwc, wayfire) whose
  compositor has output management;
- `vcgencmd`: `display_power`, for the legacy firmware display driver only (not the KMS
  driver Raspberry Pi OS Bookworm uses by default);
- `none`: nothing but the dark page; or your own `{on: [argv…], off: [argv…]}`.

`auto` (the default) probes CEC, then the kiosk helper, and settles on `none` otherwise. A
command that fails is logged once and retried quietly, never fatal.
"""

from __future__ import annotations

import asyncio
import glob
import logging
import shutil
from dataclasses import dataclass, field

from displays.i18n import N_
from displays.i18n import gettext as _

log = logging.getLogger("displays.power")

SCREEN_POWER = "/usr/local/sbin/quartier-screen-power"
KIOSK = {
    "on": ["sudo", "-n", SCREEN_POWER, "on"],
    "off": ["sudo", "-n", SCREEN_POWER, "off"],
    "probe": ["sudo", "-n", SCREEN_POWER, "check"],
}
PRESETS = ("auto", "cec", "kiosk", "wlr-randr", "vcgencmd", "none")

SENTENCES = {
    "cec": N_("Hors des heures d'ouverture, le téléviseur est mis en veille par HDMI-CEC ({detail})."),
    "kiosk": N_(
        "Hors des heures d'ouverture, le kiosque s'arrête et la sortie HDMI est coupée : "
        "l'écran se met en veille faute de signal."
    ),
    "wlr-randr": N_("Hors des heures d'ouverture, la sortie {detail} est éteinte par wlr-randr."),
    "vcgencmd": N_("Hors des heures d'ouverture, l'écran est éteint par vcgencmd display_power."),
    "custom": N_("Hors des heures d'ouverture, l'écran est éteint par les commandes de display.yaml."),
    "none": N_(
        "Aucun moyen d'éteindre cet écran n'a été trouvé (ni HDMI-CEC, ni le kiosque) : hors des heures "
        "d'ouverture, la page devient noire mais l'écran reste allumé."
    ),
    "chosen-none": N_(
        "L'écran n'est pas éteint (power: none dans display.yaml) : hors des heures d'ouverture, "
        "la page devient noire mais l'écran reste allumé."
    ),
    "failing": N_(
        "L'extinction de l'écran par {method} ne répond pas ({detail}) : hors des heures d'ouverture, "
        "la page devient noire ; l'agent réessaie sans le répéter."
    ),
}


@dataclass
class Method:
    """How this screen is switched on and off; `ok` is False while its commands fail."""

    name: str
    on: list[str] = field(default_factory=list)
    off: list[str] = field(default_factory=list)
    detail: str = ""
    ok: bool = True
    stops_browser: bool = False  # the kiosk is stopped while the screen is off: nothing to watch
    chosen: bool = False  # named in display.yaml, not found by `auto`

    def sentence(self) -> str:
        if not self.ok:
            return _(SENTENCES["failing"]).format(method=self.name, detail=self.detail)
        if self.name == "none" and self.chosen:
            return _(SENTENCES["chosen-none"])
        return _(SENTENCES[self.name]).format(detail=self.detail)

    def report(self) -> dict[str, object]:
        return {"method": self.name, "ok": self.ok, "sentence": self.sentence()}


def cec(device: str) -> Method:
    base = ["cec-ctl", "-d", device, "--playback", "--to", "0"]
    return Method("cec", [*base, "--image-view-on"], [*base, "--standby"], detail=device)


def preset(name: str) -> Method:
    """A method by its name, as written in display.yaml (its probe is `choose`'s business)."""
    if name == "cec":
        return cec("/dev/cec0")
    if name == "kiosk":
        return Method("kiosk", KIOSK["on"], KIOSK["off"], stops_browser=True)
    if name == "wlr-randr":
        return Method(
            "wlr-randr",
            ["wlr-randr", "--output", "HDMI-A-1", "--on"],
            ["wlr-randr", "--output", "HDMI-A-1", "--off"],
            detail="HDMI-A-1",
        )
    if name == "vcgencmd":
        return Method("vcgencmd", ["vcgencmd", "display_power", "1"], ["vcgencmd", "display_power", "0"])
    return Method("none")


async def run(argv: list[str], timeout: float = 15.0) -> tuple[bool, str]:
    """Run argv (no shell): (succeeded, its output or why it failed), never an exception."""
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
    except OSError as e:
        return False, f"{argv[0]}: {e.strerror or e}"
    try:
        out, _err = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        return False, f"{argv[0]}: no answer in {timeout:.0f} s"
    text = out.decode(errors="replace").strip()
    if process.returncode != 0:
        return False, f"{argv[0]} exited {process.returncode}: {text[-200:]}"
    return True, text


async def probe_cec(devices: list[str]) -> Method | None:
    """The first CEC adapter behind which a TV reports its power state."""
    if not shutil.which("cec-ctl"):
        return None
    for device in devices:
        ok, out = await run(["cec-ctl", "-d", device, "--playback", "--to", "0", "--give-device-power-status"], 10)
        if ok and "pwr-state" in out:
            return cec(device)
    return None


async def probe_kiosk() -> Method | None:
    ok, _out = await run(KIOSK["probe"], 10)
    return preset("kiosk") if ok else None


async def choose(name: str, on: list[str], off: list[str], cec_devices: list[str] | None = None) -> Method:
    """The method to use: the one display.yaml names (checked), or under `auto` the first that works."""
    devices = sorted(glob.glob("/dev/cec[0-9]*")) if cec_devices is None else cec_devices
    if name == "custom":
        return Method("custom", on, off)
    if name == "auto":
        return await probe_cec(devices) or await probe_kiosk() or Method("none")
    method = preset(name)
    method.chosen = True
    if name == "cec":
        found = await probe_cec(devices)
        if found:
            return found
        method.ok, method.detail = (
            False,
            _("aucun téléviseur ne répond sur {devices}").format(devices=", ".join(devices) or "/dev/cec*"),
        )
    elif name == "kiosk" and not await probe_kiosk():
        method.ok, method.detail = False, _("{helper} n'est pas utilisable").format(helper=SCREEN_POWER)
    return method


class Switch:
    """Runs a method's on/off commands: the first failure is logged, later ones quietly, until one works."""

    def __init__(self, method: Method):
        self.method = method
        self.failures = 0

    async def set(self, on: bool) -> bool:
        argv = self.method.on if on else self.method.off
        if not argv:
            return True
        ok, out = await run(argv)
        word = "on" if on else "off"
        if ok:
            if self.failures:
                log.warning("screen power %s works again (%s)", word, argv[0])
            else:
                log.info("screen power %s: done", word)
            self.failures = 0
            self.method.ok = True
            return True
        self.failures += 1
        if self.failures == 1:
            self.method.ok, self.method.detail = False, out
            log.warning("%s", self.method.sentence())
        else:
            log.debug("screen power %s failed again: %s", word, out)
        return False

    def retry_after(self) -> float:
        """Seconds before trying a failing command again: 5 minutes, then up to an hour."""
        return min(300.0 * 2 ** max(0, self.failures - 1), 3600.0)
