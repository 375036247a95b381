"""What every scenario shares: CPU pinning, servers as subprocesses, load in other processes, figures."""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
QUARTIER = str(BIN / "quartier")

# The server gets core 0, the load generators every other core. With one core there is
# nothing to pin and the figures say so.
CORES = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
PINNING = len(CORES) >= 2
SERVER_CORES = {CORES[0]} if PINNING else None
LOAD_CORES = set(CORES[1:]) if PINNING else None
# The N of the N-worker column: what `quartier serve` starts by default (one per core), at least 2.
WORKERS = max(2, len(CORES))


def pin(pid: int, cores: set[int] | None) -> None:
    if cores and hasattr(os, "sched_setaffinity"):
        with contextlib.suppress(OSError):  # the process may have gone already
            os.sched_setaffinity(pid, cores)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> float:
    """Poll until the port accepts a TCP connection; returns the monotonic time it did."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return time.monotonic()
        except OSError:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode} before listening") from None
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on port {port}") from None
            time.sleep(0.005)


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def tree_pss_mb(pid: int) -> float:
    """Memory of a process and its children, in MB, each shared page counted once (PSS):
    forked workers share the parent's pages, which a sum of RSS would count N times."""
    total = 0
    pending = [pid]
    while pending:
        p = pending.pop()
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
            pending += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
    return total / 1024


def run_cli(*args: str, cwd: Path | None = None, stdin: str | None = None) -> str:
    out = subprocess.run([QUARTIER, *args], cwd=cwd, input=stdin, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"quartier {' '.join(args)} failed: {out.stderr.strip()}")
    return out.stdout


@dataclass
class Server:
    """A server subprocess pinned to the server core; stopped politely, then killed."""

    argv: list[str]
    port: int
    log: Path
    cwd: Path | None = None
    env: dict[str, str] | None = None
    proc: subprocess.Popen | None = None
    cores: set[int] | None = field(default_factory=lambda: SERVER_CORES)
    started_at: float = 0.0
    listening_at: float = 0.0

    def start(self, timeout: float = 60.0) -> Server:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        logf = self.log.open("ab")
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(
            self.argv, cwd=self.cwd, env=self.env, stdout=logf, stderr=subprocess.STDOUT, start_new_session=True
        )
        logf.close()
        pin(self.proc.pid, self.cores)  # its workers, forked later, inherit it
        self.listening_at = wait_port(self.port, timeout, self.proc)
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def quartier_server(config: Path, port: int, log: Path, workers: int = 1) -> Server:
    """`quartier serve`: one worker on the server core, or N workers on every core (sharing the
    load generators' core: on a 2-core machine nothing else is left)."""
    argv = [QUARTIER, "serve", "--config", str(config), "--port", str(port), "--workers", str(workers)]
    return Server(argv, port, log, cores=SERVER_CORES if workers == 1 else set(CORES) or None)


def baseline_server(kind: str, port: int, log: Path, *extra: str) -> Server:
    return Server([sys.executable, "-m", "bench.baselines", kind, "--port", str(port), *extra], port, log)


# -- load generators: a function run in a fresh process pinned to the load cores


def _child(fn: Callable[..., Any], kwargs: dict[str, Any], conn: Any) -> None:
    pin(0, LOAD_CORES)
    try:
        result = fn(**kwargs)
        conn.send(("ok", result))
    except BaseException as e:  # report, do not hang the runner
        import traceback

        conn.send(("error", f"{e!r}\n{traceback.format_exc()}"))
    finally:
        conn.close()


class Load:
    """`fn(**kwargs)` in another process; `.result()` waits for what it returned."""

    def __init__(self, fn: Callable[..., Any], **kwargs: Any):
        ctx = multiprocessing.get_context("spawn")
        self._recv, send = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=_child, args=(fn, kwargs, send), daemon=True)
        self.proc.start()
        send.close()

    def result(self, timeout: float = 600.0) -> Any:
        if not self._recv.poll(timeout):
            self.proc.kill()
            raise TimeoutError("load generator did not finish")
        status, value = self._recv.recv()
        self.proc.join(5)
        if status != "ok":
            raise RuntimeError(f"load generator failed: {value}")
        return value


def run_load(fn: Callable[..., Any], **kwargs: Any) -> Any:
    return Load(fn, **kwargs).result()


# -- figures


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


def latency_summary(values_ms: list[float]) -> dict[str, float]:
    v = sorted(values_ms)
    return {
        "count": len(v),
        "p50_ms": round(percentile(v, 50), 2),
        "p99_ms": round(percentile(v, 99), 2),
        "max_ms": round(v[-1], 2) if v else float("nan"),
    }


def ratio(value: float, base: float) -> float:
    return round(value / base, 3) if base else float("nan")


@dataclass
class Report:
    """What a scenario found: figures, ratios, targets met or not, in results.json and the table."""

    name: str
    figures: dict[str, Any] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def row(
        self,
        measure: str,
        value: Any,
        unit: str,
        baseline: Any = None,
        ratio: Any = None,
        target: str = "",
        met: bool | None = None,
        workers: Any = None,
    ) -> None:
        """One line of the table: `value` with one worker, `workers` with N (when measured)."""
        self.rows.append(
            {
                "measure": measure,
                "value": value,
                "workers": workers,
                "unit": unit,
                "baseline": baseline,
                "ratio": ratio,
                "target": target,
                "met": met,
            }
        )
        shown = f"  {measure}: {value} {unit}"
        if workers is not None:
            shown += f", {WORKERS} workers {workers}" + ("" if isinstance(workers, str) else f" {unit}")
        if baseline is not None:
            shown += f"  (baseline {baseline} {unit}, ratio {ratio})"
        if target:
            shown += f"  target {target}: {'met' if met else 'NOT met' if met is not None else 'n/a'}"
        print(shown, flush=True)

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"  note: {text}", flush=True)

    def as_dict(self) -> dict[str, Any]:
        return {"figures": self.figures, "rows": self.rows, "notes": self.notes}


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


@contextlib.contextmanager
def timer() -> Iterator[Callable[[], float]]:
    start = time.monotonic()
    yield lambda: time.monotonic() - start


def new_loop_run(coro: Any) -> Any:
    return asyncio.run(coro)
