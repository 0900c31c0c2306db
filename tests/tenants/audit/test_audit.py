"""The audit log: hash chains that reveal tampering, what gets recorded,
who may read it."""

from __future__ import annotations

import asyncio
import contextvars
import json
import os
import subprocess
import sys
import uuid
from typing import Any

import asyncpg
import httpx
import pytest
from strawberry.relay import to_base64

from app.settings import Settings
from schemes.rules import service as scheme_service
from schemes.rules.model import Branch, MemberCategory
from schemes.rules.tables import Scheme
from tenants.audit import service as audit
from tenants.context import ANONYMOUS, SYSTEM
from tenants.identity import keys
from tenants.pagination import encode_cursor
from tenants.permissions import Permission, permissions_of
from tenants.registry.tables import Tenant
from tenants.roles import Role, TenantKind
from tenants.scoping import within
from tenants.tx import platform_tx, tenant_tx
from tests.factories import PASSWORD, context, fresh_country, make_tenant, make_user
from tests.graphql_client import SIGN_IN, graphql, sign_in, token_for

pytestmark = pytest.mark.usefixtures("migrated")

EVENTS = """
query ($tenant: ID, $first: Int, $after: String, $action: String) {
  auditEvents(tenant: $tenant, first: $first, after: $after, filter: {action: $action}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { seq action actorName targetType summary } }
  }
}
"""
CHAIN = "query ($tenant: ID) { auditChain(tenant: $tenant) { intact checked brokenAtSeq } }"


async def _record(tenant: Tenant, *actions: str) -> None:
    ctx = await context(tenant)
    for action in actions:
        async with tenant_tx(ctx) as tx:
            await audit.record(tx, audit.Event(action=action, actor=SYSTEM, tenant_id=tenant.id, summary={"n": action}))


async def _verify(tenant: Tenant) -> audit.ChainReport:
    async with platform_tx() as tx:
        return await audit.verify_chain(tx, tenant.id)


class TestChain:
    async def test_intact_chain(self) -> None:
        tenant = await make_tenant()
        await _record(tenant, "a.one", "a.two", "a.three")
        assert await _verify(tenant) == audit.ChainReport(intact=True, checked=3)

    async def test_changed_entry_breaks_the_chain_there(self, owner: asyncpg.Connection) -> None:
        tenant = await make_tenant()
        other = await make_tenant()
        await _record(tenant, "a.one", "a.two", "a.three")
        await _record(other, "b.one")
        await owner.execute(
            'UPDATE audit_events SET summary = \'{"n": "forged"}\' WHERE tenant_id = $1 AND seq = 2', tenant.id
        )
        assert await _verify(tenant) == audit.ChainReport(intact=False, checked=1, broken_at_seq=2)
        assert await _verify(other) == audit.ChainReport(intact=True, checked=1)

    async def test_removed_entry_breaks_the_chain(self, owner: asyncpg.Connection) -> None:
        tenant = await make_tenant()
        await _record(tenant, "a.one", "a.two", "a.three")
        await owner.execute("DELETE FROM audit_events WHERE tenant_id = $1 AND seq = 2", tenant.id)
        assert await _verify(tenant) == audit.ChainReport(intact=False, checked=1, broken_at_seq=2)

    async def test_socle_audit_verify_names_the_break(self, settings: Settings, owner: asyncpg.Connection) -> None:
        tenant = await make_tenant()
        await _record(tenant, "a.one", "a.two")
        await owner.execute("UPDATE audit_events SET action = 'a.forged' WHERE tenant_id = $1 AND seq = 2", tenant.id)
        result = subprocess.run(
            [sys.executable, "-m", "app", "audit", "verify", "--tenant", tenant.slug],
            env={**os.environ, "SOCLE_DATABASE_URL": settings.database_url or "", "SOCLE_LOG_LEVEL": "ERROR"},
            capture_output=True,
            text=True,
            check=False,
        )
        assert (result.returncode, result.stdout) == (
            1,
            f"{tenant.slug}: BROKEN at event 2 (1 events before it check out)\n",
        )


