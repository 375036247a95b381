"""Measure what a lobby screen must hold: the agent plus Chromium showing the screen page.

    .venv/bin/python -m bench.screen_stack [--minutes 60] [--speed 60]

Runs a real server (temporary database, a site with a morning of sessions, an open forum board)
and the real agent (`python -m displays`, its own process), pairs them, then starts Chromium
(`/usr/bin/chromium` with the kiosk's `displays.config.CHROMIUM_FLAGS`, headless here since this
machine has no screen) on the agent's page and plays `--minutes` of a busy lobby at `--speed`×:
every 30 simulated seconds a staff change on the server (announcements added and removed, a
note on the wall, now and then a cancellation) and the page's clock moved on 30 s
(`quartierScreen.setNow`), so now/next, the clock and the announcements' rotation all turn.

Samples, every step: the stack's memory (PSS and RSS from /proc/PID/smaps_rollup, summed over the
agent and Chromium's whole process tree; every 10 steps, as root, the distinct physical pages they
hold, which other processes on the machine do not skew) and, through the DevTools protocol, the page's JS heap,
its element count and its live timers (setTimeout/setInterval counted by a script added before the
page's own). Before that, the same Chromium shows a static blank page of the same size for the
same time: the baseline. Prints JSON: start, peak and end of each, and the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from bench.agent_rss import pair_agent
from bench.common import free_port

MB = 1024 * 1024
CHROMIUM = os.environ.get("QUARTIER_CHROMIUM", "/usr/bin/chromium")
WIDTH, HEIGHT = 1920, 1080
STEP = 30  # simulated seconds between changes
SETTLE = 3.0  # seconds a fresh Chromium is left alone before the first sample (its start-up work)

# Counts the page's live timers: a timeout until it fires or is cleared, an interval until cleared.
# Added before any script of the page (tests/e2e/test_signage_screen_flat.py uses it too).
TIMERS_JS = """
(function () {
  var live = new Map();
  var setT = window.setTimeout, setI = window.setInterval, clearT = window.clearTimeout;
  window.setTimeout = function (fn) {
    var rest = Array.prototype.slice.call(arguments, 2);
    var id = setT.apply(window, [function () {
      live.delete(id);
      if (typeof fn === "function") { fn.apply(window, rest); }
    }].concat(Array.prototype.slice.call(arguments, 1, 2)));
    live.set(id, "timeout");
    return id;
  };
  window.setInterval = function () {
    var id = setI.apply(window, arguments);
    live.set(id, "interval");
    return id;
  };
  window.clearTimeout = window.clearInterval = function (id) { live.delete(id); clearT.call(window, id); };
  window.__quartierTimers = function () {
    var out = { timeouts: 0, intervals: 0 };
    live.forEach(function (kind) { out[kind + "s"] += 1; });
    return out;
  };
})();
"""
PAGE_FIGURES_JS = """() => {
  var t = window.__quartierTimers ? window.__quartierTimers() : { timeouts: 0, intervals: 0 };
  return { elements: document.getElementsByTagName("*").length, timeouts: t.timeouts, intervals: t.intervals };
}"""
BLANK = "<!doctype html><html lang=fr><title>blank</title><body style='margin:0;background:#111'></body></html>"


def tree(pid: int) -> list[int]:
    """The process and all its descendants (Chromium's zygotes, renderer, GPU and utility processes)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def memory(pids: list[int]) -> dict[str, float]:
    """PSS and RSS in MB summed over processes (PSS shares each shared page among its users)."""
    pss = rss = 0
    for pid in pids:
        try:
            lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
        except OSError:  # gone meanwhile
            continue
        for line in lines:
            if line.startswith("Pss:"):
                pss += int(line.split()[1])
            elif line.startswith("Rss:"):
                rss += int(line.split()[1])
    return {"pss_mb": pss / 1024, "rss_mb": rss / 1024, "processes": len(pids)}


PAGE = os.sysconf("SC_PAGE_SIZE")


def resident(pids: list[int]) -> dict[str, float] | None:
    """MB of distinct physical pages the processes hold (shared pages counted once), or None.

    What the stack needs of the machine's RAM whatever else runs: PSS shares a page among every
    process that maps it, so a second Chromium elsewhere on the machine (another test run) halves
    the share of Chromium's code in ours. Read from /proc/PID/pagemap, whose page frame numbers only
    root may see; without them, None (and PSS is the figure). `anon_mb`: those of the pages that are
    no file's (heaps, V8, tiles), which the kernel cannot drop and read again under pressure.
    """
    frames: dict[int, bool] = {}  # frame -> backed by a file (or shared memory)
    for pid in pids:
        try:
            smaps = Path(f"/proc/{pid}/smaps").read_text()
            fd = os.open(f"/proc/{pid}/pagemap", os.O_RDONLY)
        except OSError:  # gone meanwhile
            continue
        try:
            start = end = 0
            for line in smaps.splitlines():
                head = line.split(" ", 1)[0]
                if "-" in head and not head.endswith(":"):  # a mapping: "start-end perms ..."
                    a, b = head.split("-")
                    start, end = int(a, 16), int(b, 16)
                elif line.startswith("Rss:") and int(line.split()[1]) > 0:  # only mappings with pages in RAM
                    data = os.pread(fd, (end - start) // PAGE * 8, start // PAGE * 8)
                    for (e,) in struct.iter_unpack("<Q", data):
                        if e >> 63:  # present; bits 0-54 the frame, bit 61 file-page or shared
                            frames[e & ((1 << 55) - 1)] = bool(e >> 61 & 1)
        finally:
            os.close(fd)
    frames.pop(0, None)
    if not frames:
        return None
    anon = sum(1 for shared in frames.values() if not shared)
    return {"resident_mb": len(frames) * PAGE / MB, "anon_mb": anon * PAGE / MB}


def chromium_argv(profile: Path) -> list[str]:
    """The kiosk's Chromium (its flags from displays.config), headless on a screenless machine."""
    from displays.config import CHROMIUM_FLAGS

    flags = [f for f in CHROMIUM_FLAGS if not f.startswith("--ozone-platform")]
    extra = ["--headless=new", "--disable-gpu", f"--window-size={WIDTH},{HEIGHT}", "--remote-debugging-port=0"]
    if os.geteuid() == 0:
        extra.append("--no-sandbox")  # Chromium refuses root otherwise; the Pi runs it as `quartier`
    return [CHROMIUM, *flags, *extra, f"--user-data-dir={profile}", "about:blank"]


class Browser:
    """Chromium as its own process (so its pid and tree are ours to measure), driven over CDP."""

    def __init__(self, profile: Path):
        self.profile = profile
        self.proc: subprocess.Popen | None = None

    async def start(self, playwright: Any) -> Any:
        self.proc = subprocess.Popen(
            chromium_argv(self.profile), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Chromium did not open its DevTools port")
            await asyncio.sleep(0.05)
        port = port_file.read_text().split()[0]
        self.cdp_browser = await playwright.chromium.connect_over_cdp(f"http://127.0.0.1:{port}")
        context = self.cdp_browser.contexts[0]
        await context.add_init_script(TIMERS_JS)
        page = context.pages[0] if context.pages else await context.new_page()
        self.page = page
        self.cdp = await context.new_cdp_session(page)
        await self.cdp.send("Performance.enable")
        return page

    def pids(self) -> list[int]:
        assert self.proc is not None
        return tree(self.proc.pid)

    async def figures(self, gc: bool = False) -> dict[str, Any]:
        if gc:
            await self.cdp.send("HeapProfiler.collectGarbage")
        metrics = {m["name"]: m["value"] for m in (await self.cdp.send("Performance.getMetrics"))["metrics"]}
        page = await self.page.evaluate(PAGE_FIGURES_JS)
        return {
            "js_heap_mb": metrics["JSHeapUsedSize"] / MB,
            "nodes": int(metrics["Nodes"]),  # every live node, detached ones not yet collected included
            "listeners": int(metrics["JSEventListeners"]),
            "layouts": int(metrics["LayoutCount"]),
            "style_recalcs": int(metrics["RecalcStyleCount"]),
            **page,
        }

    async def stop(self) -> None:
        with contextlib.suppress(Exception):
            await self.cdp_browser.close()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


RESIDENT_EVERY = 10  # steps between two counts of distinct pages (a quarter of a second each)


def summary(samples: list[dict[str, Any]], key: str) -> dict[str, float] | None:
    values = [s[key] for s in samples if s.get(key) is not None]
    if not values:
        return None
    return {"start": round(values[0], 1), "peak": round(max(values), 1), "end": round(values[-1], 1)}


def stack_memory(pids: list[int], with_resident: bool) -> dict[str, Any]:
    out: dict[str, Any] = memory(pids)
    if with_resident:
        out.update(resident(pids) or {})
    return out


async def baseline(playwright: Any, folder: Path, seconds: float, step: float) -> dict[str, Any]:
    """The same Chromium on a static blank page of the same size, sampled alike for as long."""
    browser = Browser(folder / "profile-blank")
    page = await browser.start(playwright)
    try:
        await page.set_content(BLANK)
        await asyncio.sleep(SETTLE)
        samples = []
        began = time.monotonic()
        n = 0
        while time.monotonic() - began < seconds:
            samples.append(stack_memory(browser.pids(), n % RESIDENT_EVERY == 0))
            n += 1
            await asyncio.sleep(max(0.0, began + n * step - time.monotonic()))
        samples.append(stack_memory(browser.pids(), True))
        return {key: summary(samples, key) for key in ("resident_mb", "anon_mb", "pss_mb", "rss_mb")}
    finally:
        await browser.stop()


async def measure(minutes: float, speed: float) -> dict[str, Any]:
    from aiohttp.test_utils import TestClient, TestServer
    from playwright.async_api import async_playwright

    from quartier import auth
    from quartier.app import create_app
    from quartier.settings import Settings
    from quartier.typedefs import DB
    from tests.events.helpers import add_session, add_site

    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        raise RuntimeError(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set QUARTIER_CHROMIUM)")
    folder = Path(tempfile.mkdtemp(prefix="quartier-screen-"))
    settings = Settings(
        database="q.db",
        config_dir=folder,
        secret_key="x" * 32,
        base_url="http://quartier.test",
        forum_notes_per_minute=10_000,  # one device posts the wall's notes, faster than a person
    )
    server = TestServer(create_app(settings))
    await server.start_server()
    client = TestClient(server)
    await client.start_server()
    agent: subprocess.Popen | None = None
    step = STEP / speed
    seconds = minutes * 60 / speed
    try:
        app = server.app
        await auth.add_user(app[DB], "bench", "organizer", "correct horse battery staple")
        bearer = {"Authorization": f"Bearer {await auth.create_api_token(app[DB], 'bench')}"}
        await add_site(app, opening_hours="Mo-Su 00:00-24:00")
        await add_site(app, slug="cleunay", name="ESC Cleunay")
        tz = ZoneInfo("Europe/Paris")
        day = dt.datetime.now(tz).date()  # the page's clock is set: the real time of day does not matter
        start_at = dt.datetime.combine(day, dt.time(9, 0), tz)
        sessions = []
        for n in range(16):  # a session starting every quarter of an hour over the morning, and at Cleunay
            begin = (start_at + dt.timedelta(minutes=15 * n)).strftime("%H:%M")
            end = (start_at + dt.timedelta(minutes=15 * n + 45)).strftime("%H:%M")
            sessions.append(
                await add_session(
                    app, date=day.isoformat(), title=f"Atelier {n + 1}", start=begin, end=end, room="Salle 1"
                )
            )
            await add_session(
                app, site="cleunay", date=day.isoformat(), title=f"Ailleurs {n + 1}", start=begin, end=end
            )
        for n in range(1, 7):  # the coming days
            await add_session(app, date=(day + dt.timedelta(days=n)).isoformat(), title=f"Jour {n}", start="10:00")
        r = await client.post(
            "/api/v1/boards",
            headers=bearer,
            json={"title": "Le quartier en 2030", "moderation": "post", "site": "maurepas"},
        )
        board = (await r.json())["id"]

        async with async_playwright() as playwright:
            base = await baseline(playwright, folder, seconds, step)

            port = free_port()
            env = {
                **os.environ,
                "QUARTIER_DISPLAY_TIMINGS": f"heartbeat_every={step},refetch_every={600 / speed}",
                "QUARTIER_DISPLAY_LOG": "WARNING",
            }
            agent = subprocess.Popen(
                [sys.executable, "-m", "displays", "--server", f"http://127.0.0.1:{server.port}"]
                + ["--cache", str(folder / "cache"), "--port", str(port)],
                env=env,
            )
            local = f"http://127.0.0.1:{port}"
            await pair_agent(client, bearer, local)
            browser = Browser(folder / "profile-screen")
            page = await browser.start(playwright)
            try:
                await page.goto(f"{local}/?now={quote(start_at.isoformat())}")
                await page.wait_for_function("document.body.dataset.state === 'ready'")
                samples, figures = await play(
                    client, bearer, browser, agent.pid, board, sessions, day, start_at, seconds, step
                )
                gc_start, gc_end = figures
            finally:
                await browser.stop()
    finally:
        if agent is not None:
            agent.terminate()
            await asyncio.to_thread(agent.wait)  # the server in this loop answers its closing socket
        await client.close()
        await server.close()
        shutil.rmtree(folder, ignore_errors=True)
    stack, base_pss = summary(samples, "resident_mb"), base["resident_mb"]
    if stack is None or base_pss is None:  # not root: PSS is the figure
        stack, base_pss = summary(samples, "pss_mb"), base["pss_mb"]
    assert stack is not None and base_pss is not None
    return {
        "simulated_minutes": minutes,
        "real_seconds": round(seconds, 1),
        "updates": len(samples) - 1,
        "measure": "resident" if summary(samples, "resident_mb") else "pss",
        "stack_mb": stack,
        "baseline_mb": base_pss,
        "ratio_peak": round(stack["peak"] / base_pss["peak"], 3),
        "stack_resident_mb": summary(samples, "resident_mb"),
        # every 5 simulated minutes: flat or not, at a glance
        "stack_resident_series_mb": [round(x["resident_mb"]) for x in samples if x.get("resident_mb")],
        "stack_anon_mb": summary(samples, "anon_mb"),
        "stack_pss_mb": summary(samples, "pss_mb"),
        "stack_rss_mb": summary(samples, "rss_mb"),
        "agent_pss_mb": summary(samples, "agent_pss_mb"),
        "chromium_pss_mb": summary(samples, "chromium_pss_mb"),
        "processes": samples[-1]["processes"],
        "baseline_resident_mb": base["resident_mb"],
        "baseline_anon_mb": base["anon_mb"],
        "baseline_pss_mb": base["pss_mb"],
        "baseline_rss_mb": base["rss_mb"],
        "js_heap_mb": summary(samples, "js_heap_mb"),
        "js_heap_after_gc_mb": {"start": round(gc_start["js_heap_mb"], 2), "end": round(gc_end["js_heap_mb"], 2)},
        "nodes_after_gc": {"start": gc_start["nodes"], "end": gc_end["nodes"]},
        "elements": summary(samples, "elements"),
        "timers": {
            "start": gc_start["timeouts"] + gc_start["intervals"],
            "peak": max(s["timeouts"] + s["intervals"] for s in samples),
            "end": gc_end["timeouts"] + gc_end["intervals"],
        },
        "listeners": {"start": gc_start["listeners"], "end": gc_end["listeners"]},
        "layouts_per_update": round((gc_end["layouts"] - gc_start["layouts"]) / max(1, len(samples) - 1), 2),
    }


async def play(
    client: Any,
    bearer: dict[str, str],
    browser: Browser,
    agent_pid: int,
    board: int,
    sessions: list[int],
    day: dt.date,
    start_at: dt.datetime,
    seconds: float,
    step: float,
) -> tuple[list[dict[str, Any]], tuple[dict[str, Any], dict[str, Any]]]:
    """The simulated hour: a change on the server and the page's clock 30 s on, every step."""
    rng = random.Random(1)

    async def sample(n: int = 0) -> dict[str, Any]:
        agent = memory([agent_pid])
        chromium = memory(browser.pids())
        return {
            **((resident([agent_pid, *browser.pids()]) or {}) if n % RESIDENT_EVERY == 0 else {}),
            "pss_mb": agent["pss_mb"] + chromium["pss_mb"],
            "rss_mb": agent["rss_mb"] + chromium["rss_mb"],
            "agent_pss_mb": agent["pss_mb"],
            "chromium_pss_mb": chromium["pss_mb"],
            "processes": agent["processes"] + chromium["processes"],
            **(await browser.figures()),
        }

    await asyncio.sleep(SETTLE)  # the page settles (its socket to the agent, its first heartbeat)
    gc_start = await browser.figures(gc=True)
    samples = [await sample()]
    ids: list[int] = []
    steps = round(seconds / step)
    began = time.monotonic()
    for n in range(steps):
        if n % 3 == 2:
            r = await client.post(
                f"/api/v1/boards/{board}/notes", json={"text": f"Idée n° {n} : " + "des bancs " * rng.randrange(1, 12)}
            )
        elif ids and rng.random() < 0.4:
            r = await client.delete(f"/api/v1/announcements/{ids.pop(0)}", headers=bearer)
        else:
            r = await client.post(
                "/api/v1/announcements",
                headers=bearer,
                json={
                    "title": f"Annonce {n}",
                    "body": "texte " * rng.randrange(80),
                    "target": "all",
                    "urgent": n % 40 == 7,
                },
            )
            ids.append((await r.json())["id"])
        assert r.status < 300, await r.text()
        if n % 20 == 10 and n // 20 * 2 + 1 < len(sessions):  # every 10 minutes, one later today
            r = await client.post(
                f"/api/v1/sessions/{sessions[n // 20 * 2 + 1]}/cancellations",
                headers=bearer,
                json={"date": day.isoformat(), "reason": "Animateur absent"},
            )
            assert r.status < 300, await r.text()
        clock = start_at + dt.timedelta(seconds=STEP * (n + 1))
        await browser.page.evaluate("iso => quartierScreen.setNow(iso)", clock.isoformat())
        samples.append(await sample(n + 1))
        await asyncio.sleep(max(0.0, began + (n + 1) * step - time.monotonic()))
    await asyncio.sleep(1.0)  # the last change reaches the page
    gc_end = await browser.figures(gc=True)
    samples.append(await sample())
    return samples, (gc_start, gc_end)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--speed", type=float, default=60)
    args = parser.parse_args()
    result = asyncio.run(measure(args.minutes, args.speed))
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
