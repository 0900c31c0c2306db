"""Who may start and read online payments: the role matrix, a member for
themselves only, and another tenant not at all."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import pytest

from tenants.roles import Role
from tenants.tx import tenant_tx
from tests.conftest import StatementCounter
from tests.factories import context, make_tenant
from tests.graphql_client import code_token, graphql, token_for
from tests.jobs import jobs_done
from tests.partner_tokens import partner_token
from tests.schemes.contributions.ledger_check import gid
from tests.schemes.gateways.test_wave import (
    CONFIGURE,
    MY_START,
    NODE,
    OPEN_ACCESS,
    REFRESH,
    _configured,
    _member,
    _opened,
    _start,
    _started,
)
from tests.wave_server import API_KEY, WEBHOOK_SECRET, WaveServer

pytestmark = pytest.mark.usefixtures("migrated")

STAFF = [Role.TENANT_ADMIN, Role.MANAGER, Role.AGENT, Role.CLAIMS_OFFICER, Role.AUDITOR, Role.MEMBER]


async def test_the_role_matrix(wave_client: httpx.AsyncClient, wave: WaveServer) -> None:
    tenant = await _configured(wave_client)
    member = await _member(tenant)
    allowed: dict[str, list[str]] = {"configure": [], "start": [], "read": []}
    given = {"provider": "WAVE", "apiKey": API_KEY, "webhookSecret": WEBHOOK_SECRET}
    manager = await token_for(wave_client, tenant, Role.MANAGER)
    online = (await _started(wave_client, manager, _start(member)))["onlinePayment"]
    for role in STAFF:
        token = await token_for(wave_client, tenant, role)
        configured = await graphql(wave_client, CONFIGURE, token=token, input=given)
        if "errors" not in configured:
            allowed["configure"].append(role.value)
        started = await graphql(
            wave_client,
            "mutation ($input: OnlinePaymentStartInput!) { onlinePaymentStart(input: $input) { __typename } }",
            token=token,
            input=_start(member),
        )
        if "errors" not in started:
            allowed["start"].append(role.value)
        else:
            assert started["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        seen = await graphql(wave_client, NODE, token=token, id=online["id"])
        if seen["data"]["node"] is not None:
            allowed["read"].append(role.value)
    assert allowed == {
        "configure": ["tenant_admin"],
        "start": ["manager"],
        "read": ["tenant_admin", "manager", "auditor"],
    }
    app = await partner_token(wave_client, tenant, ["contributions:write"])
    started = await _started(wave_client, app, _start(member, 1_000))
    assert started["onlinePayment"]["status"] == "OPEN"
    reader = await partner_token(wave_client, tenant, ["contributions:read"])
    refused = await graphql(
        wave_client,
        "mutation ($input: OnlinePaymentStartInput!) { onlinePaymentStart(input: $input) { __typename } }",
        token=reader,
        input=_start(member),
    )
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_another_tenant_can_neither_start_nor_read_nor_refresh(
    wave_client: httpx.AsyncClient, wave: WaveServer, owner: asyncpg.Connection
) -> None:
    _tenant, member, _manager, online = await _opened(wave_client)
    other = await _configured(wave_client, await make_tenant())
    intruder = await token_for(wave_client, other, Role.MANAGER)
    refused = await _started(wave_client, intruder, _start(member))
    assert (refused["code"], refused["path"]) == ("PAYER_NOT_FOUND", ["input", "member"])
    assert (await graphql(wave_client, NODE, token=intruder, id=online["id"]))["data"] == {"node": None}
    refreshed = (await graphql(wave_client, REFRESH, token=intruder, id=online["id"]))["data"]["onlinePaymentRefresh"]
    assert (refreshed["code"], refreshed["path"]) == ("CHECKOUT_NOT_FOUND", ["input", "onlinePayment"])
    assert await owner.fetchval("SELECT count(*) FROM checkouts WHERE tenant_id = $1", other.id) == 0


async def test_row_level_security_alone(
    wave_client: httpx.AsyncClient, wave: WaveServer, owner: asyncpg.Connection
) -> None:
    tenant, _, _, online = await _opened(wave_client)
    stranger = await context(await make_tenant())
    tables = ("gateway_accounts", "checkouts", "gateway_events")
    async with tenant_tx(stranger) as tx:
        seen = [await tx.connection.fetchval(f"SELECT count(*) FROM {table}") for table in tables]
        changed = [
            await tx.connection.execute("UPDATE gateway_accounts SET provider = provider"),
            await tx.connection.execute("UPDATE checkouts SET status = 'failed'"),
        ]
    assert (seen, changed) == ([0, 0, 0], ["UPDATE 0", "UPDATE 0"])
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with tenant_tx(stranger) as tx:
            await tx.connection.execute(
                "INSERT INTO gateway_events (id, tenant_id, provider, event_id, kind, payload, received_at)"
                " VALUES (gen_random_uuid(), $1, 'wave', 'evt-forged', 'checkout.session.completed', '{}', now())",
                tenant.id,
            )
    statuses = await owner.fetch("SELECT status FROM checkouts WHERE tenant_id = $1", tenant.id)
    assert ([row["status"] for row in statuses], online["status"]) == (["open"], "OPEN")


async def test_a_member_starts_their_own_payment_and_reads_no_one_elses(
    wave_client: httpx.AsyncClient, wave: WaveServer, caplog: pytest.LogCaptureFixture
) -> None:
    tenant = await _configured(wave_client)
    member = await _member(tenant)
    neighbour = await _member(tenant)
    manager = await token_for(wave_client, tenant, Role.MANAGER)
    theirs = (await _started(wave_client, manager, _start(neighbour)))["onlinePayment"]
    opened = await graphql(wave_client, OPEN_ACCESS, token=manager, member=gid("Member", member.id))
    assert opened["data"] == {"memberAccessOpen": {"__typename": "Member"}}
    token = await code_token(wave_client, caplog, member.phone)
    assert token is not None

    given = {"amount": 5_500, "currency": "XOF", "provider": "WAVE", "idempotencyKey": "mine-1"}
    started = (await graphql(wave_client, MY_START, token=token, input=given))["data"]["myOnlinePaymentStart"]
    assert (started["alreadyStarted"], started["onlinePayment"]["status"]) == (False, "OPEN")
    assert wave.sessions[started["onlinePayment"]["launchUrl"].rsplit("/", 1)[1]]["amount"] == "5500"
    mine = (await graphql(wave_client, NODE, token=token, id=started["onlinePayment"]["id"]))["data"]["node"]
    assert mine["id"] == started["onlinePayment"]["id"]
    assert (await graphql(wave_client, NODE, token=token, id=theirs["id"]))["data"] == {"node": None}
    refused = await graphql(
        wave_client,
        "mutation ($id: ID!) { myOnlinePaymentRefresh(input: {onlinePayment: $id}) { __typename ... on MyOnlinePaymentRefreshError { code } } }",
        token=token,
        id=theirs["id"],
    )
    assert refused["data"]["myOnlinePaymentRefresh"] == {
        "__typename": "MyOnlinePaymentRefreshError",
        "code": "CHECKOUT_NOT_FOUND",
    }
    # Staff start payments for a member they name; they have no dues of their own.
    staff = await graphql(wave_client, MY_START, token=manager, input=given)
    assert staff["errors"][0]["extensions"]["code"] == "FORBIDDEN"


LIST = """
query ($member: ID!) {
  onlinePayments(member: $member, first: 50) {
    totalCount
    edges { node { amount status member { number } payment { receiptNumber allocations { amount } } } }
  }
}
"""


async def _listed(
    client: httpx.AsyncClient, wave: WaveServer, statements: StatementCounter, count: int
) -> tuple[int, dict[str, Any]]:
    """The statements of a member's list of ``count`` online payments, each paid."""
    tenant = await _configured(client)
    member = await _member(tenant)
    manager = await token_for(client, tenant, Role.MANAGER)
    for amount in range(1_000, 1_000 + count):
        online = (await _started(client, manager, _start(member, amount)))["onlinePayment"]
        wave.complete(online["launchUrl"].rsplit("/", 1)[1])
        await graphql(client, REFRESH, token=manager, id=online["id"])
    await jobs_done()
    statements.statements.clear()
    body = await graphql(client, LIST, token=manager, member=gid("Member", member.id))
    return len(statements.statements), body["data"]["onlinePayments"]


