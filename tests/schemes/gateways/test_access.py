"""Who may start and read online payments: the role matrix, a member for
themselves only, and another tenant not at all."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from tenants.roles import Role
from tests.factories import make_tenant
from tests.graphql_client import code_token, graphql, token_for
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
