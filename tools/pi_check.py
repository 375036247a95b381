"""`make pi-check`: the README's volunteer's path walked on this machine, in an arm64 Bookworm root.

Raspberry Pi OS is Bookworm: each run takes a fresh copy of an arm64 Debian Bookworm root
(tools/pi_root.py) and, under qemu-user-static, follows the README step by step as far as a
machine without a Pi allows:

3. as the user `pi`: `git clone` of this repository (its last commit, from a bundle);
4. as root: `sh displays/pi/install.sh SERVER`, then the clone is checked untouched, the units
   pass `systemd-analyze verify`, and `quartier-kiosk --print` opens the agent's port;
   the agent runs exactly as its unit says (ExecStart, User, Environment) before the server is
   up (the screen says it is looking for the server), then the server starts: a pairing code;
5. an organizer logs in at /staff/screens and types the code: the site on screen (its page with
   a strict CSP, another site's heartbeat refused), then the agent's version and power control
   on the staff page;
   then the troubleshooting table's "mis à jour à HH:MM": the server stopped, the agent restarted
   offline shows the same content and, 3 minutes after the last contact, that time; the server
   back, the agent catches up.

What the screen shows is read from real Chromium (headless, on this machine: cage and a Pi's
HDMI cannot run here) with screenshots in .cache/pi-check/. Prints each step's time, the disk
and packages the install adds, and the agent's memory. Not part of `make test` (minutes, root).

    sudo make pi-check                 # PI_CHECK_KIOSK=no: the agent alone (no cage, Chromium)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pi_root import ROOT, WORK, Chroot, Failed, base_root, say, sh, step, steps, stop, tools, wait
from pi_server import SITE, Organizer, Server, free_port, get

OUT = ROOT / ".cache/pi-check"
KIOSK = os.environ.get("PI_CHECK_KIOSK", "yes") != "no"


# -- the agent, as its unit runs it


def unit_command() -> tuple[str, list[str], list[str]]:
    """User=, Environment= and ExecStart= of the installed agent unit."""
    text = (WORK / "etc/systemd/system/quartier-display.service").read_text()
    user, argv = re.search(r"^User=(\S+)", text, re.M), re.search(r"^ExecStart=(.+)$", text, re.M)
    if not (user and argv):
        raise Failed("quartier-display.service has no User= or ExecStart=")
    return user.group(1), re.findall(r"^Environment=(\S+)", text, re.M), argv.group(1).split()


def start_agent() -> subprocess.Popen:
    user, env, argv = unit_command()
    with (OUT / "agent.log").open("ab") as out:
        return subprocess.Popen(
            ["chroot", f"--userspec={user}:{user}", str(WORK), "env", "-i", "LANG=C.UTF-8", "HOME=/tmp", *env, *argv],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def rss(pid: int) -> float:
    found = re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())
    return int(found.group(1)) / 1024 if found else 0.0


def status(port: int) -> dict[str, Any]:
    code, _h, body = get(f"http://127.0.0.1:{port}/status.json")
    return json.loads(body) if code == 200 else {}


# -- what the screen shows: real Chromium on the agent's page


def screen(port: int, shot: str, *, scripted: bool, now: str = "") -> str:
    """The page's text once rendered (its DOM, tags and scripts removed), and a screenshot in OUT.

    `scripted`: the screen page renders with JavaScript (a few seconds of virtual time); the
    pairing page is plain HTML that reloads itself, which virtual time would follow forever."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise Failed("no chromium on this machine to look at the screen (apt-get install chromium)")
    url = f"http://127.0.0.1:{port}/" + (f"?now={urllib.parse.quote(now)}" if now else "")
    flags = ["--headless", "--no-sandbox", "--hide-scrollbars", "--window-size=1920,1080", "--lang=fr-FR"]
    flags += ["--virtual-time-budget=3000"] if scripted else []
    texts = []
    for action in ("--dump-dom", f"--screenshot={OUT / shot}"):
        try:
            out = subprocess.run([chromium, *flags, action, url], capture_output=True, text=True, timeout=180)
        except subprocess.TimeoutExpired:
            raise Failed(f"Chromium did not render {url} within 180 s") from None
        texts.append(out.stdout)
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", texts[0], flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()


def daytime(snapshot: dict[str, Any]) -> str:
    """A moment the screen is lit (an hour into the first `power.on` interval): fixed, not the hour
    this check happens to run at, like the screen page's own tests."""
    intervals = (snapshot.get("power") or {}).get("on") or []
    if not intervals:
        return ""
    return (dt.datetime.fromisoformat(intervals[0][0]) + dt.timedelta(hours=1)).isoformat()


