"""`make pi-check`: the lobby screen installed as on a Raspberry Pi, checked end to end (minutes).

An arm64 Debian Bookworm root (Raspberry Pi OS is Bookworm) built once with debootstrap and kept
in .cache/pi-root; each run copies it, runs displays/pi/install.sh in it under qemu-user-static
the way a volunteer does, then runs the agent exactly as its unit says (ExecStart, User,
Environment) against a real local server: pairing, the screen page, the server stopped, the
agent restarted offline, the server back. Prints each step's time, the disk the install takes,
and the agent's memory. Not part of `make test` (it takes minutes and root).

    sudo make pi-check                 # PI_CHECK_KIOSK=no: the agent alone (no cage, Chromium)
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache"
BASE = CACHE / "pi-root"
WORK = CACHE / "pi-work"
APT = CACHE / "pi-apt"
OUT = CACHE / "pi-check"
MIRROR = os.environ.get("PI_MIRROR", "http://deb.debian.org/debian")
KIOSK = os.environ.get("PI_CHECK_KIOSK", "yes") != "no"
QUARTIER = [sys.executable, "-m", "quartier"]
MiB = 1024 * 1024
steps: list[tuple[str, float]] = []


class Failed(Exception):
    pass


def say(text: str) -> None:
    print(f"pi-check: {text}", flush=True)


def sh(*argv: str | Path, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in argv], check=True, text=True, **kw)


def step(name: str, started: float) -> None:
    steps.append((name, time.monotonic() - started))
    say(f"{name}: {time.monotonic() - started:.0f} s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, headers: dict[str, str] | None = None, data: bytes | None = None) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def wait(what: str, test, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = test()
        except (OSError, ValueError):
            found = None
        if found:
            return found
        time.sleep(0.5)
    raise Failed(f"{what}: not within {timeout:.0f} s")


# -- the machine


def tools() -> None:
    """debootstrap, qemu-user-static and binfmt (Debian's packages), installed when missing."""
    if os.geteuid() != 0:
        raise Failed("run it as root (sudo make pi-check): debootstrap and chroot need it")
    if not (shutil.which("debootstrap") and Path("/usr/bin/qemu-aarch64-static").exists()):
        say("installing debootstrap qemu-user-static binfmt-support")
        sh("apt-get", "install", "-y", "-qq", "debootstrap", "qemu-user-static", "binfmt-support")
    binfmt = Path("/proc/sys/fs/binfmt_misc")
    if not (binfmt / "status").exists():
        sh("mount", "-t", "binfmt_misc", "binfmt_misc", binfmt)
    entry = binfmt / "qemu-aarch64"
    if not entry.exists() or "enabled" not in entry.read_text():
        sh("update-binfmts", "--enable", "qemu-aarch64")


def base_root() -> None:
    if (BASE / "usr/bin/python3").exists():
        say(f"reusing the arm64 Bookworm root in {BASE.relative_to(ROOT)}")
        return
    started = time.monotonic()
    say(f"building an arm64 Bookworm root with debootstrap from {MIRROR} (about 5 minutes, once)")
    tmp = BASE.with_name("pi-root.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    sh("debootstrap", "--arch=arm64", "--include=python3,python3-venv,ca-certificates", "bookworm", tmp, MIRROR)
    tmp.rename(BASE)
    step("debootstrap (once)", started)


class Chroot:
    """A copy of the base root with /proc, /sys, /dev and an apt cache kept between runs."""

    def __init__(self) -> None:
        self.mounts: list[Path] = []

    def __enter__(self) -> Chroot:
        started = time.monotonic()
        if WORK.exists():
            self.unmount_all(WORK)
            shutil.rmtree(WORK)
        sh("cp", "-a", "--reflink=auto", BASE, WORK)
        APT.mkdir(parents=True, exist_ok=True)
        for target, opts in (
            ("proc", ["-t", "proc", "proc"]),
            ("sys", ["--rbind", "/sys"]),
            ("dev", ["--rbind", "/dev"]),
            ("var/cache/apt/archives", ["--bind", str(APT)]),
        ):
            where = WORK / target
            where.mkdir(parents=True, exist_ok=True)
            sh("mount", *opts, where)
            self.mounts.append(where)
        shutil.copy("/etc/resolv.conf", WORK / "etc/resolv.conf")
        # This machine's certificate authorities (a TLS-inspecting proxy needs them for pip).
        shutil.copy("/etc/ssl/certs/ca-certificates.crt", WORK / "etc/ssl/certs/ca-certificates.crt")
        (WORK / "usr/sbin/policy-rc.d").write_text("#!/bin/sh\nexit 101\n")  # no daemon starts in a chroot
        (WORK / "usr/sbin/policy-rc.d").chmod(0o755)
        (WORK / "etc/apt/sources.list").write_text(f"deb {MIRROR} bookworm main\n")
        step("a fresh copy of the root", started)
        return self

    def __exit__(self, *exc) -> None:
        self.unmount_all(WORK)

    @staticmethod
    def unmount_all(root: Path) -> None:
        for line in reversed(Path("/proc/mounts").read_text().splitlines()):
            where = line.split()[1]
            if where.startswith(str(root) + "/"):
                subprocess.run(["umount", "-l", where], check=False)

    def run(self, *argv: str, **kw) -> subprocess.CompletedProcess:
        return sh("chroot", WORK, *argv, **kw)

    def packages(self) -> dict[str, int]:
        out = self.run("dpkg-query", "-W", "-f", "${Package} ${Installed-Size}\\n", capture_output=True).stdout
        return {name: int(size or 0) for name, size in (line.split(" ") for line in out.splitlines())}


# -- the server on this machine


def start_server(folder: Path, port: int) -> subprocess.Popen:
    config = folder / "quartier.yaml"
    if not config.exists():
        sh(*QUARTIER, "init", folder, stdout=subprocess.DEVNULL)
        sh(*QUARTIER, "import", ROOT / "events/example.yaml", "--config", config, stdout=subprocess.DEVNULL)
        sh(*QUARTIER, "user", "add", "pi-check", "--role", "organizer", "--password-stdin", "--config", config,
           input="correct horse battery staple\n", stdout=subprocess.DEVNULL)  # fmt: skip
    log = (folder / "server.log").open("ab")
    server = subprocess.Popen(
        [*QUARTIER, "serve", "--config", config, "--port", str(port)], stdout=log, stderr=log, start_new_session=True
    )
    wait("the server", lambda: get(f"http://127.0.0.1:{port}/api/v1/sites")[0] == 200, 30)
    return server


def token(folder: Path) -> str:
    out = sh(*QUARTIER, "token", "create", "pi-check", "--config", folder / "quartier.yaml", capture_output=True)
    return out.stdout.strip().split()[-1]


# -- the agent, as its unit runs it


def unit_command(chroot_root: Path) -> tuple[str, list[str], list[str]]:
    """User=, Environment= and ExecStart= of the installed agent unit."""
    text = (chroot_root / "etc/systemd/system/quartier-display.service").read_text()
    user = re.search(r"^User=(\S+)", text, re.M).group(1)
    env = re.findall(r"^Environment=(\S+)", text, re.M)
    argv = re.search(r"^ExecStart=(.+)$", text, re.M).group(1).split()
    return user, env, argv


def start_agent(log: Path) -> subprocess.Popen:
    user, env, argv = unit_command(WORK)
    with log.open("ab") as out:
        return subprocess.Popen(
            ["chroot", f"--userspec={user}:{user}", str(WORK), "env", "-i", "LANG=C.UTF-8", "HOME=/tmp", *env, *argv],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def rss(pid: int) -> float:
    found = re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text())
    return int(found.group(1)) / 1024 if found else 0.0


def status(port: int) -> dict:
    code, _h, body = get(f"http://127.0.0.1:{port}/status.json")
    return json.loads(body) if code == 200 else {}


def screenshot(url: str, target: Path) -> None:
    chromium = shutil.which("chromium")
    if not chromium:
        say("no chromium here: no screenshot")
        return
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--hide-scrollbars",
            "--window-size=1920,1080",
            "--virtual-time-budget=4000",
            f"--screenshot={target}",
            url,
        ],  # fmt: skip
        capture_output=True,
        timeout=60,
        check=False,
    )
    say(f"what the screen shows: {target.relative_to(ROOT)}")


