"""Jobs go through the outbox: a rollback drops them, a commit runs them once,
even when the process dies between the commit and the send."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import dramatiq
import pytest
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import CurrentMessage

from app.logs import configure_logging
from app.settings import Settings
from tenants import outbox
from tenants.context import TenantContext
from tenants.relay import MAX_ATTEMPTS, parked_jobs, relay_pending, requeue
from tenants.tx import platform_tx, tenant_tx
from tests.commands import socle, socle_script
from tests.factories import context, make_tenant
from workers.broker import install_broker

pytestmark = pytest.mark.usefixtures("migrated")

ACTOR = "tests.record_job"


class Recorder:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.message_ids: list[str] = []

    def __call__(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)
        message = CurrentMessage.get_current_message()
        assert message is not None
        self.message_ids.append(message.message_id)


def _declare(broker: dramatiq.Broker) -> Recorder:
    recorder = Recorder()
    dramatiq.actor(recorder, actor_name=ACTOR, broker=broker, max_retries=0)
    outbox.declare(ACTOR)
    return recorder


@pytest.fixture
def stub_broker(settings: Settings) -> Iterator[tuple[StubBroker, Recorder]]:
    configure_logging(settings)  # as the application does: log records reach caplog
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
        outbox.declare("tests.record_job")
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


HELD_BY_A_COMMAND = textwrap.dedent(
    """
    import asyncio, sys, uuid
    from app.cli import _application_database
    from app.settings import get_settings
    from tenants.registry import service
    from tenants.context import SYSTEM
    from tenants.tx import platform_tx, tenant_tx

    async def main():
        async with _application_database(get_settings()):
            async with platform_tx() as tx:
                ctx = await service.context_for(tx, SYSTEM, uuid.UUID(sys.argv[1]))
            async with tenant_tx(ctx) as tx:
                await tx.enqueue("contributions.file_receipt", tenant_id=sys.argv[1], payment_id=sys.argv[1])

    asyncio.run(main())
    """
)


async def test_a_command_leaves_its_jobs_to_the_relay(
    settings: Settings, mutual: TenantContext, owner: asyncpg.Connection
) -> None:
    """A command line process (the demo recording a payment) has no worker:
    its jobs wait in the outbox for a serving process's relay."""
    result = await asyncio.to_thread(socle_script, settings, HELD_BY_A_COMMAND, str(mutual.tenant_id))
    assert result.returncode == 0, result.stderr
    try:
        assert await _outbox(owner, mutual.tenant_id) == ["contributions.file_receipt"]
    finally:
        await owner.execute("DELETE FROM outbox WHERE tenant_id = $1", mutual.tenant_id)


async def test_an_unknown_actor_is_refused_before_commit(
    stub_broker: tuple[StubBroker, Recorder], mutual: TenantContext, owner: asyncpg.Connection
) -> None:
    with pytest.raises(outbox.UnknownActor, match=re.escape("no actor named 'tests.renamed' is declared")):
        async with tenant_tx(mutual) as tx:
            await tx.enqueue("tests.renamed", scheme="lost")
    assert await _outbox(owner, mutual.tenant_id) == []


async def test_a_job_is_stamped_when_written_not_when_its_transaction_began(
    stub_broker: tuple[StubBroker, Recorder], mutual: TenantContext, owner: asyncpg.Connection
) -> None:
    await owner.execute(
        "CREATE FUNCTION tests_keep_outbox() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN IF OLD.kwargs->>'scheme' = 'kept' THEN RETURN NULL; END IF; RETURN OLD; END $$"
    )
    await owner.execute(
        "CREATE TRIGGER tests_keep_outbox BEFORE DELETE ON outbox FOR EACH ROW EXECUTE FUNCTION tests_keep_outbox()"
    )
    try:
        async with tenant_tx(mutual) as tx:
            began = await tx.connection.fetchval("SELECT now()")
            await tx.connection.execute("SELECT pg_sleep(0.2)")
            await tx.enqueue(ACTOR, scheme="kept")
    finally:
        await owner.execute("DROP TRIGGER tests_keep_outbox ON outbox")
        await owner.execute("DROP FUNCTION tests_keep_outbox()")
    written = await owner.fetchval("DELETE FROM outbox WHERE tenant_id = $1 RETURNING created_at", mutual.tenant_id)
    assert (written - began).total_seconds() >= 0.2


async def _stale_job(
    owner: asyncpg.Connection, tenant_id: object, actor_name: str, age: int, **kwargs: Any
) -> uuid.UUID:
    job_id = uuid.uuid4()
    await owner.execute(
        "INSERT INTO outbox (id, tenant_id, actor_name, kwargs, created_at)"
        " VALUES ($1, $2, $3, $4::jsonb, clock_timestamp() - make_interval(secs => $5))",
        job_id,
        tenant_id,
        actor_name,
        json.dumps(kwargs),
        age,
    )
    return job_id


