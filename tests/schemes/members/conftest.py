"""Fixtures of the members' tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from app.main import create_app
from app.settings import Settings
from tests.graphql_client import serve


@pytest.fixture
async def quiet_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app whose outbox sweep waits an hour, so that no sweep
    runs while statements are counted."""
    async with serve(create_app(settings.model_copy(update={"outbox_relay_interval": 3600.0}))) as client:
        yield client
