"""The Pi's systemd units and the kiosk (issue 27): they pass `systemd-analyze verify`, and the
kiosk takes the agent's port and Chromium's flags from the agent's one settings file."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from displays import config

PI = Path(config.__file__).parent / "pi"
UNITS = ("quartier-display.service", "quartier-kiosk.service")


def test_the_units_pass_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is needed (Debian package systemd; .ci/run installs it)"
    # The units name the venv's entry points (/opt/quartier-display/bin/…): stand-ins here.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("quartier-display", "quartier-kiosk"):
        (bin_dir / name).write_text("#!/bin/sh\n")
        (bin_dir / name).chmod(0o755)
    for unit in UNITS:
        text = (PI / unit).read_text().replace("/opt/quartier-display/bin/", f"{bin_dir}/")
        (tmp_path / unit).write_text(text)
    run = subprocess.run(
        [analyze, "verify", *(str(tmp_path / u) for u in UNITS)], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0 and not run.stderr.strip() and not run.stdout.strip(), run.stderr + run.stdout


def test_the_units_name_no_port_and_no_runtime_folder_of_root():
    for unit in UNITS:
        text = "\n".join(line for line in (PI / unit).read_text().splitlines() if not line.startswith("#"))
        assert "8088" not in text  # the port is display.yaml's, read by the agent and the kiosk
        assert "%U" not in text and "XDG_RUNTIME_DIR=" not in text  # pam_systemd gives the User='s own
    assert "port: 8088" in (PI / "display.yaml").read_text()


def test_the_kiosk_opens_the_agents_port_with_its_flags(tmp_path):
    settings = tmp_path / "display.yaml"
    settings.write_text("server: http://quartier.test\nport: 9191\n")
    run = subprocess.run(
        [sys.executable, "-m", "displays.kiosk", "--config", str(settings), "--print"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "RUNTIME_DIRECTORY": "/run/quartier-kiosk"},
        timeout=30,
    )
    assert run.returncode == 0, run.stderr
    argv = run.stdout.split()
    assert argv[:4] == ["cage", "-d", "-s", "--"] and argv[-1] == "http://127.0.0.1:9191/"
    assert "--renderer-process-limit=1" in argv and "--ozone-platform=wayland" in argv
    assert "--user-data-dir=/run/quartier-kiosk/chromium" in argv  # Chromium's profile in RAM
    # A wrong port is one clear line, not a traceback.
    settings.write_text("server: http://quartier.test\nport: huit\n")
    run = subprocess.run(
        [sys.executable, "-m", "displays.kiosk", "--config", str(settings), "--print"], capture_output=True, text=True
    )
    assert run.returncode == 2 and run.stderr.startswith("quartier-kiosk: port:") and "Traceback" not in run.stderr


def test_the_agent_imports_nothing_of_the_server():
    """The Pi installs displays/ alone: every import in it is the standard library, its two
    dependencies or itself (the agent tests also run it with the server's packages unimportable)."""
    import ast

    allowed = set(sys.stdlib_module_names) | {"displays", "websockets", "yaml"}
    for path in sorted(PI.parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"
