"""Screen power on the snapshot's schedule, and the browser watchdog, with stand-in commands."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys

from quartier.typedefs import SETTINGS
from tests.signage.helpers import add_site, today

from .helpers import LocalAgent


def recorder(path, word: str) -> list[str]:
    return [sys.executable, "-c", f"open({str(path)!r}, 'a').write({word + ' '!r})"]


async def test_the_screen_follows_the_schedule_and_a_failing_command_never_crashes_the_agent(
    server, client, bearer, tmp_path
):
    await add_site(server.app)
    log = tmp_path / "power.log"
    config = tmp_path / "display.yaml"
    config.write_text(json.dumps({"power": {"on": recorder(log, "on"), "off": recorder(log, "off")}}))
    # The agent's clock says 10:00 today (Paris): the test never depends on the time it runs at.
    ten = dt.datetime.combine(today(server.app), dt.time(10), server.app[SETTINGS].tz).isoformat()
    agent = await LocalAgent(
        f"http://127.0.0.1:{server.port}", tmp_path / "agent", extra=["--config", str(config)], now=ten
    ).start()
    try:
        status = await agent.wait_for(lambda s: s["pairing_code"])
        r = await client.post(
            "/api/v1/displays/claim",
            headers=bearer,
            json={"code": status["pairing_code"], "site": "maurepas", "name": "Hall"},
        )
        display_id = (await r.json())["id"]
        # Hours that exclude the agent's (injected) 10:00: the screen goes dark.
        r = await client.patch(
            f"/api/v1/displays/{display_id}",
            headers=bearer,
            json={"hours_override": "Mo-Su 20:00-21:00", "margin_minutes": 0, "always_on": False},
        )
        assert r.status == 200, await r.text()
        await agent.wait_for(lambda s: s["power"] is False, timeout=10)
        r = await client.patch(f"/api/v1/displays/{display_id}", headers=bearer, json={"always_on": True})
        await agent.wait_for(lambda s: s["power"] is True, timeout=10)
        assert log.read_text().split()[-2:] == ["off", "on"]
    finally:
        await agent.stop()
    # A command that does not exist is logged once, in plain words, and the agent goes on serving.
    config.write_text(json.dumps({"power": {"on": ["/nonexistent/display-on"], "off": ["/nonexistent/off"]}}))
    agent = await LocalAgent(
        f"http://127.0.0.1:{server.port}", tmp_path / "agent", extra=["--config", str(config)], now=ten
    ).start()
    try:
        await agent.wait_for(lambda s: s["connected"])
        status = await agent.wait_for(lambda s: s["power_control"] and not s["power_control"]["ok"])
        assert status["power_control"]["method"] == "custom" and "display-on" in status["power_control"]["sentence"]
        assert (await agent.status())["power"] is None and (await agent.snapshot()) is not None
        for _ in range(3):  # more schedule changes: still one line in the log, no failure every cycle
            r = await client.patch(f"/api/v1/displays/{display_id}", headers=bearer, json={"margin_minutes": 5})
            await asyncio.sleep(0.6)
        assert agent.log.read_text().count("display-on") == 1
    finally:
        await agent.stop()


async def test_the_watchdog_restarts_a_browser_that_dies_or_stops_heartbeating(tmp_path, server):
    config = tmp_path / "display.yaml"
    config.write_text(
        json.dumps({"browser": True, "browser_command": [sys.executable, "-c", "import time; time.sleep(0.3)"]})
    )
    agent = await LocalAgent(f"http://127.0.0.1:{server.port}", tmp_path / "a", extra=["--config", str(config)]).start()
    try:
        await agent.wait_for(lambda s: s["browser_restarts"] >= 2, timeout=15)  # it died twice, came back twice
    finally:
        await agent.stop()
    # A browser that lives on but whose page went silent (hung) is killed and started again.
    config.write_text(
        json.dumps({"browser": True, "browser_command": [sys.executable, "-c", "import time; time.sleep(60)"]})
    )
    agent = await LocalAgent(
        f"http://127.0.0.1:{server.port}",
        tmp_path / "b",
        extra=["--config", str(config)],
        timings="browser_silence=1,browser_grace=1",
    ).start()
    try:
        await agent.wait_for(lambda s: s["browser_restarts"] >= 1, timeout=15)
        assert "stopped sending its heartbeat" in agent.log.read_text()
    finally:
        await agent.stop()
