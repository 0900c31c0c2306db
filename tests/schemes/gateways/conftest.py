"""The payment providers the tests talk to, over real sockets: a Wave-shaped
API and localstripe, and apps that talk to them."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from app.main import create_app
from app.settings import Settings
from tests.graphql_client import free_port, serve, serve_over_tcp
from tests.pages import Browser, browser_of
from tests.wave_server import WaveServer, wave_server


@pytest.fixture
def wave() -> Iterator[WaveServer]:
    with wave_server() as server:
        yield server


@pytest.fixture
async def wave_client(settings: Settings, migrated: None, wave: WaveServer) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app whose Wave is the fake."""
    async with serve(create_app(settings.model_copy(update={"wave_api_url": wave.url}))) as client:
        yield client


@pytest.fixture(scope="session")
def localstripe(tmp_root: Path) -> Iterator[str]:
    """A localstripe server (a stateful Stripe-compatible API) on a free port: its address."""
    port = free_port()
    workdir = tmp_root / "localstripe"
    workdir.mkdir(exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert process.poll() is None, "localstripe stopped before serving"
            assert time.monotonic() < deadline, "localstripe did not start in 30 s"
            time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
async def stripe_origin(settings: Settings, migrated: None, localstripe: str) -> AsyncIterator[str]:
    """The app served over TCP where its public address says (localstripe posts its events there)."""
    port = free_port()
    given = {"public_url": f"http://127.0.0.1:{port}", "stripe_api_url": localstripe}
    async with serve_over_tcp(create_app(settings.model_copy(update=given)), port) as served:
        yield served


@pytest.fixture
async def wave_browser(settings: Settings, migrated: None, wave: WaveServer) -> AsyncIterator[Browser]:
    """A browser of an app whose Wave is the fake (its ``another()`` is the API client)."""
    async with browser_of(settings.model_copy(update={"wave_api_url": wave.url})) as browser:
        yield browser
