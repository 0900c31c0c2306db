"""The app the Chromium tests drive, served over TCP as a browser needs it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from app.main import create_app
from app.settings import Settings
from tests.graphql_client import serve_over_tcp


@pytest.fixture
async def origin(settings: Settings) -> AsyncIterator[str]:
    """Where the app is served: ``http://127.0.0.1:<port>``."""
    async with serve_over_tcp(create_app(settings)) as served:
        yield served
