"""A fault-injecting TCP proxy for tests: drops, stalls and delays connections at random.

    proxy = FaultProxy(upstream_port, seed=1)
    await proxy.start()        # listens on 127.0.0.1:proxy.port
    ...                        # clients connect to proxy.port instead of the server
    proxy.faults = False       # let everything through again
    await proxy.stop()

Each connection draws its own fate from the seeded random generator: most chunks pass,
some are delayed, the link may stall for a while, and any connection may be cut.
"""

from __future__ import annotations

import asyncio
import contextlib
import random


class FaultProxy:
    def __init__(
        self,
        upstream_port: int,
        *,
        seed: int = 0,
        host: str = "127.0.0.1",
        drop_rate: float = 0.02,
        stall_rate: float = 0.01,
        delay_rate: float = 0.1,
        max_delay: float = 0.3,
        max_stall: float = 3.0,
    ):
        self.upstream = (host, upstream_port)
        self.random = random.Random(seed)
        self.faults = True
        self.drop_rate, self.stall_rate, self.delay_rate = drop_rate, stall_rate, delay_rate
        self.max_delay, self.max_stall = max_delay, max_stall
        self.port = 0
        self.counts = {"connections": 0, "drops": 0, "stalls": 0, "delays": 0}
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> FaultProxy:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server:
            self._server.close()
        self.cut_all()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._server:
            await self._server.wait_closed()

    def cut_all(self) -> None:
        """Drop every open connection at once (a Wi-Fi access point rebooting)."""
        for writer in list(self._writers):
            writer.transport.abort()

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        self.counts["connections"] += 1
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            client_writer.transport.abort()
            return
        self._writers.update((client_writer, up_writer))
        pipes = [
            asyncio.create_task(self._pipe(client_reader, up_writer)),
            asyncio.create_task(self._pipe(up_reader, client_writer)),
        ]
        self._tasks.update(pipes)
        try:
            await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in pipes:
                task.cancel()
                self._tasks.discard(task)
            for writer in (client_writer, up_writer):
                self._writers.discard(writer)
                writer.transport.abort()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            data = await reader.read(65536)
            if not data:
                return
            if self.faults:
                roll = self.random.random()
                if roll < self.drop_rate:
                    self.counts["drops"] += 1
                    return  # the connection is cut mid-stream
                if roll < self.drop_rate + self.stall_rate:
                    self.counts["stalls"] += 1
                    await asyncio.sleep(self.random.uniform(0.5, self.max_stall))
                elif roll < self.drop_rate + self.stall_rate + self.delay_rate:
                    self.counts["delays"] += 1
                    await asyncio.sleep(self.random.uniform(0, self.max_delay))
            writer.write(data)
            await writer.drain()
