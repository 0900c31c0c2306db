"""Online payments with Wave, against a Wave-shaped HTTP server: a checkout
started once however often it is asked for, its signed event sent twice
and out of order, an event that never comes and the poll that settles it,
forged and stale events refused, and each tenant's own keys and payments."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from strawberry.relay import from_base64

from app.settings import Settings
from schemes.contributions.periods import period_of
from schemes.members import lifecycle
from schemes.members.tables import Member, MemberStatus, TerminationReason
from schemes.rules.model import Period
from tenants.registry.tables import Tenant
from tenants.roles import Role
from tenants.tx import tenant_tx
from tests.commands import socle
from tests.factories import change_out_of_band, context, make_tenant
from tests.graphql_client import graphql, token_for
from tests.jobs import jobs_done
from tests.schemes.contributions.ledger_check import call_year, check_ledger, gid
from tests.schemes.members.factories import artisan, enrol, make_scheme, unique_phone
from tests.wave_server import API_KEY, WEBHOOK_SECRET, WaveServer
from workers import gateways as gateway_jobs

pytestmark = pytest.mark.usefixtures("migrated")

YEAR = period_of(Period.YEARLY, date.today())

CONFIGURE = """
mutation ($input: PaymentGatewayConfigureInput!) {
  paymentGatewayConfigure(input: $input) {
    __typename
    ... on PaymentGateway { provider enabled keyHint webhookUrl }
    ... on PaymentGatewayConfigureError { code path message others { code path } }
  }
}
"""
ONLINE = "id provider amount currency status launchUrl failure payment { receiptNumber amount channel provider reference recordedByName }"
START = f"""
mutation ($input: OnlinePaymentStartInput!) {{
  onlinePaymentStart(input: $input) {{
    __typename
    ... on OnlinePaymentStarted {{ alreadyStarted clientSecret onlinePayment {{ {ONLINE} }} }}
    ... on OnlinePaymentStartError {{ code path message others {{ code path }} }}
  }}
}}
"""
MY_START = f"""
mutation ($input: MyOnlinePaymentStartInput!) {{
  myOnlinePaymentStart(input: $input) {{
    __typename
    ... on OnlinePaymentStarted {{ alreadyStarted onlinePayment {{ {ONLINE} }} }}
    ... on MyOnlinePaymentStartError {{ code path message }}
  }}
}}
"""
REFRESH = f"""
mutation ($id: ID!) {{
  onlinePaymentRefresh(input: {{onlinePayment: $id}}) {{
    __typename
    ... on OnlinePayment {{ {ONLINE} }}
    ... on OnlinePaymentRefreshError {{ code path }}
  }}
}}
"""
NODE = f"query ($id: ID!) {{ node(id: $id) {{ ... on OnlinePayment {{ {ONLINE} }} }} }}"
STATEMENT = "query ($member: ID!) { memberStatement(member: $member) { due paid outstanding credit } }"
OPEN_ACCESS = "mutation ($member: ID!) { memberAccessOpen(input: {member: $member}) { __typename } }"


async def _configured(client: httpx.AsyncClient, tenant: Tenant | None = None) -> Tenant:
    tenant = tenant or await make_tenant()
    admin = await token_for(client, tenant, Role.TENANT_ADMIN)
    given = {"provider": "WAVE", "apiKey": API_KEY, "webhookSecret": WEBHOOK_SECRET}
    answer = (await graphql(client, CONFIGURE, token=admin, input=given))["data"]["paymentGatewayConfigure"]
    assert answer["__typename"] == "PaymentGateway"
    return tenant


async def _member(tenant: Tenant) -> Member:
    """An artisan enrolled on the year's first day: owes the registration fee (2,000) and the year (3,500)."""
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    member = await enrol(ctx, artisan(scheme, phone=unique_phone()), today=YEAR.start)
    await call_year(ctx, scheme.id, YEAR)
    return member


async def _opened(client: httpx.AsyncClient) -> tuple[Tenant, Member, str, dict[str, Any]]:
    """A tenant with its Wave account, a member owing 5,500, a manager's token, and a Wave payment of 5,500 they started."""
    tenant = await _configured(client)
    member = await _member(tenant)
    manager = await token_for(client, tenant, Role.MANAGER)
    online = (await _started(client, manager, _start(member)))["onlinePayment"]
    return tenant, member, manager, online