# -- the volunteer's steps


def clone(chroot: Chroot) -> Path:
    """Step 3: `git clone` as the user the Imager creates (pi); the clone is of the last commit."""
    started = time.monotonic()
    if sh("git", "-C", ROOT, "status", "--porcelain", "displays", capture_output=True).stdout.strip():
        say("displays/ has changes not committed: the clone, like a volunteer's, has the last commit only")
    chroot.run("useradd", "--create-home", "pi")
    chroot.run("apt-get", "update", "-qq")
    chroot.run("apt-get", "install", "-y", "-qq", "git", stdout=subprocess.DEVNULL, env=apt_env())
    sh("git", "-C", ROOT, "bundle", "create", WORK / "tmp/quartier.bundle", "HEAD", capture_output=True)
    chroot.run_as("pi", "git", "-c", "advice.detachedHead=false", "clone", "-q", "/tmp/quartier.bundle",
                  "/home/pi/quartier")  # fmt: skip
    step("3. git clone (apt-get install git, then the clone as pi)", started)
    return WORK / "home/pi/quartier"


def apt_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(LANG="C.UTF-8", DEBIAN_FRONTEND="noninteractive", PIP_CERT="/etc/ssl/certs/ca-certificates.crt")
    return env


def install(chroot: Chroot, checkout: Path, server_url: str) -> dict[str, float]:
    """Step 4: install.sh as root, as on a Pi; the clone left as it was; what it took on disk."""
    before = chroot.packages()
    started = time.monotonic()
    argv = ["sh", "/home/pi/quartier/displays/pi/install.sh", server_url, *([] if KIOSK else ["--no-kiosk"])]
    chroot.run(*argv, env=apt_env())
    step("4. install.sh" + ("" if KIOSK else " --no-kiosk"), started)
    changed = chroot.run_as("pi", "git", "-C", "/home/pi/quartier", "status", "--porcelain", "--ignored",
                            capture_output=True).stdout.strip()  # fmt: skip
    root_owned = sh("find", checkout, "-user", "root", capture_output=True).stdout.strip()
    if changed or root_owned:
        raise Failed(f"install.sh left the clone changed: {changed or root_owned}")
    added = {k: v for k, v in chroot.packages().items() if k not in before}
    venv = sh("du", "-sk", WORK / "opt/quartier-display", capture_output=True).stdout.split()[0]
    return {"packages": len(added), "packages_mib": sum(added.values()) / 1024, "venv_mib": int(venv) / 1024}


def check_units(chroot: Chroot, agent_port: int) -> None:
    started = time.monotonic()
    units = ["/etc/systemd/system/quartier-display.service"]
    if KIOSK:
        units.append("/etc/systemd/system/quartier-kiosk.service")
    out = chroot.run("systemd-analyze", "verify", *units, capture_output=True)
    if (out.stdout + out.stderr).strip():
        raise Failed(f"systemd-analyze verify: {out.stdout}{out.stderr}")
    if KIOSK:
        kiosk = chroot.run(
            "/opt/quartier-display/bin/quartier-kiosk", "--config", "/etc/quartier/display.yaml", "--print",
            capture_output=True,
        ).stdout  # fmt: skip
        if not kiosk.strip().endswith(f"http://127.0.0.1:{agent_port}/"):
            raise Failed(f"the kiosk does not open the agent's port: {kiosk}")
        check_sudoers(chroot)
    step("4. systemd-analyze verify" + (", the kiosk on the agent's port, sudoers" if KIOSK else ""), started)


def check_sudoers(chroot: Chroot) -> None:
    """The one sudoers line lets the agent run exactly its two commands. (Under qemu-user a setuid
    sudo does not raise the agent's rights, so the agent cannot use it here: root reads the rule.)"""
    chroot.run("visudo", "-c", "-q", "-f", "/etc/sudoers.d/quartier")
    allowed = chroot.run("sudo", "-l", "-U", "quartier", capture_output=True).stdout
    for command in ("/usr/bin/systemctl restart quartier-kiosk.service", "/usr/local/sbin/quartier-screen-power"):
        if command not in allowed:
            raise Failed(f"sudoers does not let the agent run {command}: {allowed}")


