"""The browser watchdog: Chromium restarted when it dies or its page stops heartbeating.

Either the agent starts Chromium itself (`browser: true`), or the kiosk unit runs it and the
agent runs `browser_restart` when the page goes silent. While the screen is switched off by
stopping the kiosk (power method `kiosk`), there is no page to hear from, and nothing is restarted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time

from displays.backoff import Backoff
from displays.config import AgentConfig
from displays.power import Method, run

log = logging.getLogger("displays")


class BrowserWatchdog:
    config: AgentConfig
    browser_beat: float | None
    browser_process: asyncio.subprocess.Process | None
    browser_restarts: int
    power_state: bool | None
    power_method: Method | None

    def page_url(self) -> str:
        raise NotImplementedError  # the Agent's

    def browser_alive(self) -> bool:
        if self.browser_beat is None or time.monotonic() - self.browser_beat > self.config.browser_silence:
            return False
        return self.browser_process is None or self.browser_process.returncode is None

    def kiosk_stopped(self) -> bool:
        return self.power_state is False and bool(self.power_method and self.power_method.stops_browser)

    async def browser_watchdog(self) -> None:
        """Start Chromium on the local page; restart it when it exits or stops heartbeating."""
        backoff = Backoff(2.0, 60.0)
        while True:
            started = time.monotonic()
            try:
                self.browser_process = await asyncio.create_subprocess_exec(
                    *self.config.browser_command,
                    self.page_url(),
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.DEVNULL,
                    start_new_session=True,
                )
            except OSError as e:
                log.warning("cannot start the browser %s: %s", self.config.browser_command[0], e)
                await asyncio.sleep(backoff.next())
                continue
            self.browser_beat = None
            reason = await self.watch_browser(started)
            log.warning("restarting the browser: %s", reason)
            await self.stop_browser()
            self.browser_restarts += 1
            if time.monotonic() - started > 600:
                backoff.reset()
            await asyncio.sleep(backoff.next())

    async def kiosk_watchdog(self) -> None:
        """The kiosk unit runs the browser: when its page goes silent, run `browser_restart`."""
        last_restart = time.monotonic()
        while True:
            await asyncio.sleep(min(5.0, self.config.browser_silence / 3))
            if self.kiosk_stopped():
                last_restart = time.monotonic()  # it starts again with the screen: a fresh grace then
                continue
            heard = self.browser_beat if self.browser_beat is not None else last_restart
            quiet = time.monotonic() - max(heard, last_restart)
            if quiet > self.config.browser_silence and time.monotonic() - last_restart > self.config.browser_grace:
                log.warning("the page stopped sending its heartbeat: restarting the kiosk")
                ok, out = await run(self.config.browser_restart)
                if not ok:
                    log.warning("browser restart: %s", out)
                self.browser_restarts += 1
                last_restart = time.monotonic()

    async def watch_browser(self, started: float) -> str:
        process = self.browser_process
        assert process is not None
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(process.wait(), 1.0)
            if process.returncode is not None:
                return f"it exited ({process.returncode})"
            last = self.browser_beat if self.browser_beat is not None else started + self.config.browser_grace
            if (
                time.monotonic() - max(last, started) > self.config.browser_silence
                and time.monotonic() - started > self.config.browser_grace
            ):
                return "the page stopped sending its heartbeat"

    async def stop_browser(self) -> None:
        process, self.browser_process = self.browser_process, None
        if process is None or process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 5)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