class TestEveryChangeIsAudited:
    """The database refuses to commit a change to tenant rows that left no audit event."""

    async def test_change_without_an_event_is_rolled_back(self, owner: asyncpg.Connection) -> None:
        tenant = await make_tenant()
        ctx = await context(tenant)
        async with tenant_tx(ctx) as tx:
            await scheme_service.create_scheme(
                tx,
                ctx,
                scheme_service.NewScheme(
                    code="SANTE", name="Santé", branch=Branch.HEALTH, categories=(MemberCategory.ARTISAN,)
                ),
            )
        with pytest.raises(asyncpg.IntegrityConstraintViolationError) as raised:
            async with tenant_tx(ctx):
                await within(ctx, Scheme).update({Scheme.name: "Renommé en silence"})
        names = await owner.fetch("SELECT name FROM schemes WHERE tenant_id = $1", tenant.id)
        assert (str(raised.value), [row["name"] for row in names]) == (
            "change to schemes without an audit event in its transaction",
            ["Santé"],
        )

    async def test_event_before_or_after_the_change_both_count(self, owner: asyncpg.Connection) -> None:
        tenant = await make_tenant()
        ctx = await context(tenant)
        async with tenant_tx(ctx) as tx:
            await audit.record_change(tx, ctx, "scheme.create", "scheme", "SANTE")
            await scheme_service.create_scheme(
                tx,
                ctx,
                scheme_service.NewScheme(
                    code="SANTE", name="Santé", branch=Branch.HEALTH, categories=(MemberCategory.ARTISAN,)
                ),
            )
        async with tenant_tx(ctx) as tx:
            await within(ctx, Scheme).update({Scheme.name: "Santé pour tous"})
            await audit.record_change(tx, ctx, "scheme.rename", "scheme", "SANTE", name="Santé pour tous")
        names = await owner.fetch("SELECT name FROM schemes WHERE tenant_id = $1", tenant.id)
        assert [row["name"] for row in names] == ["Santé pour tous"]


def _actions(body: dict[str, Any]) -> list[str]:
    return [edge["node"]["action"] for edge in body["data"]["auditEvents"]["edges"]]


