"""How the agent finds a way to switch the screen off (issue 27): probed at start, said once in
plain words, a failing command logged once and never every cycle. Stand-in commands play
cec-ctl, the TV and the kiosk helper."""

from __future__ import annotations

import logging
import os
import stat

import pytest

from displays import i18n, power


def script(folder, name: str, body: str) -> str:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.fixture
def bin_dir(tmp_path, monkeypatch):
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    helper = script(folder, "screen-power", 'exit "${FAKE_KIOSK:-1}"')
    monkeypatch.setitem(power.KIOSK, "probe", [helper, "check"])
    monkeypatch.setitem(power.KIOSK, "on", [helper, "on"])
    monkeypatch.setitem(power.KIOSK, "off", [helper, "off"])
    return folder


async def test_auto_picks_the_tv_that_answers_hdmi_cec(bin_dir, monkeypatch):
    # Only the TV behind the second adapter answers (a Pi 4 plugged into its HDMI1).
    script(bin_dir, "cec-ctl", '[ "$2" = /dev/cec1 ] && echo "pwr-state: standby (0x01)" || echo "Timeout"')
    method = await power.choose("auto", [], [], cec_devices=["/dev/cec0", "/dev/cec1"])
    assert method.name == "cec" and method.ok and "/dev/cec1" in method.off
    assert method.off[-1] == "--standby" and method.on[-1] == "--image-view-on"
    i18n.set_language("fr")
    assert method.sentence() == (
        "Hors des heures d'ouverture, le téléviseur est mis en veille par HDMI-CEC (/dev/cec1)."
    )


async def test_auto_without_cec_falls_back_to_the_kiosk_then_to_the_dark_page(bin_dir, monkeypatch):
    script(bin_dir, "cec-ctl", 'echo "Transmit: Not Acknowledged"; exit 1')  # no TV: a monitor
    monkeypatch.setenv("FAKE_KIOSK", "0")
    method = await power.choose("auto", [], [], cec_devices=["/dev/cec0"])
    assert method.name == "kiosk" and method.stops_browser and method.off[-1] == "off"
    monkeypatch.setenv("FAKE_KIOSK", "1")  # no kiosk helper either (the agent alone, a desktop)
    method = await power.choose("auto", [], [], cec_devices=[])
    assert (method.name, method.on, method.off) == ("none", [], [])
    i18n.set_language("en")
    try:
        assert "the page turns black but the screen stays on" in method.sentence()
    finally:
        i18n.set_language("fr")


async def test_power_none_in_display_yaml_is_said_as_a_choice_not_as_nothing_found(bin_dir):
    method = await power.choose("none", [], [], cec_devices=["/dev/cec0"])
    assert (method.name, method.on, method.off) == ("none", [], [])
    assert method.sentence() == (
        "L'écran n'est pas éteint (power: none dans display.yaml) : hors des heures d'ouverture, "
        "la page devient noire mais l'écran reste allumé."
    )


async def test_cec_asked_for_on_a_screen_without_it_is_said_once_and_retried_quietly(bin_dir, caplog):
    script(bin_dir, "cec-ctl", 'echo "Timeout"; exit 1')
    method = await power.choose("cec", [], [], cec_devices=["/dev/cec0"])
    assert method.name == "cec" and not method.ok
    assert "aucun téléviseur ne répond sur /dev/cec0" in method.sentence()
    switch = power.Switch(method)
    caplog.set_level(logging.DEBUG, logger="displays.power")
    for want in (False, True, False, True):
        assert await switch.set(want) is False
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "cec-ctl exited 1: Timeout" in warnings[0].getMessage()
    assert switch.retry_after() == 2400.0  # 5 minutes after the first failure, doubling (4 failures: 40 min)
    switch.failures = 10
    assert switch.retry_after() == 3600.0  # at most an hour
    # The TV comes back: it works again, and that is said.
    script(bin_dir, "cec-ctl", "exit 0")
    assert await switch.set(False) is True and method.ok and switch.failures == 0
    assert "works again" in caplog.records[-1].getMessage()