def pairing_code(port: int, server: Server) -> str:
    """Step 4's end: before the server answers, the screen says it is looking for it; then a code.
    (A step's time stops when the agent has it; the page shows it within its 3 s refresh.)"""
    started = time.monotonic()
    wait("the agent's page", lambda: status(port).get("agent_version"), 120)
    step("the agent's start to its page", started)
    shown = screen(port, "0-no-server.png", scripted=False)
    if f"Connexion au serveur {server.url}" not in shown:
        raise Failed(f"with no server the screen shows: {shown}")
    say("no server yet: the screen says « Écran à jumeler », « Connexion au serveur … »")
    started = time.monotonic()
    server.start()
    code = wait("a pairing code", lambda: status(port).get("pairing_code"), 120)
    step("the server up to a pairing code", started)
    shown = screen(port, "1-pairing.png", scripted=False)
    if not all(text in shown for text in ("Écran à jumeler", f"{code[:3]} {code[3:]}", "Adresse de cet appareil")):
        raise Failed(f"the pairing page shows: {shown}")
    say(f"the screen shows « Écran à jumeler », {code[:3]} {code[3:]} in large type, the address, the power sentence")
    return code


def check_guards(port: int) -> None:
    """The installed agent's local page has its strict CSP, and refuses another site's page the
    heartbeat that its watchdog trusts (the screen's own page sends it: "navigateur actif")."""
    url = f"http://127.0.0.1:{port}"
    policy = get(url + "/")[1].get("Content-Security-Policy", "")
    if "script-src 'self'" not in policy or "unsafe" in policy:
        raise Failed(f"the agent's page has no strict Content-Security-Policy: {policy!r}")
    foreign = urllib.request.Request(url + "/heartbeat", b"{}", {"Origin": "http://elsewhere.example"})
    try:
        with urllib.request.urlopen(foreign, timeout=10) as r:
            refused = r.status
    except urllib.error.HTTPError as e:
        refused = e.code
    if refused != 403:
        raise Failed(f"a heartbeat from another site's page was answered {refused}, not 403")
    say("the agent's page: a strict CSP, and another site's heartbeat refused (403)")


def pair(port: int, server: Server, code: str) -> dict[str, Any]:
    """Step 5: the organizer types the code; the site's day on screen; the staff page's health."""
    started = time.monotonic()
    Organizer(server).pair(code)
    wait("the site on screen", lambda: (s := status(port)).get("version") is not None and s.get("page"), 60)
    step("5. the code typed on the staff page to the site on screen", started)
    snapshot = json.loads(get(f"http://127.0.0.1:{port}/snapshot.json")[2])
    shown = screen(port, "2-screen.png", scripted=True, now=daytime(snapshot))
    if SITE[1] not in shown or not any(s["title"] in shown for s in snapshot["sessions"]):
        raise Failed(f"the screen does not show its site and sessions: {shown[:400]}")
    check_guards(port)
    started = time.monotonic()
    organizer, agent = Organizer(server), status(port)
    health = f"displays {agent['agent_version']}"  # after the agent's first heartbeat (30 s)

    def row_with_health() -> str | None:
        row = organizer.screens_row()
        return row if health in row else None

    row = wait("the agent on the staff page", row_with_health, 90)
    if "ancienne version" in row:
        raise Failed(f"the staff page's row: {row}")
    step("5. the agent's version and power control on the staff page", started)
    say(f"the staff page shows: {row}")
    return agent


def offline(agent: subprocess.Popen, server: Server, port: int) -> subprocess.Popen:
    """Troubleshooting, « mis à jour à HH:MM »: the server stopped, the agent restarted with no
    server: the same content from disk, and 3 minutes after the last contact, its time."""
    started = time.monotonic()
    before = get(f"http://127.0.0.1:{port}/snapshot.json")[2]
    server.stop()
    wait("the agent noticing", lambda: not status(port).get("connected"), 60)
    synced = status(port)["synced"]
    stop(agent)
    agent = start_agent()
    wait("the restarted agent", lambda: status(port).get("version"), 120)
    _code, headers, body = get(f"http://127.0.0.1:{port}/snapshot.json")
    if body != before:
        raise Failed("the restarted agent does not serve the content from disk")
    if abs(dt.datetime.fromisoformat(headers.get("X-Quartier-Synced", "")).timestamp() - synced) > 1:
        raise Failed(f"after the restart the page would say {headers.get('X-Quartier-Synced')}, not the last contact")
    step("the server stopped, the agent restarted offline: content and last contact kept", started)
    snapshot = json.loads(body)
    time.sleep(max(0.0, synced + 185 - time.time()))
    now, loaded = daytime(snapshot), time.time()
    shown = screen(port, "3-offline.png", scripted=True, now=now)
    # The page's clock is set to a lit hour (?now=): it gives the last contact on that clock,
    # `now` less how long ago the contact was (give or take Chromium's start).
    contact = dt.datetime.fromisoformat(now) - dt.timedelta(seconds=loaded - synced) if now else None
    contact = contact or dt.datetime.fromtimestamp(synced, dt.UTC)
    tz = ZoneInfo(snapshot["timezone"])
    expected = {(contact + dt.timedelta(seconds=d)).astimezone(tz).strftime("%H:%M") for d in (-30, 0, 30)}
    found = re.search(r"mis à jour à (\d\d:\d\d)", shown)
    if not (found and found.group(1) in expected and SITE[1] in shown):
        raise Failed(f"3 minutes offline the screen does not say « mis à jour à {sorted(expected)} »: {shown[:400]}")
    say(f"3 minutes offline the screen says « {found.group(0)} » (on its clock set to {now}) under the same content")
    return agent