async def test_a_members_list_costs_the_same_for_one_and_for_many(
    wave_client: httpx.AsyncClient, wave: WaveServer, statements: StatementCounter
) -> None:
    one, listed_one = await _listed(wave_client, wave, statements, 1)
    many, listed_many = await _listed(wave_client, wave, statements, 6)
    assert (listed_one["totalCount"], listed_many["totalCount"]) == (1, 6)
    amounts = [edge["node"]["amount"] for edge in listed_many["edges"]]
    assert amounts == [1_005, 1_004, 1_003, 1_002, 1_001, 1_000]
    assert {edge["node"]["status"] for edge in listed_many["edges"]} == {"SUCCEEDED"}
    assert one == many


async def test_a_member_lists_their_own_online_payments_only(
    wave_client: httpx.AsyncClient, wave: WaveServer, caplog: pytest.LogCaptureFixture
) -> None:
    tenant, member, manager, online = await _opened(wave_client)
    neighbour = await _member(tenant)
    await _started(wave_client, manager, _start(neighbour, 2_000))
    await graphql(wave_client, OPEN_ACCESS, token=manager, member=gid("Member", member.id))
    token = await code_token(wave_client, caplog, member.phone)
    mine = await graphql(wave_client, "{ myOnlinePayments { totalCount edges { node { id amount } } } }", token=token)
    assert mine["data"]["myOnlinePayments"] == {
        "totalCount": 1,
        "edges": [{"node": {"id": online["id"], "amount": 5_500}}],
    }
    other = await token_for(wave_client, await make_tenant(), Role.MANAGER)
    theirs = await graphql(wave_client, LIST, token=other, member=gid("Member", member.id))
    assert theirs["data"]["onlinePayments"] == {"totalCount": 0, "edges": []}