# -- the check


def install(chroot: Chroot, server_port: int) -> dict[str, float]:
    """install.sh in the root, as on a Pi; returns what it took on disk."""
    checkout = WORK / "home/pi/quartier"
    checkout.mkdir(parents=True)
    files = sh("git", "-C", ROOT, "ls-files", "displays", capture_output=True).stdout.split()
    for name in files:
        (checkout / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, checkout / name)
    before_files = sorted(str(p.relative_to(checkout)) for p in checkout.rglob("*"))
    before = chroot.packages()
    started = time.monotonic()
    argv = ["sh", "/home/pi/quartier/displays/pi/install.sh", f"http://127.0.0.1:{server_port}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(LANG="C.UTF-8", PIP_CERT="/etc/ssl/certs/ca-certificates.crt")
    chroot.run(*argv, *([] if KIOSK else ["--no-kiosk"]), env=env)
    step("install.sh" + ("" if KIOSK else " --no-kiosk"), started)
    after_files = sorted(str(p.relative_to(checkout)) for p in checkout.rglob("*"))
    if after_files != before_files:
        raise Failed(f"install.sh left files in the checkout: {sorted(set(after_files) - set(before_files))}")
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
    step("systemd-analyze verify, the kiosk's port", started)


def pair_and_show(port: int, server_port: int, bearer: str) -> dict:
    local = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    code = wait("a pairing code on the screen", lambda: status(port).get("pairing_code"), 120)
    step("agent start to a pairing code", started)
    page = get(local + "/")[2].decode()
    if f"{code[:3]} {code[3:]}" not in page:
        raise Failed("the pairing page does not show the code")
    screenshot(local + "/", OUT / "1-pairing.png")
    started = time.monotonic()
    reply = get(
        f"http://127.0.0.1:{server_port}/api/v1/displays/claim",
        {"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"},
        json.dumps({"code": code, "site": "le-blosne", "name": "Hall"}).encode(),
    )
    if reply[0] != 201:
        raise Failed(f"claim: {reply}")
    wait("the site on screen", lambda: (s := status(port)).get("version") is not None and s.get("page"), 60)
    step("claim to the site on screen", started)
    page = get(local + "/")[2].decode()
    if 'data-snapshot-url="/snapshot.json"' not in page or "screen-snapshot" not in page:
        raise Failed("the screen page is not served from the agent")
    for path in re.findall(r'(?:href|src)="(/static/[^"?]+)', page):
        if get(local + path)[0] != 200:
            raise Failed(f"{path} is missing")
    screenshot(local + "/", OUT / "2-screen.png")
    return status(port)


def offline(agent: subprocess.Popen, server: subprocess.Popen, port: int) -> subprocess.Popen:
    """Server stopped: the same content; agent restarted with no server: from disk, right sync time."""
    started = time.monotonic()
    before = get(f"http://127.0.0.1:{port}/snapshot.json")[2]
    stop(server)
    wait("the agent noticing", lambda: not status(port).get("connected"), 60)
    if get(f"http://127.0.0.1:{port}/snapshot.json")[2] != before:
        raise Failed("the snapshot changed with the server down")
    synced = status(port)["synced"]
    stop(agent)
    agent = start_agent(OUT / "agent.log")
    wait("the restarted agent", lambda: status(port).get("version"), 120)
    code, headers, body = get(f"http://127.0.0.1:{port}/snapshot.json")
    if body != before or "ESC Le Blosne" not in get(f"http://127.0.0.1:{port}/")[2].decode():
        raise Failed("the restarted agent does not serve the content from disk")
    shown = headers.get("X-Quartier-Synced", "")
    if abs(__import__("datetime").datetime.fromisoformat(shown).timestamp() - synced) > 1:
        raise Failed(f"after the restart the page would say {shown}, not the last contact")
    step("server stopped, agent restarted offline: content and sync time kept", started)
    return agent


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        tools()
        base_root()
        with Chroot() as chroot, tempfile.TemporaryDirectory(prefix="pi-check-") as folder:
            server_port, agent_port = free_port(), free_port()
            server = start_server(Path(folder), server_port)
            bearer = token(Path(folder))
            disk = install(chroot, server_port)
            settings = WORK / "etc/quartier/display.yaml"
            settings.write_text(settings.read_text().replace("port: 8088", f"port: {agent_port}"))
            check_units(chroot, agent_port)
            (OUT / "agent.log").unlink(missing_ok=True)
            agent = start_agent(OUT / "agent.log")
            try:
                shown = pair_and_show(agent_port, server_port, bearer)
                memory = {"after pairing": rss(agent.pid)}
                agent = offline(agent, server, agent_port)
                started = time.monotonic()
                server = start_server(Path(folder), server_port)
                wait("catching up", lambda: status(agent_port).get("connected"), 60)
                step("server back: the agent connected again", started)
                time.sleep(20)
                memory["restarted, after 20 s connected"] = rss(agent.pid)
            finally:
                stop(agent)
                stop(server)
    except (Failed, subprocess.CalledProcessError) as e:
        say(f"FAILED: {e}")
        return 1
    say(f"the agent: version {shown['agent_version']}, power control {shown['power_control']['method']}")
    say(
        f"disk: the agent's venv {disk['venv_mib']:.1f} MiB; install.sh added {disk['packages']} Debian "
        f"packages ({disk['packages_mib']:.0f} MiB installed) to a bare Bookworm root"
    )
    for what, mib in memory.items():
        say(f"memory (VmRSS under qemu-aarch64, {what}): {mib:.1f} MiB")
    say("passed: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in steps))
    return 0


if __name__ == "__main__":
    sys.exit(main())