def update(chroot: Chroot, server_url: str, agent: subprocess.Popen, port: int) -> subprocess.Popen:
    """The README's update: install.sh run again (after a `git pull`: here the same commit) keeps
    the settings, the pairing and the content: the screen comes back as it was, without a code."""
    before = status(port)
    settings = (WORK / "etc/quartier/display.yaml").read_text()
    stop(agent)  # on a Pi install.sh restarts the units; in a chroot it cannot
    started = time.monotonic()
    chroot.run("sh", "/home/pi/quartier/displays/pi/install.sh", server_url, *([] if KIOSK else ["--no-kiosk"]),
               env=apt_env(), stdout=subprocess.DEVNULL)  # fmt: skip
    if (WORK / "etc/quartier/display.yaml").read_text() != settings:
        raise Failed("install.sh run again changed /etc/quartier/display.yaml")
    agent = start_agent()
    after = wait("the updated agent connected", lambda: (s := status(port)).get("connected") and s, 120)
    if after["display"] != before["display"] or after["pairing_code"] or after["version"] != before["version"]:
        raise Failed(f"after the update the screen is not as it was: {after}")
    step("update: install.sh again, the screen paired and showing as before", started)
    return agent


def walk(chroot: Chroot, folder: Path) -> tuple[dict[str, float], dict[str, Any], dict[str, float]]:
    server_port, agent_port = free_port(), free_port()
    server = Server(folder, server_port)
    checkout = clone(chroot)
    disk = install(chroot, checkout, server.url)
    settings = WORK / "etc/quartier/display.yaml"  # a free port here: the kiosk must follow it
    settings.write_text(settings.read_text().replace("port: 8088", f"port: {agent_port}"))
    check_units(chroot, agent_port)
    (OUT / "agent.log").unlink(missing_ok=True)
    agent = start_agent()
    try:
        code = pairing_code(agent_port, server)
        shown = pair(agent_port, server, code)
        memory = {"paired, showing its site": rss(agent.pid)}
        agent = offline(agent, server, agent_port)
        started = time.monotonic()
        server.start()
        wait("catching up", lambda: status(agent_port).get("connected"), 60)
        step("the server back: the agent connected again", started)
        time.sleep(20)
        memory["restarted, after 20 s connected"] = rss(agent.pid)
        agent = update(chroot, server.url, agent, agent_port)
    finally:
        stop(agent)
        server.stop()
    return disk, shown, memory


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        tools()
        base_root()
        with Chroot() as chroot, tempfile.TemporaryDirectory(prefix="pi-check-") as folder:
            disk, shown, memory = walk(chroot, Path(folder))
    except (Failed, subprocess.CalledProcessError) as e:
        say(f"FAILED: {e}")
        return 1
    say(f"the agent: version {shown['agent_version']}, power control {shown['power_control']['method']}")
    say(
        f"disk: the agent's venv {disk['venv_mib']:.1f} MiB; install.sh added {disk['packages']} Debian "
        f"packages ({disk['packages_mib']:.0f} MiB installed) to a bare Bookworm root with python3 and git"
    )
    for what, mib in memory.items():
        say(f"memory (VmRSS under qemu-aarch64, {what}): {mib:.1f} MiB")
    say(f"screenshots: {OUT.relative_to(ROOT)}/")
    say("passed: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in steps))
    return 0


if __name__ == "__main__":
    sys.exit(main())
