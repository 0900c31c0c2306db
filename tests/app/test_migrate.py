"""``socle migrate`` says in one line what it did."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import AsyncIterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

# Aliased so that pytest does not take it for a test class.
from tests.conftest import TestDatabase as Database


def _on(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


@pytest.fixture
async def empty_database(database: Database) -> AsyncIterator[Database]:
    """A new database on the test server, dropped afterwards."""
    name = f"socle_migrate_{secrets.token_hex(4)}"
    owner = await asyncpg.connect(database.owner_url)
    try:
        await owner.execute(f'CREATE DATABASE "{name}"')
        yield Database(owner_url=_on(database.owner_url, name), app_url=_on(database.app_url, name))
        await owner.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await owner.close()


def _migrate(target: Database) -> subprocess.CompletedProcess[str]:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("SOCLE_")}
    return subprocess.run(
        [sys.executable, "-m", "app", "migrate"],
        env={**environment, "SOCLE_DATABASE_URL": target.app_url, "SOCLE_DATABASE_OWNER_URL": target.owner_url},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


async def test_migrate_reports_what_it_applied(empty_database: Database) -> None:
    first, again = _migrate(empty_database), _migrate(empty_database)
    owner = await asyncpg.connect(empty_database.owner_url)
    try:
        total = await owner.fetchval("SELECT count(*) FROM migration")
    finally:
        await owner.close()
    assert [(run.returncode, run.stdout, run.stderr) for run in (first, again)] == [
        (0, f"socle: {total} migrations applied; database up to date ({total} migrations)\n", ""),
        (0, f"socle: database up to date ({total} migrations)\n", ""),
    ]
