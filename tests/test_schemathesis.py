"""schemathesis fuzzes every /api/v1 operation from its OpenAPI document.

The real app runs on loopback in its own thread (schemathesis drives it with
blocking `requests`), filled with the demo data so ids and codes exist, and
called with an organizer's bearer token. Every generated request, valid or
not, passes every check schemathesis has: no 5xx, a documented status, schema,
content type and headers, valid data accepted and invalid data refused, 405
with Allow for other methods, authentication enforced. Where a rule cannot be
written in a schema, tests/schemathesis.toml says so per operation, with the
reason. `make test` runs a few examples per operation; `make soak`
(QUARTIER_SOAK_EXAMPLES) many more.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS as REGISTRY
from schemathesis.checks import load_all_checks
from schemathesis.config import SchemathesisConfig

from quartier import auth
from quartier.app import create_app
from quartier.demo import fill
from quartier.openapi import build
from quartier.typedefs import DB

EXAMPLES = int(os.environ.get("QUARTIER_SOAK_EXAMPLES", "6"))
load_all_checks()  # every check schemathesis has, as issue 16 asks
CHECKS = REGISTRY.get_all()


class LoopbackServer:
    """The real app on 127.0.0.1 in a thread with its own event loop."""

    def __init__(self, settings) -> None:
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.port = 0
        self.token = ""
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._start())
        self.ready.set()
        self.loop.run_forever()

    async def _start(self) -> None:
        await fill(self.settings, "fuzzing password")
        self.app = create_app(self.settings)
        self.runner = web.AppRunner(self.app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.token = await auth.create_api_token(self.app[DB], "demo")

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    def __enter__(self) -> LoopbackServer:
        self.thread.start()
        assert self.ready.wait(60), "the server did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture(scope="module")
def loopback(tmp_path_factory) -> Iterator[LoopbackServer]:
    from quartier.settings import Settings

    folder = tmp_path_factory.mktemp("fuzz")
    settings = Settings(
        database="quartier.db", config_dir=folder, secret_key="fuzz-secret", base_url="http://127.0.0.1"
    )
    with LoopbackServer(settings) as server:
        yield server


CONFIG = SchemathesisConfig.from_path(Path(__file__).with_name("schemathesis.toml"))
SCHEMA = schemathesis.openapi.from_dict(build(), config=CONFIG)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op.method.upper()} {op.path}")
def test_every_operation_answers_within_its_schema(loopback, operation):
    base_url = f"http://127.0.0.1:{loopback.port}"
    session = requests.Session()
    headers = {"Authorization": f"Bearer {loopback.token}", "Accept-Language": "fr"}

    @hsettings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=not os.environ.get("QUARTIER_SOAK_EXAMPLES"),
        suppress_health_check=list(HealthCheck),
    )
    @given(
        case=st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))
    )
    def run(case) -> None:
        response = case.call_and_validate(base_url=base_url, session=session, headers=headers, checks=CHECKS)
        statuses.append(response.status_code)

    statuses: list[int] = []
    run()
    session.close()
    # The token and the demo data let requests through: the fuzzer reached the handlers.
    # (A screen's heartbeat takes a display token, which the fuzzer does not hold.)
    if "heartbeat" not in operation.path:
        assert statuses and not all(s in (401, 403) for s in statuses), statuses
    print(f"{operation.method.upper()} {operation.path}: {len(statuses)} examples, statuses {sorted(set(statuses))}")