async def test_a_job_that_cannot_be_sent_holds_back_no_other_and_is_parked(
    stub_broker: tuple[StubBroker, Recorder],
    mutual: TenantContext,
    owner: asyncpg.Connection,
    caplog: pytest.LogCaptureFixture,
) -> None:
    broker, recorder = stub_broker
    caplog.set_level(logging.INFO)
    # An actor renamed between deploys: its older job comes first.
    bad = await _stale_job(owner, mutual.tenant_id, "tests.renamed", 120, scheme="bad")
    await _stale_job(owner, mutual.tenant_id, ACTOR, 60, scheme="good")
    try:
        sent = [await relay_pending(older_than=0) for _ in range(MAX_ATTEMPTS + 1)]
        _run_worker(broker)
        assert sent == [1] + [0] * MAX_ATTEMPTS
        assert recorder.calls == [{"scheme": "good"}]
        row = await owner.fetchrow("SELECT actor_name, attempts, last_error, parked_at FROM outbox WHERE id = $1", bad)
        assert (row["actor_name"], row["attempts"], row["parked_at"] is not None) == (
            "tests.renamed",
            MAX_ATTEMPTS,
            True,
        )
        assert row["last_error"] == "ActorNotFound('tests.renamed')"
        failures = [
            (record.levelname, record.msg["event"], record.msg["attempts"])
            for record in caplog.records
            if isinstance(record.msg, dict) and record.msg.get("job") == str(bad)
        ]
        assert failures == [
            *[("WARNING", "outbox.send_failed", attempt) for attempt in range(1, MAX_ATTEMPTS)],
            ("ERROR", "outbox.parked", MAX_ATTEMPTS),
        ]

        async with platform_tx() as tx:
            assert [(job.id, job.actor_name, job.attempts) for job in await parked_jobs(tx)] == [
                (bad, "tests.renamed", MAX_ATTEMPTS)
            ]
            assert await requeue(tx, [bad]) == [bad]
            assert await requeue(tx, None) == []
        row = await owner.fetchrow("SELECT attempts, parked_at FROM outbox WHERE id = $1", bad)
        assert tuple(row) == (0, None)
    finally:
        await owner.execute("DELETE FROM outbox WHERE id = $1", bad)


async def test_a_committed_change_stands_when_its_sent_jobs_cannot_be_deleted(
    stub_broker: tuple[StubBroker, Recorder],
    mutual: TenantContext,
    owner: asyncpg.Connection,
    caplog: pytest.LogCaptureFixture,
) -> None:
    broker, recorder = stub_broker
    await owner.execute(
        "CREATE FUNCTION tests_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN IF OLD.kwargs->>'scheme' = 'undeletable' THEN RAISE EXCEPTION 'refused by the test'; END IF;"
        " RETURN OLD; END $$"
    )
    await owner.execute(
        "CREATE TRIGGER tests_refuse_delete BEFORE DELETE ON outbox FOR EACH ROW EXECUTE FUNCTION tests_refuse_delete()"
    )
    try:
        async with tenant_tx(mutual) as tx:
            job_id = await tx.enqueue(ACTOR, scheme="undeletable")
    finally:
        await owner.execute("DROP TRIGGER tests_refuse_delete ON outbox")
        await owner.execute("DROP FUNCTION tests_refuse_delete()")
    assert [
        (record.levelname, record.msg["jobs"])
        for record in caplog.records
        if isinstance(record.msg, dict) and record.msg["event"] == "outbox.delete_failed"
    ] == [("WARNING", [str(job_id)])]
    assert await _outbox(owner, mutual.tenant_id) == [ACTOR]
    # The sweep sends it once more, under the same message id, and deletes it.
    assert await relay_pending(older_than=0) == 1
    _run_worker(broker)
    assert recorder.message_ids == [str(job_id), str(job_id)]
    assert await _outbox(owner, mutual.tenant_id) == []


async def test_operators_list_and_requeue_parked_jobs(
    settings: Settings, mutual: TenantContext, owner: asyncpg.Connection
) -> None:
    job_id = await _stale_job(owner, mutual.tenant_id, "tests.renamed", 60, scheme="parked")
    await owner.execute(
        "UPDATE outbox SET attempts = 5, last_error = 'refused', parked_at = '2026-11-30T10:00:00Z' WHERE id = $1",
        job_id,
    )
    try:
        listed = await asyncio.to_thread(socle, settings, "outbox", "parked")
        assert (listed.returncode, listed.stdout) == (
            0,
            f"{job_id}  tests.renamed  tenant {mutual.tenant_id}  5 attempts  parked 2026-11-30T10:00:00+00:00"
            "  refused\nsocle: 1 parked jobs\n",
        )
        unknown = await asyncio.to_thread(socle, settings, "outbox", "retry", str(uuid.uuid4()))
        assert (unknown.returncode, unknown.stdout) == (1, ""), unknown.stderr
        assert unknown.stderr.startswith("socle: no parked job has the id ")
        retried = await asyncio.to_thread(socle, settings, "outbox", "retry", str(job_id))
        assert (retried.returncode, retried.stdout) == (0, "socle: 1 jobs re-queued; the next sweep sends them\n")
        assert tuple(await owner.fetchrow("SELECT attempts, parked_at FROM outbox WHERE id = $1", job_id)) == (0, None)
        neither = await asyncio.to_thread(socle, settings, "outbox", "retry")
        assert neither.returncode == 2
        assert "give the id of a parked job or --all" in neither.stderr
    finally:
        await owner.execute("DELETE FROM outbox WHERE id = $1", job_id)
