"""The fake Wave API, and an app that talks to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from app.main import create_app
from app.settings import Settings
from tests.graphql_client import serve
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