class TestRecorded:
    async def test_sign_in_and_sign_out(self, client: httpx.AsyncClient) -> None:
        tenant = await make_tenant()
        token = await token_for(client, tenant, Role.TENANT_ADMIN)
        await graphql(client, "mutation { sessionRevoke }", token=token)
        token = await token_for(client, tenant, Role.AUDITOR)
        body = await graphql(client, EVENTS, token=token)
        assert _actions(body) == [
            "session.create",
            "membership.create",
            "session.revoke",
            "session.create",
            "membership.create",
        ]
        assert await _verify(tenant) == audit.ChainReport(intact=True, checked=5)

    async def test_refused_sign_in_goes_to_the_platform_chain(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        identifier = "inconnu.audit@test.socle.sn"
        await graphql(client, SIGN_IN, identifier=identifier, password=PASSWORD)
        row = await owner.fetchrow(
            "SELECT tenant_id, actor_kind, summary, source_address FROM audit_events"
            " WHERE action = 'session.create_refused' ORDER BY occurred_at DESC LIMIT 1"
        )
        assert (row["tenant_id"], row["actor_kind"], json.loads(row["summary"]), row["source_address"]) == (
            None,
            "anonymous",
            {"identifier": identifier, "reason": "auth.INVALID_CREDENTIALS"},
            "127.0.0.1",
        )

    async def test_refused_authorization_is_recorded(self, client: httpx.AsyncClient) -> None:
        tenant = await make_tenant()
        token = await token_for(client, tenant, Role.MANAGER)
        body = await graphql(client, EVENTS, token=token)
        assert body == {
            "data": None,
            "errors": [
                {
                    "message": "Votre rôle ne permet pas cette opération (droit requis : audit:read).",
                    "locations": [{"line": 3, "column": 3}],
                    "path": ["auditEvents"],
                    "extensions": {"code": "FORBIDDEN"},
                }
            ],
        }
        admin = await token_for(client, tenant, Role.TENANT_ADMIN)
        denied = await graphql(client, EVENTS, token=admin, action="authorization.denied")
        assert [edge["node"] for edge in denied["data"]["auditEvents"]["edges"]] == [
            {
                "seq": 3,
                "action": "authorization.denied",
                "actorName": f"manager {tenant.slug}",
                "targetType": "field",
                "summary": {"permission": "audit:read"},
            }
        ]

    async def test_a_mutation_records_who_where_and_which_request(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        tenant = await make_tenant()
        admin = await make_user(tenant, Role.TENANT_ADMIN)
        agent = await make_user(tenant, Role.AGENT)
        assert admin.email
        token = (await sign_in(client, admin.email))["accessToken"]
        response = await client.post(
            "/graphql",
            json={
                "query": "mutation ($user: ID!) { userRoleChange(input: {user: $user, role: MANAGER}) { __typename } }",
                "variables": {"user": to_base64("User", agent.id)},
            },
            headers={"Authorization": f"Bearer {token}", "X-Request-ID": "guichet-thies-0042"},
        )
        row = await owner.fetchrow(
            "SELECT actor_kind, actor_id, actor_name, target_type, target_id, request_id, source_address, summary"
            " FROM audit_events WHERE tenant_id = $1 AND action = 'user.role_change'",
            tenant.id,
        )
        assert response.json() == {"data": {"userRoleChange": {"__typename": "TenantUser"}}}
        assert {**dict(row), "summary": json.loads(row["summary"])} == {
            "actor_kind": "user",
            "actor_id": admin.id,
            "actor_name": f"tenant_admin {tenant.slug}",
            "target_type": "user",
            "target_id": str(agent.id),
            "request_id": "guichet-thies-0042",
            "source_address": "127.0.0.1",
            "summary": {"previous": "agent", "role": "manager"},
        }

    async def test_identity_changes_are_recorded(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection, settings: Settings
    ) -> None:
        tenant = await make_tenant()
        user = await make_user(tenant, Role.MANAGER)
        assert user.email
        session = await sign_in(client, user.email)
        await graphql(
            client,
            "mutation ($t: String) { sessionRefresh(input: {refreshToken: $t}) { __typename } }",
            t=session["refreshToken"],
        )
        async with platform_tx() as tx:
            await keys.rotate(tx, settings.secret())
        tenant_chain = await owner.fetch(
            "SELECT action, actor_kind FROM audit_events WHERE tenant_id = $1 ORDER BY seq", tenant.id
        )
        platform = await owner.fetch(
            "SELECT action, target_id FROM audit_events WHERE tenant_id IS NULL AND target_id = ANY($1::text[])",
            [str(tenant.id), str(user.id)],
        )
        rotated = await owner.fetchval(
            "SELECT target_id FROM audit_events WHERE tenant_id IS NULL AND action = 'signing_key.rotate'"
            " ORDER BY occurred_at DESC LIMIT 1"
        )
        newest_key = await owner.fetchval("SELECT id FROM signing_keys ORDER BY created_at DESC LIMIT 1")
        assert [tuple(row) for row in tenant_chain] == [
            ("membership.create", "system"),
            ("session.create", "user"),
            ("session.refresh", "user"),
        ]
        assert sorted(tuple(row) for row in platform) == sorted(
            [("tenant.create", str(tenant.id)), ("user.create", str(user.id))]
        )
        assert rotated == newest_key


class TestReading:
    async def test_keyset_pages(self, client: httpx.AsyncClient) -> None:
        tenant = await make_tenant()
        await _record(tenant, "p.one", "p.two", "p.three")
        token = await token_for(client, tenant, Role.AUDITOR)
        first = await graphql(client, EVENTS, token=token, first=3)
        page = first["data"]["auditEvents"]
        assert (_actions(first), page["totalCount"], page["pageInfo"]["hasNextPage"]) == (
            ["session.create", "membership.create", "p.three"],
            5,
            True,
        )
        second = await graphql(client, EVENTS, token=token, first=2, after=page["pageInfo"]["endCursor"])
        assert _actions(second) == ["p.two", "p.one"]
        assert second["data"]["auditEvents"]["pageInfo"] == {
            "hasNextPage": False,
            "endCursor": second["data"]["auditEvents"]["pageInfo"]["endCursor"],
        }

    @pytest.mark.parametrize(("first", "after"), [(0, None), (101, None), (10, "pas-un-curseur")])
    async def test_bad_page_arguments(self, client: httpx.AsyncClient, first: int, after: str | None) -> None:
        tenant = await make_tenant()
        token = await token_for(client, tenant, Role.AUDITOR)
        body = await graphql(client, EVENTS, token=token, first=first, after=after)
        assert body["data"] is None
        assert [error["extensions"]["code"] for error in body["errors"]] == [
            "INVALID_PAGE_SIZE" if after is None else "INVALID_CURSOR"
        ]

    async def test_another_tenants_log_is_not_found(self, client: httpx.AsyncClient) -> None:
        country = fresh_country()
        mine = await make_tenant(country=country)
        theirs = await make_tenant(country=country)
        await _record(theirs, "x.secret")
        token = await token_for(client, mine, Role.TENANT_ADMIN)
        body = await graphql(client, EVENTS, token=token, tenant=to_base64("Tenant", theirs.id))
        chain = await graphql(client, CHAIN, token=token, tenant=to_base64("Tenant", theirs.id))
        assert body["data"]["auditEvents"] == {
            "totalCount": 0,
            "pageInfo": {"hasNextPage": False, "endCursor": None},
            "edges": [],
        }
        assert chain == {"data": {"auditChain": None}}

    async def test_anonymous_must_sign_in(self, client: httpx.AsyncClient) -> None:
        body = await graphql(client, CHAIN, language="en")
        assert body["errors"] == [
            {
                "message": "Sign in to access this information.",
                "locations": [{"line": 1, "column": 23}],
                "path": ["auditChain"],
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ]

    async def test_ministry_reads_supervised_logs_and_leaves_a_trace(self, client: httpx.AsyncClient) -> None:
        country = fresh_country()
        ministry = await make_tenant(kind=TenantKind.MINISTRY, country=country)
        mutual = await make_tenant(country=country)
        abroad = await make_tenant(country=fresh_country())
        await _record(mutual, "m.one")
        await _record(abroad, "z.one")
        token = await token_for(client, ministry, Role.OVERSIGHT_OFFICER)
        seen = await graphql(client, EVENTS, token=token, tenant=to_base64("Tenant", mutual.id))
        hidden = await graphql(client, EVENTS, token=token, tenant=to_base64("Tenant", abroad.id))
        chain = await graphql(client, CHAIN, token=token, tenant=to_base64("Tenant", mutual.id))
        own = await graphql(client, EVENTS, token=token)
        assert _actions(seen) == ["m.one"]
        assert _actions(hidden) == []
        assert chain == {"data": {"auditChain": {"intact": True, "checked": 1, "brokenAtSeq": None}}}
        assert _actions(own) == ["oversight.audit_read", "session.create", "membership.create"]


SUPERVISED = """
query ($first: Int, $after: String, $action: String) {
  supervisedAuditEvents(first: $first, after: $after, filter: {action: $action}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { action tenant { slug } } }
  }
}
"""


class TestAcrossSupervisedTenants:
    async def test_the_ministry_reads_its_countrys_logs_page_by_page(
        self, client: httpx.AsyncClient, owner: asyncpg.Connection
    ) -> None:
        country = fresh_country()
        ministry = await make_tenant(kind=TenantKind.MINISTRY, country=country)
        first_mutual = await make_tenant(country=country)
        second_mutual = await make_tenant(kind=TenantKind.IPM, country=country)
        abroad = await make_tenant(country=fresh_country())
        await _record(first_mutual, "x.one")
        await _record(second_mutual, "x.two")
        await _record(first_mutual, "x.three")
        await _record(abroad, "x.abroad")
        token = await token_for(client, ministry, Role.OVERSIGHT_OFFICER)
        first = await graphql(client, SUPERVISED, token=token, first=2, action=None)
        page = first["data"]["supervisedAuditEvents"]
        second = await graphql(client, SUPERVISED, token=token, first=2, after=page["pageInfo"]["endCursor"])
        seen = [
            (edge["node"]["action"], edge["node"]["tenant"]["slug"])
            for body in (first, second)
            for edge in body["data"]["supervisedAuditEvents"]["edges"]
        ]
        assert (page["totalCount"], page["pageInfo"]["hasNextPage"]) == (3, True)
        assert seen == [
            ("x.three", first_mutual.slug),
            ("x.two", second_mutual.slug),
            ("x.one", first_mutual.slug),
        ]
        assert second["data"]["supervisedAuditEvents"]["pageInfo"]["hasNextPage"] is False
        filtered = await graphql(client, SUPERVISED, token=token, action="x.two")
        assert [edge["node"]["action"] for edge in filtered["data"]["supervisedAuditEvents"]["edges"]] == ["x.two"]
        traces = await owner.fetch(
            "SELECT target_type, target_id FROM audit_events WHERE tenant_id = $1 AND action = 'oversight.audit_read'",
            ministry.id,
        )
        assert [tuple(row) for row in traces] == [("country", country)] * 3

    async def test_a_bad_cursor_is_named(self, client: httpx.AsyncClient) -> None:
        ministry = await make_tenant(kind=TenantKind.MINISTRY, country=fresh_country())
        token = await token_for(client, ministry, Role.MINISTRY_ADMIN)
        body = await graphql(client, SUPERVISED, token=token, after=encode_cursor("hier", "pas-un-id"))
        assert (body["data"], body["errors"][0]["extensions"]) == (None, {"code": "INVALID_CURSOR"})

    @pytest.mark.parametrize("role", [Role.TENANT_ADMIN, Role.AUDITOR, Role.MANAGER])
    async def test_tenants_do_not_see_each_other_through_it(self, client: httpx.AsyncClient, role: Role) -> None:
        token = await token_for(client, await make_tenant(), role)
        body = await graphql(client, SUPERVISED, token=token)
        assert (body["data"], body["errors"][0]["extensions"]) == (None, {"code": "FORBIDDEN"})


@pytest.mark.parametrize("role", [role for role in Role if role not in {Role.MINISTRY_ADMIN, Role.OVERSIGHT_OFFICER}])
async def test_role_matrix_for_the_audit_log(client: httpx.AsyncClient, role: Role) -> None:
    tenant = await make_tenant()
    token = await token_for(client, tenant, role)
    body = await graphql(client, CHAIN, token=token)
    if Permission.AUDIT_READ in permissions_of(role):
        assert body == {"data": {"auditChain": {"intact": True, "checked": 2, "brokenAtSeq": None}}}
    else:
        assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN"}


async def test_a_failure_inside_is_masked_and_logged(
    client: httpx.AsyncClient, owner: asyncpg.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    tenant = await make_tenant()
    token = await token_for(client, tenant, Role.AUDITOR)
    await owner.execute("REVOKE SELECT ON audit_events FROM socle_application")
    try:
        body = await graphql(client, CHAIN, token=token)
    finally:
        await owner.execute("GRANT SELECT ON audit_events TO socle_application")
    assert body == {
        "data": {"auditChain": None},
        "errors": [{"message": "Unexpected error.", "locations": [{"line": 1, "column": 23}], "path": ["auditChain"]}],
    }
    logged = [record for record in caplog.records if record.name == "strawberry.execution"]
    assert [type(record.exc_info[1]).__name__ if record.exc_info else None for record in logged] == [
        "InsufficientPrivilegeError"
    ]
    assert "permission denied for table audit_events" in logged[0].getMessage()


def _platform_event(address: str) -> audit.Event:
    return audit.Event(
        action="session.create_refused", actor=ANONYMOUS, tenant_id=None, source_address=address, summary={}
    )


def _addresses_in_distinct_chains(count: int) -> list[str]:
    by_chain: dict[int, str] = {}
    for number in range(1, 255):
        address = f"198.51.100.{number}"
        by_chain.setdefault(audit.chain_of(_platform_event(address)), address)
    assert len(by_chain) >= count
    return list(by_chain.values())[:count]


class TestPlatformChains:
    """Socle's own events (sign-in refusals, code and reset requests) are
    spread over several chains, so that unrelated callers never queue
    behind one another's audit event."""

    async def test_an_event_of_another_caller_does_not_wait_for_an_open_transaction(self) -> None:
        first, second = _addresses_in_distinct_chains(2)
        async with platform_tx() as holding:
            await audit.record(holding, _platform_event(first))

            async def other_caller() -> None:
                async with platform_tx() as tx:
                    await audit.record(tx, _platform_event(second))

            # Another request: its own task and context. Before, one lock served every
            # platform event, so this waited for the commit of the transaction above.
            other = asyncio.create_task(other_caller(), context=contextvars.Context())
            await asyncio.wait_for(other, timeout=10)

    async def test_concurrent_events_leave_every_chain_intact(self, owner: asyncpg.Connection) -> None:
        addresses = [f"203.0.113.{number}" for number in range(1, 41)]

        async def refused(address: str) -> None:
            async with platform_tx() as tx:
                await audit.record(tx, _platform_event(address))

        await asyncio.gather(*(refused(address) for address in addresses))
        async with platform_tx() as tx:
            reports = [await audit.verify_chain(tx, None, chain) for chain in audit.chains_of(None)]
        assert [report.intact for report in reports] == [True] * audit.PLATFORM_CHAINS
        chains = await owner.fetch(
            "SELECT DISTINCT chain FROM audit_events WHERE tenant_id IS NULL AND source_address = ANY($1::text[])",
            addresses,
        )
        assert len(chains) > 1
        assert {row["chain"] for row in chains} == {audit.chain_of(_platform_event(a)) for a in addresses}

    def test_a_tenants_events_stay_in_one_chain(self) -> None:
        tenant_id = uuid.uuid4()
        events = [
            audit.Event(action="x", actor=SYSTEM, tenant_id=tenant_id, source_address=a)
            for a in _addresses_in_distinct_chains(3)
        ]
        assert [audit.chain_of(event) for event in events] == [0, 0, 0]


@pytest.mark.parametrize("tenant_id", [uuid.uuid4(), None])
async def test_a_chains_end_is_read_by_its_index(owner: asyncpg.Connection, tenant_id: uuid.UUID | None) -> None:
    # Read under the chain's lock by every audited change: a scan of the whole
    # table there (as `IS NOT DISTINCT FROM` forces) serialised writers at scale.
    async with owner.transaction():
        await owner.execute("SET LOCAL enable_seqscan = off")
        plan = await owner.fetch(
            f"EXPLAIN SELECT seq, hash FROM audit_events WHERE {audit._of_chain(tenant_id)} ORDER BY seq DESC LIMIT 1",
            tenant_id,
            0,
        )
    conditions = [row[0].strip() for row in plan if "Index Cond" in row[0]]
    assert len(conditions) == 1
    assert "tenant_id" in conditions[0]
    assert "chain" in conditions[0]
