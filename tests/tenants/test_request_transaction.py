"""A query's fields share the request's one transaction: each reads with its
own transaction's settings, a run of statements that depends on itself stays
whole, and nothing of a request's settings outlives it on a pooled connection."""

from __future__ import annotations

import asyncio
from uuid import UUID

import httpx
import pytest
from strawberry.relay import to_base64

from app import db
from tenants.audit import service as audit
from tenants.context import SYSTEM
from tenants.registry.tables import Tenant
from tenants.roles import Role, TenantKind
from tenants.tx import RequestTransaction, platform_tx, tenant_tx
from tests.factories import context, fresh_country, make_tenant
from tests.graphql_client import graphql, token_for

pytestmark = pytest.mark.usefixtures("migrated")


async def test_a_ministrys_recorded_reads_of_one_query_chain_in_order(client: httpx.AsyncClient) -> None:
    # Each aliased field records an oversight read in the ministry's chain, all
    # at once in the one transaction: the chain stays whole.
    country = fresh_country()
    ministry = await make_tenant(kind=TenantKind.MINISTRY, country=country)
    mutuals = [await make_tenant(country=country) for _ in range(3)]
    token = await token_for(client, ministry, Role.OVERSIGHT_OFFICER)
    fields = " ".join(
        f'm{n}: members(tenant: "{to_base64("Tenant", mutual.id)}", first: 5) {{ totalCount }}'
        f' a{n}: auditEvents(tenant: "{to_base64("Tenant", mutual.id)}", first: 5) {{ totalCount }}'
        for n, mutual in enumerate(mutuals)
    )
    body = await graphql(client, "{ " + fields + " }", token=token)
    assert "errors" not in body, body
    async with platform_tx() as tx:
        report = await audit.verify_chain(tx, ministry.id)
        actions = await tx.fetch(
            "SELECT action FROM audit_events WHERE tenant_id = $1 AND action LIKE 'oversight.%' ORDER BY seq",
            ministry.id,
        )
    assert report == audit.ChainReport(intact=True, checked=report.checked)
    assert sorted(row["action"] for row in actions) == ["oversight.audit_read"] * 3 + ["oversight.members_read"] * 3


async def test_sibling_transactions_read_with_their_own_settings() -> None:
    # Two tenants' reads and a platform read interleaved on one request's
    # connection: each statement sees what its own transaction may see.
    first, second = await make_tenant(), await make_tenant()
    for tenant in (first, second):
        async with tenant_tx(await context(tenant)) as tx:
            await audit.record(tx, audit.Event(action="test.mine", actor=SYSTEM, tenant_id=tenant.id))
    request = RequestTransaction()
    request.bind()

    async def tenants_seen(tenant: Tenant) -> set[UUID]:
        seen: set[UUID] = set()
        async with tenant_tx(await context(tenant)) as tx:
            for _ in range(5):
                rows = await tx.fetch(
                    "SELECT tenant_id FROM audit_events WHERE tenant_id = ANY($1)", [first.id, second.id]
                )
                seen |= {row["tenant_id"] for row in rows}
                await asyncio.sleep(0)
        return seen

    async def platform_settings() -> list[str]:
        async with platform_tx() as tx:
            return [await tx.fetchval("SELECT current_setting('app.platform')") for _ in range(5)]

    try:
        mine, theirs, platform = await asyncio.gather(tenants_seen(first), tenants_seen(second), platform_settings())
    finally:
        request.unbind()
        await request.commit()
    assert (mine, theirs, platform) == ({first.id}, {second.id}, ["on"] * 5)


async def test_a_savepoint_is_refused_on_the_shared_connection() -> None:
    request = RequestTransaction()
    request.bind()
    try:
        async with tenant_tx(await context(await make_tenant())) as tx:
            with pytest.raises(RuntimeError, match="savepoints"):
                tx.connection.transaction()
    finally:
        request.unbind()
        await request.close()


async def test_no_setting_outlives_its_request_on_a_pooled_connection(client: httpx.AsyncClient) -> None:
    tenant = await make_tenant()
    token = await token_for(client, tenant, Role.TENANT_ADMIN)
    await asyncio.gather(*(graphql(client, "{ users(first: 5) { totalCount } }", token=token) for _ in range(8)))
    pool = db.DB.pool
    assert pool is not None
    connections = [await pool.acquire() for _ in range(pool.get_size())]
    try:
        settings = [
            await connection.fetchrow(
                "SELECT current_setting('app.tenant_id', true) AS tenant, current_setting('app.user_id', true) AS usr,"
                " current_setting('app.platform', true) AS platform, pg_current_xact_id_if_assigned() AS xact"
            )
            for connection in connections
        ]
    finally:
        for connection in connections:
            await pool.release(connection)
    assert {tuple(row) for row in settings} <= {(None, None, None, None), ("", "", "", None)}
