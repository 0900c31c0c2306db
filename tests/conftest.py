"""Test servers: a throwaway PostgreSQL (embedded, or a fresh database on
``SOCLE_TEST_DATABASE_URL``) and a throwaway Redis, migrated once per run."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import dramatiq
import httpx
import pytest
from dramatiq.brokers.stub import StubBroker

from app import db, local_postgres
from app.main import create_app
from app.migrate import migrate
from app.settings import Environment, Settings
from tests.graphql_client import free_port, serve
from tests.pages import Browser, browser_of
from workers.actors import declare_on


@dataclass(frozen=True)
class TestDatabase:
    owner_url: str
    app_url: str


def _with_database(url: str, database: str, user: str | None = None, password: str | None = None) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    netloc = (f"{user}:{password}@{netloc}" if password else f"{user}@{netloc}") if user else parts.netloc
    return urlunsplit((parts.scheme, netloc, f"/{database}", parts.query, ""))


@pytest.fixture(scope="session")
def tmp_root() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="socle-test-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def database(tmp_root: Path) -> Iterator[TestDatabase]:
    external = os.environ.get("SOCLE_TEST_DATABASE_URL")
    if not external:
        server = local_postgres.start(tmp_root / "pgdata", throwaway=True)
        yield TestDatabase(owner_url=server.owner_url, app_url=server.app_url)
        return
    name = f"socle_test_{secrets.token_hex(4)}"
    app_role, app_password = f"{name}_app", secrets.token_hex(16)

    async def create() -> None:
        connection = await asyncpg.connect(external)
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    async def drop() -> None:
        connection = await asyncpg.connect(external)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await connection.execute(f'DROP ROLE IF EXISTS "{app_role}"')
        finally:
            await connection.close()

    import asyncio

    asyncio.run(create())
    yield TestDatabase(
        owner_url=_with_database(external, name),
        app_url=_with_database(external, name, app_role, app_password),
    )
    asyncio.run(drop())


@pytest.fixture(scope="session")
def redis_url(tmp_root: Path) -> Iterator[str]:
    executable = shutil.which("redis-server")
    if executable is None:
        pytest.fail("redis-server is missing: run the tests with `make test`, which installs it")
    port = free_port()
    process = subprocess.Popen(
        [
            executable,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_root),
        ],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def settings(database: TestDatabase, tmp_root: Path) -> Settings:
    """Settings of the application under test: the in-process broker."""
    return Settings(
        env=Environment.TEST,
        data_dir=tmp_root / "var",
        database_url=database.app_url,
        database_owner_url=database.owner_url,
        storage_url=f"file://{tmp_root}/storage",
        secret_key="t" * 40,
        log_format="console",
    )


@pytest.fixture(scope="session")
async def migrated(settings: Settings) -> AsyncIterator[None]:
    await migrate(settings)
    db.connect(settings.database_url or "", settings)
    # Every pooled connection reports its statements to the counter below.
    db.DB.pool_options["init"] = _log_statements
    await db.open_pool()
    yield
    await db.close_pool()


class StatementCounter:
    """Counts the statements the application sends while ``counting``."""

    def __init__(self) -> None:
        self.counting = False
        self.statements: list[str] = []

    def __call__(self, record: asyncpg.connection.LoggedQuery) -> None:
        if self.counting:
            self.statements.append(record.query)

    def of_application(self) -> list[str]:
        """The statements counted, without asyncpg's own reading of a type's
        definition, once per pooled connection that meets the type: the
        loaders' transactions run side by side, on whichever connections the
        pool hands out, so these come and go."""
        return [s for s in self.statements if "typeinfo_tree" not in s and "'jit'" not in s]


_COUNTER = StatementCounter()


async def _log_statements(connection: asyncpg.Connection) -> None:
    connection.add_query_logger(_COUNTER)


@pytest.fixture
def statements() -> Iterator[StatementCounter]:
    """The statements sent through the pool during the test, counting from the start."""
    _COUNTER.statements.clear()
    _COUNTER.counting = True
    yield _COUNTER
    _COUNTER.counting = False


@pytest.fixture
async def owner(database: TestDatabase, migrated: None) -> AsyncIterator[asyncpg.Connection]:
    """A connection as the schema owner, which row-level security lets see
    everything (superuser), to check what really is in the tables."""
    connection = await asyncpg.connect(database.owner_url)
    yield connection
    await connection.close()


@pytest.fixture(autouse=True, scope="session")
def _a_broker_from_the_start() -> None:
    """Services tested without an app write jobs too (a payment's receipt):
    they meet a broker, as after any app, whatever test runs first. Without
    one, dramatiq's default broker would wait on a server that is not there.
    No worker runs these jobs; each app installs its own broker."""
    broker = StubBroker()
    broker.emit_after("process_boot")
    dramatiq.set_broker(broker)
    declare_on(broker)


@pytest.fixture(autouse=True)
async def _forget_loopback_sign_in_failures(
    request: pytest.FixtureRequest, database: TestDatabase
) -> AsyncIterator[None]:
    """Every HTTP test comes from 127.0.0.1: keep one test's wrong passwords
    and codes, and its requests for codes and links, from slowing down or
    refusing the next test's."""
    yield
    if "migrated" in request.fixturenames:
        connection = await asyncpg.connect(database.owner_url)
        try:
            await connection.execute("DELETE FROM sign_in_throttles WHERE key LIKE '%address:127.0.0.1'")
        finally:
            await connection.close()


@pytest.fixture
async def client(settings: Settings, migrated: None) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the application under test, lifespan running."""
    async with serve(create_app(settings)) as client:
        yield client


@pytest.fixture
async def quiet_client(settings: Settings, migrated: None) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app whose outbox sweep waits an hour, so that no sweep
    runs while statements are counted."""
    async with serve(create_app(settings.model_copy(update={"outbox_relay_interval": 3600.0}))) as client:
        yield client


@pytest.fixture
async def browser(settings: Settings, request: pytest.FixtureRequest) -> AsyncIterator[Browser]:
    """A browser of the app without JavaScript, for the pages' tests (see :mod:`tests.pages`)."""
    if "client" in request.fixturenames:
        # Two apps at once run two job workers; dramatiq stops one event-loop
        # thread, the other outlives the session and the run never ends.
        raise pytest.UsageError("use browser.another() as the API client, not the client fixture")
    async with browser_of(settings) as client:
        yield client
