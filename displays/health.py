"""What the agent reports about the Pi: all from /proc and /sys, nothing to install."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

THERMAL = Path("/sys/class/thermal")


def rss_bytes(pid: int | str = "self") -> int | None:
    """Resident memory of a process (VmRSS), in bytes."""
    try:
        found = re.search(r"VmRSS:\s+(\d+)\s+kB", Path(f"/proc/{pid}/status").read_text())
    except OSError:
        return None
    return int(found.group(1)) * 1024 if found else None


def memory() -> tuple[int | None, int | None]:
    """(used, total) system memory in bytes, "used" being total minus available."""
    try:
        info = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines() if ":" in line)
        total = int(info["MemTotal"].split()[0]) * 1024
        available = int(info["MemAvailable"].split()[0]) * 1024
        return total - available, total
    except (OSError, KeyError, ValueError):
        return None, None


def temperature(root: Path = THERMAL) -> float | None:
    """The CPU temperature in °C (the first thermal zone, as on a Raspberry Pi), when there is one."""
    try:
        zones = sorted(root.glob("thermal_zone*"))
    except OSError:
        return None
    for zone in zones:
        try:
            return round(int((zone / "temp").read_text().strip()) / 1000, 1)
        except (OSError, ValueError):
            continue
    return None


def report(*, cache_dir: Path, uptime: float, agent_version: str) -> dict[str, Any]:
    used, total = memory()
    disk_free: int | None
    disk_total: int | None
    try:
        disk = shutil.disk_usage(cache_dir)
        disk_free, disk_total = disk.free, disk.total
    except OSError:
        disk_free = disk_total = None
    load: list[float] | None
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    data = {
        "agent": "displays",
        "agent_version": agent_version,
        "uptime": round(uptime),
        "load": load,
        "memory": used,
        "memory_total": total,
        "temperature": temperature(),
        "disk": disk_free,
        "disk_total": disk_total,
    }
    return {k: v for k, v in data.items() if v is not None}