def _start(member: Member, amount: int = 5_500, **given: Any) -> dict[str, Any]:
    return {
        "member": gid("Member", member.id),
        "amount": amount,
        "currency": "XOF",
        "provider": "WAVE",
        "idempotencyKey": str(uuid.uuid4()),
        **given,
    }


async def _started(client: httpx.AsyncClient, token: str, given: dict[str, Any]) -> Any:
    return (await graphql(client, START, token=token, input=given))["data"]["onlinePaymentStart"]


def _session_of(wave: WaveServer, online: dict[str, Any]) -> str:
    return str(online["launchUrl"]).rsplit("/", 1)[1]


async def _deliver(client: httpx.AsyncClient, tenant: Tenant, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return await client.post(f"/webhooks/wave/{tenant.id}", content=body, headers=headers)


class TestCheckout:
    async def test_a_member_pays_with_wave_and_the_event_sent_twice_records_one_payment(
        self, wave_client: httpx.AsyncClient, wave: WaveServer, owner: asyncpg.Connection
    ) -> None:
        tenant = await _configured(wave_client)
        member = await _member(tenant)
        manager = await token_for(wave_client, tenant, Role.MANAGER)
        started = await _started(wave_client, manager, _start(member))
        online = started["onlinePayment"]
        session_id = _session_of(wave, online)
        assert started == {
            "__typename": "OnlinePaymentStarted",
            "alreadyStarted": False,
            "clientSecret": None,
            "onlinePayment": {
                "id": online["id"],
                "provider": "WAVE",
                "amount": 5_500,
                "currency": "XOF",
                "status": "OPEN",
                "launchUrl": f"{wave.url}/c/{session_id}",
                "failure": "",
                "payment": None,
            },
        }
        session = wave.sessions[session_id]
        checkout_id = from_base64(online["id"])[1]
        assert (session["amount"], session["currency"], session["client_reference"]) == (
            "5500",
            "XOF",
            str(checkout_id),
        )
        assert session["success_url"] == f"http://localhost:8000/me/checkouts/{checkout_id}"

        paid = wave.complete(session_id)
        body, headers = wave.event("checkout.session.completed", paid)
        first = await _deliver(wave_client, tenant, body, headers)
        again = await _deliver(wave_client, tenant, body, headers)
        assert (first.status_code, first.json()) == (200, {"received": True, "duplicate": False})
        assert (again.status_code, again.json()) == (200, {"received": True, "duplicate": True})
        await jobs_done()

        seen = (await graphql(wave_client, NODE, token=manager, id=online["id"]))["data"]["node"]
        assert seen["status"] == "SUCCEEDED"
        assert seen["payment"] == {
            "receiptNumber": f"{YEAR.start.year}-000001",
            "amount": 5_500,
            "channel": "MOBILE_MONEY",
            "provider": "WAVE",
            "reference": paid["transaction_id"],
            "recordedByName": "Wave",
        }
        statement = await graphql(wave_client, STATEMENT, token=manager, member=gid("Member", member.id))
        assert statement["data"]["memberStatement"] == {"due": 5_500, "paid": 5_500, "outstanding": 0, "credit": 0}
        assert await owner.fetchval("SELECT count(*) FROM payments WHERE tenant_id = $1", tenant.id) == 1
        assert await owner.fetchval("SELECT count(*) FROM gateway_events WHERE tenant_id = $1", tenant.id) == 1
        await check_ledger(owner, tenant.id)

    async def test_ten_taps_at_once_start_one_checkout_here_and_at_wave(
        self, wave_client: httpx.AsyncClient, wave: WaveServer, owner: asyncpg.Connection
    ) -> None:
        tenant = await _configured(wave_client)
        member = await _member(tenant)
        manager = await token_for(wave_client, tenant, Role.MANAGER)
        given = _start(member, 3_500)
        answers = await asyncio.gather(*(_started(wave_client, manager, given) for _ in range(10)))
        assert {answer["onlinePayment"]["id"] for answer in answers} == {answers[0]["onlinePayment"]["id"]}
        assert {answer["onlinePayment"]["launchUrl"] for answer in answers} == {
            answers[0]["onlinePayment"]["launchUrl"]
        }
        assert sorted(answer["alreadyStarted"] for answer in answers) == [False] + [True] * 9
        assert len(wave.sessions) == 1
        assert await owner.fetchval("SELECT count(*) FROM checkouts WHERE tenant_id = $1", tenant.id) == 1

        refused = await _started(wave_client, manager, {**given, "amount": 2_000})
        assert (refused["code"], refused["path"]) == ("CHECKOUT_KEY_REUSED", ["input", "idempotencyKey"])

    async def test_events_out_of_order_leave_the_payment_recorded(
        self, wave_client: httpx.AsyncClient, wave: WaveServer, owner: asyncpg.Connection
    ) -> None:
        tenant, member, manager, online = await _opened(wave_client)
        session_id = _session_of(wave, online)
        failed = wave.fail(session_id)
        paid = wave.complete(session_id)
        # The success comes first, the earlier failure after it.
        for kind, session in (("checkout.session.completed", paid), ("checkout.session.payment_failed", failed)):
            body, headers = wave.event(kind, session)
            assert (await _deliver(wave_client, tenant, body, headers)).status_code == 200
        await jobs_done()
        seen = (await graphql(wave_client, NODE, token=manager, id=online["id"]))["data"]["node"]
        assert (seen["status"], seen["failure"], seen["payment"]["amount"]) == ("SUCCEEDED", "", 5_500)

        # A failure that comes first closes the checkout; the success after it still records the money.
        other = (await _started(wave_client, manager, _start(member, 1_000)))["onlinePayment"]
        other_session = _session_of(wave, other)
        for kind, session in (
            ("checkout.session.payment_failed", wave.fail(other_session)),
            ("checkout.session.completed", wave.complete(other_session)),
        ):
            body, headers = wave.event(kind, session)
            await _deliver(wave_client, tenant, body, headers)
            await jobs_done()
        seen = (await graphql(wave_client, NODE, token=manager, id=other["id"]))["data"]["node"]
        assert (seen["status"], seen["payment"]["amount"]) == ("SUCCEEDED", 1_000)
        statement = await graphql(wave_client, STATEMENT, token=manager, member=gid("Member", member.id))
        assert statement["data"]["memberStatement"] == {"due": 5_500, "paid": 6_500, "outstanding": 0, "credit": 1_000}
        await check_ledger(owner, tenant.id)

    async def test_a_failure_alone_closes_the_checkout(self, wave_client: httpx.AsyncClient, wave: WaveServer) -> None:
        tenant, _member, manager, online = await _opened(wave_client)
        body, headers = wave.event("checkout.session.payment_failed", wave.fail(_session_of(wave, online)))
        await _deliver(wave_client, tenant, body, headers)
        await jobs_done()
        seen = (await graphql(wave_client, NODE, token=manager, id=online["id"]))["data"]["node"]
        assert (seen["status"], seen["failure"], seen["payment"]) == ("FAILED", "insufficient-funds", None)

    async def test_an_event_that_never_comes_is_made_up_for_by_the_poll(
        self, wave_client: httpx.AsyncClient, wave: WaveServer, owner: asyncpg.Connection
    ) -> None:
        tenant, _member, manager, online = await _opened(wave_client)
        paid = wave.complete(_session_of(wave, online))

        # Too soon: the event may still come.
        await gateway_jobs.poll_all(gateway_jobs.configured(), datetime.now(UTC))
        assert (await graphql(wave_client, NODE, token=manager, id=online["id"]))["data"]["node"]["status"] == "OPEN"
        asked = await gateway_jobs.poll_all(gateway_jobs.configured(), datetime.now(UTC) + timedelta(minutes=3))
        assert asked >= 1
        seen = (await graphql(wave_client, NODE, token=manager, id=online["id"]))["data"]["node"]
        assert (seen["status"], seen["payment"]["reference"]) == ("SUCCEEDED", paid["transaction_id"])
        # The event that comes at last changes nothing.
        body, headers = wave.event("checkout.session.completed", paid)
        await _deliver(wave_client, tenant, body, headers)
        await jobs_done()
        assert await owner.fetchval("SELECT count(*) FROM payments WHERE tenant_id = $1", tenant.id) == 1

    async def test_the_poll_command_records_what_wave_says(
        self, wave_client: httpx.AsyncClient, wave: WaveServer, settings: Settings, owner: asyncpg.Connection
    ) -> None:
        tenant, _member, manager, online = await _opened(wave_client)
        wave.complete(_session_of(wave, online))
        await change_out_of_band(
            owner,
            "UPDATE checkouts SET created_at = created_at - interval '5 minutes' WHERE tenant_id = $1",
            tenant.id,
        )
        polled = await asyncio.to_thread(socle, settings, "contributions", "poll", SOCLE_WAVE_API_URL=wave.url)
        assert polled.returncode == 0, polled.stderr
        assert polled.stdout.startswith("socle: ") and polled.stdout.endswith(" online payments asked about\n")
        seen = (await graphql(wave_client, NODE, token=manager, id=online["id"]))["data"]["node"]
        assert (seen["status"], seen["payment"]["recordedByName"]) == ("SUCCEEDED", "Wave")
        assert await owner.fetchval("SELECT count(*) FROM payments WHERE tenant_id = $1", tenant.id) == 1

    async def test_a_transaction_the_cashier_typed_in_is_not_recorded_twice(
        self, wave_client: httpx.AsyncClient, wave: WaveServer, owner: asyncpg.Connection
    ) -> None:
        tenant, member, manager, online = await _opened(wave_client)
        paid = wave.complete(_session_of(wave, online))
        counter = {
            "member": gid("Member", member.id),
            "amount": 5_500,
            "currency": "XOF",
            "channel": "MOBILE_MONEY",
            "provider": "WAVE",
            "reference": paid["transaction_id"],
            "idempotencyKey": "counter-1",
        }
        typed = await graphql(
            wave_client,
            "mutation ($input: PaymentRecordInput!) { paymentRecord(input: $input) {"
            " ... on PaymentRecording { payment { receiptNumber } } } }",
            token=manager,
            input=counter,
        )
        receipt = typed["data"]["paymentRecord"]["payment"]["receiptNumber"]
        body, headers = wave.event("checkout.session.completed", paid)
        await _deliver(wave_client, tenant, body, headers)
        await jobs_done()
        seen = (await graphql(wave_client, NODE, token=manager, id=online["id"]))["data"]["node"]
        # The checkout settles on the cashier's payment: one payment for one transaction.
        assert (seen["status"], seen["payment"]["receiptNumber"]) == ("SUCCEEDED", receipt)
        assert await owner.fetchval("SELECT count(*) FROM payments WHERE tenant_id = $1", tenant.id) == 1

    async def test_money_for_a_member_since_terminated_is_left_to_a_manager(
        self, wave_client: httpx.AsyncClient, wave: WaveServer, owner: asyncpg.Connection
    ) -> None:
        tenant, member, manager, online = await _opened(wave_client)
        ctx = await context(tenant)
        async with tenant_tx(ctx) as tx:
            change = lifecycle.StatusChange(
                member.id, MemberStatus.TERMINATED, date.today(), reason=TerminationReason.RESIGNATION
            )
            await lifecycle.change_status(tx, ctx, change, date.today())
        body, headers = wave.event("checkout.session.completed", wave.complete(_session_of(wave, online)))
        await _deliver(wave_client, tenant, body, headers)
        await jobs_done()
        seen = (await graphql(wave_client, NODE, token=manager, id=online["id"]))["data"]["node"]
        assert (seen["status"], seen["failure"], seen["payment"]) == ("OPEN", "payer_terminated", None)
        assert await owner.fetchval("SELECT count(*) FROM payments WHERE tenant_id = $1", tenant.id) == 0
        processed = await owner.fetchval("SELECT processed_at FROM gateway_events WHERE tenant_id = $1", tenant.id)
        assert processed is not None

    async def test_the_payer_back_from_wave_asks_now(self, wave_client: httpx.AsyncClient, wave: WaveServer) -> None:
        _tenant, _member, manager, online = await _opened(wave_client)
        still = (await graphql(wave_client, REFRESH, token=manager, id=online["id"]))["data"]["onlinePaymentRefresh"]
        assert still["status"] == "OPEN"
        wave.complete(_session_of(wave, online))
        done = (await graphql(wave_client, REFRESH, token=manager, id=online["id"]))["data"]["onlinePaymentRefresh"]
        assert (done["status"], done["payment"]["amount"]) == ("SUCCEEDED", 5_500)

    async def test_wave_unavailable_then_the_same_key_starts_it(
        self, wave_client: httpx.AsyncClient, wave: WaveServer
    ) -> None:
        tenant = await _configured(wave_client)
        member = await _member(tenant)
        manager = await token_for(wave_client, tenant, Role.MANAGER)
        given = _start(member)
        wave.failures_to_come = 1
        refused = await _started(wave_client, manager, given)
        assert refused == {
            "__typename": "OnlinePaymentStartError",
            "code": "GATEWAY_UNAVAILABLE",
            "path": ["input", "provider"],
            "message": "Wave ne répond pas pour l'instant. Réessayez dans un moment : vous ne paierez qu'une fois.",
            "others": [],
        }
        again = await _started(wave_client, manager, given)
        assert (again["alreadyStarted"], again["onlinePayment"]["status"]) == (True, "OPEN")
        assert again["onlinePayment"]["launchUrl"].startswith(f"{wave.url}/c/cos-")
        assert len(wave.sessions) == 1


REFUND = """
mutation ($input: OnlinePaymentRefundInput!) {
  onlinePaymentRefund(input: $input) {
    __typename
    ... on PaymentRecording { alreadyRecorded payment { receiptNumber amount isReversal note } }
    ... on OnlinePaymentRefundError { code path message }
  }
}
"""


class TestRefund:
    async def test_a_refund_returns_the_money_once_and_reverses_the_payment(
        self, wave_client: httpx.AsyncClient, wave: WaveServer, owner: asyncpg.Connection
    ) -> None:
        tenant, member, manager, online = await _opened(wave_client)
        session_id = _session_of(wave, online)
        not_yet = {"onlinePayment": online["id"], "reason": "Payé deux fois", "idempotencyKey": "r-0"}
        refused = (await graphql(wave_client, REFUND, token=manager, input=not_yet))["data"]["onlinePaymentRefund"]
        assert (refused["code"], refused["path"]) == ("CHECKOUT_NOT_REFUNDABLE", ["input", "onlinePayment"])
        wave.complete(session_id)
        await graphql(wave_client, REFRESH, token=manager, id=online["id"])

        wave.failures_to_come = 1
        given = {"onlinePayment": online["id"], "reason": "  Payé deux fois  ", "idempotencyKey": "r-1"}
        unavailable = (await graphql(wave_client, REFUND, token=manager, input=given))["data"]["onlinePaymentRefund"]
        assert unavailable["code"] == "GATEWAY_UNAVAILABLE"
        assert (
            wave.refunds,
            await owner.fetchval("SELECT count(*) FROM payments WHERE tenant_id = $1", tenant.id),
        ) == (
            [],
            1,
        )

        answers = await asyncio.gather(*(graphql(wave_client, REFUND, token=manager, input=given) for _ in range(3)))
        refunds = [answer["data"]["onlinePaymentRefund"] for answer in answers]
        assert sorted(refund["alreadyRecorded"] for refund in refunds) == [False, True, True]
        assert {(r["payment"]["amount"], r["payment"]["isReversal"], r["payment"]["note"]) for r in refunds} == {
            (-5_500, True, "Payé deux fois")
        }
        assert wave.refunds == [session_id]
        other_key = {**given, "idempotencyKey": "r-2"}
        again = (await graphql(wave_client, REFUND, token=manager, input=other_key))["data"]["onlinePaymentRefund"]
        assert again["code"] == "PAYMENT_ALREADY_REVERSED"
        assert wave.refunds == [session_id]
        statement = await graphql(wave_client, STATEMENT, token=manager, member=gid("Member", member.id))
        assert statement["data"]["memberStatement"] == {"due": 5_500, "paid": 0, "outstanding": 5_500, "credit": 0}
        await check_ledger(owner, tenant.id)

    async def test_only_a_manager_of_the_tenant_refunds(self, wave_client: httpx.AsyncClient, wave: WaveServer) -> None:
        tenant, _member, manager, online = await _opened(wave_client)
        wave.complete(_session_of(wave, online))
        await graphql(wave_client, REFRESH, token=manager, id=online["id"])
        given = {"onlinePayment": online["id"], "reason": "Erreur", "idempotencyKey": "r-1"}
        for role in (Role.TENANT_ADMIN, Role.AGENT, Role.AUDITOR, Role.MEMBER):
            token = await token_for(wave_client, tenant, role)
            denied = await graphql(wave_client, REFUND, token=token, input=given)
            assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN", role
        intruder = await token_for(wave_client, await make_tenant(), Role.MANAGER)
        foreign = (await graphql(wave_client, REFUND, token=intruder, input=given))["data"]["onlinePaymentRefund"]
        assert foreign["code"] == "CHECKOUT_NOT_FOUND"
        assert wave.refunds == []
