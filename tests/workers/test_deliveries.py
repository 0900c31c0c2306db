"""Actors that send SMS or email send once per job message, though the
broker may deliver a message twice, even at the same time."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import dramatiq
import httpx
import pytest
from dramatiq import Message
from dramatiq.middleware import Middleware

from tenants import deliveries
from tenants.roles import Role
from tests.factories import make_tenant, make_user
from tests.graphql_client import graphql, token_for
from tests.jobs import jobs_done

pytestmark = pytest.mark.usefixtures("migrated")


class Enqueued(Middleware):
    """Keeps every message the application hands to the broker."""

    def __init__(self) -> None:
        self.messages: list[Message[Any]] = []

    def after_enqueue(self, broker: dramatiq.Broker, message: Message[Any], delay: int | None) -> None:
        self.messages.append(message)


@pytest.fixture
def enqueued(client: httpx.AsyncClient) -> Enqueued:
    middleware = Enqueued()
    dramatiq.get_broker().add_middleware(middleware)
    return middleware


def _sent(caplog: pytest.LogCaptureFixture, event: str) -> list[dict[str, Any]]:
    return [record.msg for record in caplog.records if isinstance(record.msg, dict) and record.msg["event"] == event]


async def _sign_in_code(client: httpx.AsyncClient) -> str:
    phone = f"+22178{uuid.uuid4().int % 10**7:07d}"
    await make_user(await make_tenant(), Role.MEMBER, phone=phone)
    body = await graphql(
        client, "mutation ($p: String!) { signInCodeRequest(input: {phone: $p}) { __typename } }", p=phone
    )
    assert body["data"]["signInCodeRequest"] == {"__typename": "SignInCodeRequested"}
    return "sms.sent"


async def _password_reset(client: httpx.AsyncClient) -> str:
    email = f"reset-{uuid.uuid4().hex[:8]}@example.sn"
    await make_user(await make_tenant(), Role.MANAGER, email=email)
    body = await graphql(
        client, "mutation ($i: String!) { passwordResetRequest(input: {identifier: $i}) { __typename } }", i=email
    )
    assert body["data"]["passwordResetRequest"] == {"__typename": "PasswordResetRequested"}
    return "mail.sent"


async def _invitation(client: httpx.AsyncClient) -> str:
    admin = await token_for(client, await make_tenant(), Role.TENANT_ADMIN)
    body = await graphql(
        client,
        'mutation ($e: String) { invitationCreate(input: {fullName: "Awa Diop", role: MANAGER, email: $e}) { __typename } }',
        token=admin,
        e=f"invited-{uuid.uuid4().hex[:8]}@example.sn",
    )
    assert body["data"]["invitationCreate"] == {"__typename": "Invitation"}
    return "mail.sent"


@pytest.mark.parametrize("job", [_sign_in_code, _password_reset, _invitation])
async def test_a_message_delivered_again_sends_nothing(
    client: httpx.AsyncClient,
    enqueued: Enqueued,
    caplog: pytest.LogCaptureFixture,
    job: Callable[[httpx.AsyncClient], Awaitable[str]],
) -> None:
    caplog.set_level(logging.INFO)
    event = await job(client)
    await jobs_done()
    (message,) = enqueued.messages
    assert len(_sent(caplog, event)) == 1

    broker = dramatiq.get_broker()
    broker.enqueue(message)
    await jobs_done()
    # Twice at once, as two copies of a message relayed twice may come.
    twin = message.copy(message_id=str(uuid.uuid4()))
    broker.enqueue(twin)
    broker.enqueue(twin)
    await jobs_done()
    assert len(_sent(caplog, event)) == 2
    assert sorted(record["message_id"] for record in _sent(caplog, "delivery.duplicate")) == sorted(
        [message.message_id, twin.message_id]
    )


class Effect:
    def __init__(self, *, seconds: float = 0.0, error: Exception | None = None) -> None:
        self.runs = 0
        self.seconds = seconds
        self.error = error

    async def __call__(self) -> None:
        self.runs += 1
        await asyncio.sleep(self.seconds)
        if self.error is not None:
            raise self.error


async def test_two_deliveries_at_once_run_the_effect_once() -> None:
    message_id, effect = uuid.uuid4(), Effect(seconds=0.3)

    async def later() -> bool:
        await asyncio.sleep(0.05)
        return await deliveries.once(message_id, "tests.effect", effect)

    assert list(await asyncio.gather(deliveries.once(message_id, "tests.effect", effect), later())) == [True, False]
    assert effect.runs == 1


async def test_a_failed_effect_gives_its_claim_back_for_the_retry() -> None:
    message_id = uuid.uuid4()
    with pytest.raises(ConnectionError, match="gateway down"):
        await deliveries.once(message_id, "tests.effect", Effect(error=ConnectionError("gateway down")))
    effect = Effect()
    assert await deliveries.once(message_id, "tests.effect", effect) is True
    assert await deliveries.once(message_id, "tests.effect", effect) is False
    assert effect.runs == 1


async def test_the_claim_of_a_delivery_that_died_is_taken_over_once_its_lease_ends(owner: asyncpg.Connection) -> None:
    message_id = uuid.uuid4()
    await owner.execute(
        "INSERT INTO job_deliveries (message_id, actor_name, claimed_until, created_at)"
        " VALUES ($1, 'tests.effect', clock_timestamp() - interval '1 second', clock_timestamp() - interval '5 minutes')",
        message_id,
    )
    effect = Effect()
    assert await deliveries.once(message_id, "tests.effect", effect) is True
    assert effect.runs == 1
    assert await owner.fetchval("SELECT sent_at IS NOT NULL FROM job_deliveries WHERE message_id = $1", message_id)


async def test_an_invitation_delivered_again_is_recorded_as_sent_once(
    client: httpx.AsyncClient, enqueued: Enqueued, owner: asyncpg.Connection
) -> None:
    await _invitation(client)
    await jobs_done()
    (message,) = enqueued.messages
    dramatiq.get_broker().enqueue(message)
    dramatiq.get_broker().enqueue(message)
    await jobs_done()
    sends = await owner.fetchval(
        "SELECT count(*) FROM audit_events WHERE action = 'invitation.send' AND target_id = $1",
        message.kwargs["invitation_id"],
    )
    assert sends == 1
