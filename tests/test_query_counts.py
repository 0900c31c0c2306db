"""Lists cost the same number of statements for 1 row as for 50 (no N+1)."""

from __future__ import annotations

import httpx
import pytest

from tenants.audit import service as audit
from tenants.context import SYSTEM
from tenants.invitations import service as invitations
from tenants.partners import service as clients
from tenants.registry.tables import Tenant
from tenants.roles import Role, TenantKind
from tenants.tx import tenant_tx
from tests.conftest import StatementCounter
from tests.factories import context, fresh_country, make_tenant, make_user
from tests.graphql_client import graphql, token_for
from tests.jobs import jobs_done

pytestmark = pytest.mark.usefixtures("migrated")

# One transaction for the query: BEGIN with the caller's settings, the token's
# check, the tenant's settings, the list, its count (totalCount is asked), COMMIT.
STATEMENTS = {"users": 6, "auditEvents": 6, "apiClients": 6, "invitations": 6}

LISTS = {
    "users": "{ users(first: 100) { totalCount edges { node { fullName role isActive } } } }",
    "auditEvents": "{ auditEvents(first: 100) { totalCount edges { node { seq action summary } } } }",
    "apiClients": "{ apiClients(first: 100) { totalCount edges { node { name scopes } } } }",
    "invitations": "{ invitations(first: 100) { totalCount edges { node { fullName email role status } } } }",
}


async def _fill(tenant: Tenant, field: str, rows: int) -> None:
    if field == "users":
        for _ in range(rows):
            await make_user(tenant, Role.AGENT)
        return
    ctx = await context(tenant)
    async with tenant_tx(ctx) as tx:
        for number in range(rows):
            if field == "auditEvents":
                await audit.record(tx, audit.Event(action=f"test.{number}", actor=SYSTEM, tenant_id=tenant.id))
            elif field == "apiClients":
                await clients.register(
                    tx, ctx, clients.NewClient(name=f"Appli {number}", scopes=frozenset({"members:read"}))
                )
            else:
                new = invitations.NewInvitation(full_name=f"Invité {number}", role=Role.AGENT, email=f"i{number}@x.sn")
                await invitations.invite(tx, ctx, new, "secret-des-tests")
    # The invitations' messages leave now, not while statements are counted.
    await jobs_done()


async def _count(client: httpx.AsyncClient, statements: StatementCounter, field: str, rows: int) -> int:
    tenant = await make_tenant()
    token = await token_for(client, tenant, Role.TENANT_ADMIN)
    await _fill(tenant, field, rows)
    statements.statements.clear()
    body = await graphql(client, LISTS[field], token=token)
    assert "errors" not in body, body
    return len(statements.statements)


@pytest.mark.parametrize("field", sorted(LISTS))
async def test_same_statements_for_1_and_50_rows(
    client: httpx.AsyncClient, statements: StatementCounter, field: str
) -> None:
    one = await _count(client, statements, field, 1)
    fifty = await _count(client, statements, field, 50)
    assert (one, fifty) == (STATEMENTS[field], STATEMENTS[field])


async def _supervised_count(client: httpx.AsyncClient, statements: StatementCounter, events: int) -> int:
    country = fresh_country()
    ministry = await make_tenant(kind=TenantKind.MINISTRY, country=country)
    mutuals = [await make_tenant(country=country) for _ in range(min(events, 5))]
    for number in range(events):
        tenant = mutuals[number % len(mutuals)]
        async with tenant_tx(await context(tenant)) as tx:
            await audit.record(tx, audit.Event(action=f"test.{number}", actor=SYSTEM, tenant_id=tenant.id))
    token = await token_for(client, ministry, Role.OVERSIGHT_OFFICER)
    statements.statements.clear()
    query = "{ supervisedAuditEvents(first: 100) { totalCount edges { node { action tenant { slug } } } } }"
    body = await graphql(client, query, token=token)
    assert len(body["data"]["supervisedAuditEvents"]["edges"]) == events
    return len(statements.statements)


async def test_supervised_events_cost_the_same_for_1_or_50_events_of_1_or_5_tenants(
    client: httpx.AsyncClient, statements: StatementCounter
) -> None:
    one = await _supervised_count(client, statements, 1)
    fifty = await _supervised_count(client, statements, 50)
    assert (one, fifty) == (10, 10)
