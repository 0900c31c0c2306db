"""Jobs go through the outbox: a rollback drops them, a commit runs them once,
even when the process dies between the commit and the send."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import asyncpg
import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker

from app.settings import Settings
from tenants.context import TenantContext
from tenants.relay import relay_pending
from tenants.tx import tenant_tx
from tests.factories import context, make_tenant
from workers.broker import install_broker

pytestmark = pytest.mark.usefixtures("migrated")

ACTOR = "tests.record_job"


class Recorder:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)


def _declare(broker: dramatiq.Broker) -> Recorder:
    recorder = Recorder()
    dramatiq.actor(recorder, actor_name=ACTOR, broker=broker, max_retries=0)
    return recorder


@pytest.fixture
def stub_broker(settings: Settings) -> Iterator[tuple[StubBroker, Recorder]]:
    broker = install_broker(settings)
    assert isinstance(broker, StubBroker)
    yield broker, _declare(broker)
    broker.close()


@pytest.fixture
async def mutual() -> TenantContext:
    return await context(await make_tenant())


def _run_worker(broker: dramatiq.Broker) -> None:
    worker = dramatiq.Worker(broker, worker_timeout=50)
    worker.start()
    try:
        broker.join("default", timeout=10_000)
        worker.join()
    finally:
        worker.stop()


async def _outbox(owner: asyncpg.Connection, tenant_id: object) -> list[str]:
    rows = await owner.fetch("SELECT actor_name FROM outbox WHERE tenant_id = $1", tenant_id)
    return [row["actor_name"] for row in rows]


async def test_rolled_back_job_never_runs(
    stub_broker: tuple[StubBroker, Recorder], mutual: TenantContext, owner: asyncpg.Connection
) -> None:
    broker, recorder = stub_broker
    with pytest.raises(RuntimeError, match="abandon"):
        async with tenant_tx(mutual) as tx:
            await tx.enqueue(ACTOR, scheme="rollback")
            raise RuntimeError("abandon")
    _run_worker(broker)
    assert await _outbox(owner, mutual.tenant_id) == []
    assert recorder.calls == []


async def test_committed_job_runs_once_and_leaves_the_outbox(
    stub_broker: tuple[StubBroker, Recorder], mutual: TenantContext, owner: asyncpg.Connection
) -> None:
    broker, recorder = stub_broker
    async with tenant_tx(mutual) as tx:
        await tx.enqueue(ACTOR, scheme="commit")
    _run_worker(broker)
    assert recorder.calls == [{"scheme": "commit"}]
    assert await _outbox(owner, mutual.tenant_id) == []


DIES_AFTER_COMMIT = textwrap.dedent(
    """
    import asyncio, os, sys, uuid
    from app import db
    from app.settings import Settings
    from tenants import outbox
    from tenants.registry import service
    from tenants.context import SYSTEM
    from tenants.tx import platform_tx, tenant_tx

    async def die(jobs):
        os._exit(9)  # the process dies after the commit, before the broker hears of the job

    async def main():
        settings = Settings(database_url=sys.argv[1])
        db.connect(settings.database_url, settings)
        async with platform_tx() as tx:
            ctx = await service.context_for(tx, SYSTEM, uuid.UUID(sys.argv[2]))
        outbox.send = die
        async with tenant_tx(ctx) as tx:
            await tx.enqueue("tests.record_job", scheme="crash")

    asyncio.run(main())
    """
)


async def test_job_committed_by_a_dead_process_is_relayed_once(
    settings: Settings, redis_url: str, mutual: TenantContext, owner: asyncpg.Connection
) -> None:
    assert settings.database_url
    result = subprocess.run(
        [sys.executable, "-c", DIES_AFTER_COMMIT, settings.database_url, str(mutual.tenant_id)],
        env={**os.environ, "SOCLE_LOG_LEVEL": "ERROR"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 9, result.stderr
    assert await _outbox(owner, mutual.tenant_id) == [ACTOR]

    broker = install_broker(settings.model_copy(update={"broker_url": redis_url}))
    recorder = _declare(broker)
    try:
        assert await relay_pending(older_than=0) == 1
        assert await relay_pending(older_than=0) == 0
        _run_worker(broker)
    finally:
        broker.close()
    assert recorder.calls == [{"scheme": "crash"}]
    assert await _outbox(owner, mutual.tenant_id) == []
