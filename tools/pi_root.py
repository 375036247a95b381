"""The machine side of `make pi-check`: qemu and debootstrap, the arm64 Bookworm root, a chroot.

The root is built once with debootstrap from Debian's mirror and kept in .cache/pi-root; each run
works in a fresh copy (.cache/pi-work) with /proc, /sys, /dev and an apt cache kept between runs
(.cache/pi-apt), so a second run downloads nothing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache"
BASE = CACHE / "pi-root"
WORK = CACHE / "pi-work"
APT = CACHE / "pi-apt"
MIRROR = os.environ.get("PI_MIRROR", "http://deb.debian.org/debian")
# What earlier versions of this check put in the root beyond python3: removed once, so that the
# packages install.sh adds are all counted.
EARLIER_EXTRAS = ("python3-venv", "python3.11-venv", "python3-pip-whl", "python3-setuptools-whl")
steps: list[tuple[str, float]] = []
T = TypeVar("T")


class Failed(Exception):
    """A step of the check did not do what the volunteer's path says."""


def say(text: str) -> None:
    print(f"pi-check: {text}", flush=True)


def sh(*argv: str | Path, **kw: Any) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in argv], check=True, text=True, **kw)


def step(name: str, started: float) -> None:
    steps.append((name, time.monotonic() - started))
    say(f"{name}: {time.monotonic() - started:.0f} s")


def wait(what: str, test: Callable[[], T | None], timeout: float) -> T:
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


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


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
    else:
        started = time.monotonic()
        say(f"building an arm64 Bookworm root with debootstrap from {MIRROR} (about 5 minutes, once)")
        tmp = BASE.with_name("pi-root.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        sh("debootstrap", "--arch=arm64", "--include=python3,ca-certificates", "bookworm", tmp, MIRROR)
        tmp.rename(BASE)
        step("debootstrap (once)", started)
    if (BASE / "var/lib/dpkg/info/python3-venv.list").exists():  # a root built by an earlier pi-check
        sh("chroot", BASE, "dpkg", "--purge", *EARLIER_EXTRAS, stdout=subprocess.DEVNULL)


class Chroot:
    """A fresh copy of the base root, mounted for apt and systemd's tools, unmounted on exit."""

    def __init__(self) -> None:
        self.root = WORK

    def __enter__(self) -> Chroot:
        started = time.monotonic()
        if WORK.exists():
            self.unmount_all()
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
        shutil.copy("/etc/resolv.conf", WORK / "etc/resolv.conf")
        # This machine's certificate authorities (a TLS-inspecting proxy needs them for pip).
        shutil.copy("/etc/ssl/certs/ca-certificates.crt", WORK / "etc/ssl/certs/ca-certificates.crt")
        (WORK / "usr/sbin/policy-rc.d").write_text("#!/bin/sh\nexit 101\n")  # no daemon starts in a chroot
        (WORK / "usr/sbin/policy-rc.d").chmod(0o755)
        (WORK / "etc/apt/sources.list").write_text(f"deb {MIRROR} bookworm main\n")
        step("a fresh copy of the root", started)
        return self

    def __exit__(self, *exc: object) -> None:
        self.unmount_all()

    @staticmethod
    def unmount_all() -> None:
        for line in reversed(Path("/proc/mounts").read_text().splitlines()):
            where = line.split()[1]
            if where.startswith(str(WORK) + "/"):
                subprocess.run(["umount", "-l", where], check=False)

    def run(self, *argv: str, **kw: Any) -> subprocess.CompletedProcess:
        """As root in the root (the volunteer's `sudo`)."""
        return sh("chroot", WORK, *argv, **kw)

    def run_as(self, user: str, *argv: str, **kw: Any) -> subprocess.CompletedProcess:
        """As `user`, with a clean environment (the volunteer's ssh session)."""
        env = ["env", "-i", f"HOME=/home/{user}", "LANG=C.UTF-8", "PATH=/usr/local/bin:/usr/bin:/bin"]
        return sh("chroot", f"--userspec={user}:{user}", WORK, *env, *argv, **kw)

    def packages(self) -> dict[str, int]:
        """Installed Debian packages and their Installed-Size (KiB)."""
        out = self.run("dpkg-query", "-W", "-f", "${Package} ${Installed-Size}\\n", capture_output=True).stdout
        return {name: int(size or 0) for name, size in (line.split(" ") for line in out.splitlines())}
