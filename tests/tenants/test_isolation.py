"""Tenant isolation, at the application layer and in PostgreSQL alone."""

from __future__ import annotations

from uuid import UUID

import asyncpg
import pytest

from schemes.rules import service as scheme_service
from schemes.rules.errors import SchemeCodeTaken
from schemes.rules.model import Branch, MemberCategory
from schemes.rules.tables import Scheme
from tenants.audit import service as audit
from tenants.context import TenantContext
from tenants.errors import DomainError, ReadOnlyTenant
from tenants.invitations import service as invitations
from tenants.registry.tables import Tenant
from tenants.roles import Role, TenantKind
from tenants.scoping import across, within
from tenants.tx import platform_tx, tenant_tx
from tests.factories import context, fresh_country, make_tenant

pytestmark = pytest.mark.usefixtures("migrated")


async def _scheme(ctx: TenantContext, code: str) -> Scheme:
    async with tenant_tx(ctx) as tx:
        return await scheme_service.create_scheme(
            tx,
            ctx,
            scheme_service.NewScheme(
                code=code, name=f"Régime {code}", branch=Branch.HEALTH, categories=(MemberCategory.ARTISAN,)
            ),
        )


async def _raw_insert_scheme(ctx: TenantContext, tenant_id: UUID) -> None:
    """Insert a scheme into ``tenant_id`` with plain SQL, no application filter."""
    async with tenant_tx(ctx) as tx:
        await tx.connection.execute(
            "INSERT INTO schemes (id, tenant_id, code, name, branch, categories, status, created_at)"
            " VALUES (gen_random_uuid(), $1, 'INTRUS', 'Intrus', 'health', '{artisan}', 'draft', now())",
            tenant_id,
        )


@pytest.fixture
async def two_mutuals() -> tuple[TenantContext, TenantContext]:
    country = fresh_country()
    a = await context(await make_tenant(country=country))
    b = await context(await make_tenant(country=country))
    await _scheme(a, "SANTE")
    await _scheme(b, "SANTE")
    return a, b


class TestApplicationLayer:
    async def test_a_reads_only_its_own_rows(self, two_mutuals: tuple[TenantContext, TenantContext]) -> None:
        a, b = two_mutuals
        async with tenant_tx(a) as tx:
            rows = await within(a, Scheme).select(Scheme.tenant_id)
            scheme_of_b = await scheme_service.find_scheme_by_code(tx, a, "SANTE")
            explicit_b = await within(a, Scheme, tenant_id=b.tenant_id).select()
        assert [row["tenant_id"] for row in rows] == [a.tenant_id]
        assert scheme_of_b is not None and scheme_of_b.tenant_id == a.tenant_id
        assert explicit_b == []

    async def test_a_cannot_change_b(
        self, two_mutuals: tuple[TenantContext, TenantContext], owner: asyncpg.Connection
    ) -> None:
        a, b = two_mutuals
        async with tenant_tx(a) as tx:
            with pytest.raises(ReadOnlyTenant):
                within(a, Scheme, tenant_id=b.tenant_id).update({Scheme.name: "Pris"})
            await within(a, Scheme).update({Scheme.name: "Renommé"})
            await audit.record_change(tx, a, "scheme.rename", "scheme", "*", name="Renommé")
        names = await owner.fetch(
            "SELECT tenant_id, name FROM schemes WHERE tenant_id = ANY($1)", [a.tenant_id, b.tenant_id]
        )
        assert {row["tenant_id"]: row["name"] for row in names} == {a.tenant_id: "Renommé", b.tenant_id: "Régime SANTE"}

    async def test_same_code_in_two_tenants(self, two_mutuals: tuple[TenantContext, TenantContext]) -> None:
        a, _ = two_mutuals
        with pytest.raises(SchemeCodeTaken) as raised:
            await _scheme(a, "sante")
        assert (raised.value.path, raised.value.params) == (("input", "code"), {"code": "SANTE"})


class TestRowLevelSecurityAlone:
    """Raw SQL with no tenant filter: PostgreSQL's policies are the only wall."""

    async def test_unfiltered_select_sees_only_own_tenant(
        self, two_mutuals: tuple[TenantContext, TenantContext]
    ) -> None:
        a, _b = two_mutuals
        async with tenant_tx(a) as tx:
            tenant_ids = {row["tenant_id"] for row in await tx.connection.fetch("SELECT tenant_id FROM schemes")}
            tenants = {row["id"] for row in await tx.connection.fetch("SELECT id FROM tenants")}
        assert tenant_ids == {a.tenant_id}
        assert tenants == {a.tenant_id}

    async def test_write_into_other_tenant_is_refused(
        self, two_mutuals: tuple[TenantContext, TenantContext], owner: asyncpg.Connection
    ) -> None:
        a, b = two_mutuals
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await _raw_insert_scheme(a, b.tenant_id)
        async with tenant_tx(a) as tx:
            updated = await tx.connection.execute("UPDATE schemes SET name = 'Pris' WHERE tenant_id = $1", b.tenant_id)
            deleted = await tx.connection.execute("DELETE FROM schemes WHERE tenant_id = $1", b.tenant_id)
        assert (updated, deleted) == ("UPDATE 0", "DELETE 0")
        rows = await owner.fetch("SELECT code, name FROM schemes WHERE tenant_id = $1", b.tenant_id)
        assert [tuple(row) for row in rows] == [("SANTE", "Régime SANTE")]

    async def test_no_tenant_set_sees_nothing(self, two_mutuals: tuple[TenantContext, TenantContext]) -> None:
        pool = Tenant._meta.db.pool  # type: ignore[attr-defined]
        async with pool.acquire() as connection:
            schemes = await connection.fetchval("SELECT count(*) FROM schemes")
            tenants = await connection.fetchval("SELECT count(*) FROM tenants")
            memberships = await connection.fetchval("SELECT count(*) FROM memberships")
        assert (schemes, tenants, memberships) == (0, 0, 0)

    async def test_platform_scope_sees_tenants_but_no_business_rows(
        self, two_mutuals: tuple[TenantContext, TenantContext]
    ) -> None:
        a, b = two_mutuals
        async with platform_tx() as tx:
            tenants = {row["id"] for row in await tx.connection.fetch("SELECT id FROM tenants")}
            schemes = await tx.connection.fetchval("SELECT count(*) FROM schemes")
        assert {a.tenant_id, b.tenant_id} <= tenants
        assert schemes == 0


class TestMinistry:
    async def test_reads_its_country_and_writes_nothing(self, owner: asyncpg.Connection) -> None:
        country = fresh_country()
        mutual = await context(await make_tenant(country=country))
        ipm = await context(await make_tenant(kind=TenantKind.IPM, country=country))
        elsewhere = await context(await make_tenant(country=fresh_country()))
        for ctx in (mutual, ipm, elsewhere):
            await _scheme(ctx, "BASE")
        ministry = await context(await make_tenant(kind=TenantKind.MINISTRY, country=country))

        assert ministry.supervised_tenant_ids == {mutual.tenant_id, ipm.tenant_id}
        async with tenant_tx(ministry) as tx:
            visible_tenants = {row["id"] for row in await tx.connection.fetch("SELECT id FROM tenants")}
            visible_schemes = {row["tenant_id"] for row in await tx.connection.fetch("SELECT tenant_id FROM schemes")}
            other_country = await within(ministry, Scheme, tenant_id=elsewhere.tenant_id).select()
            updated = await tx.connection.execute("UPDATE schemes SET name = 'Modifié'")
        assert visible_tenants == {ministry.tenant_id, mutual.tenant_id, ipm.tenant_id}
        assert visible_schemes == {mutual.tenant_id, ipm.tenant_id}
        assert other_country == []
        assert updated == "UPDATE 0"

        async with tenant_tx(ministry):
            overseen = await across(ministry, Scheme).select(Scheme.tenant_id, Scheme.code)
        assert sorted((row["tenant_id"], row["code"]) for row in overseen) == sorted(
            [(mutual.tenant_id, "BASE"), (ipm.tenant_id, "BASE")]
        )

        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await _raw_insert_scheme(ministry, mutual.tenant_id)
        async with tenant_tx(ministry):
            with pytest.raises(ReadOnlyTenant):
                within(ministry, Scheme, tenant_id=mutual.tenant_id).delete()
        names = await owner.fetch(
            "SELECT DISTINCT name FROM schemes WHERE tenant_id = ANY($1)", [mutual.tenant_id, ipm.tenant_id]
        )
        assert [row["name"] for row in names] == ["Régime BASE"]

    async def test_one_ministry_per_country(self) -> None:
        country = fresh_country()
        await make_tenant(kind=TenantKind.MINISTRY, country=country)
        with pytest.raises(DomainError) as raised:
            await make_tenant(kind=TenantKind.MINISTRY, country=country)
        assert (raised.value.code, raised.value.path) == ("tenants.MINISTRY_EXISTS", ("input", "country"))


class TestRowLevelSecurityOnAuthTables:
    """Raw SQL, no application filter: partner applications and audit events
    of another tenant stay invisible and unwritable."""

    async def test_api_clients_and_audit_events(self, two_mutuals: tuple[TenantContext, TenantContext]) -> None:
        from tenants.audit import service as audit
        from tenants.context import SYSTEM
        from tenants.partners import service as clients

        a, b = two_mutuals
        async with tenant_tx(b) as tx:
            await clients.register(tx, b, clients.NewClient(name="Appli B", scopes=frozenset({"members:read"})))
            await audit.record(tx, audit.Event(action="b.secret", actor=SYSTEM, tenant_id=b.tenant_id))
        async with tenant_tx(a) as tx:
            seen_clients = await tx.connection.fetchval(
                "SELECT count(*) FROM api_clients WHERE tenant_id = $1", b.tenant_id
            )
            seen_events = await tx.connection.fetchval(
                "SELECT count(*) FROM audit_events WHERE tenant_id = $1", b.tenant_id
            )
            revoked = await tx.connection.execute(
                "UPDATE api_clients SET revoked_at = now() WHERE tenant_id = $1", b.tenant_id
            )
        assert (seen_clients, seen_events, revoked) == (0, 0, "UPDATE 0")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with tenant_tx(a) as tx:
                await tx.connection.execute(
                    "INSERT INTO audit_events (id, tenant_id, seq, occurred_at, actor_kind, action, previous_hash, hash)"
                    " VALUES (gen_random_uuid(), $1, 99, now(), 'system', 'forged', '', '')",
                    b.tenant_id,
                )
        async with tenant_tx(a) as tx:
            sessions_seen_by_tenant = await tx.connection.fetchval("SELECT count(*) FROM sessions")
        assert sessions_seen_by_tenant == 0


class TestRowLevelSecurityOnInvitationsAndResets:
    """Raw SQL, no application filter: another tenant's invitations stay
    invisible and unwritable; password resets are seen by no tenant."""

    async def test_invitations_and_password_resets(self, two_mutuals: tuple[TenantContext, TenantContext]) -> None:
        a, b = two_mutuals
        async with tenant_tx(b) as tx:
            await invitations.invite(
                tx,
                b,
                invitations.NewInvitation(full_name="Invitée de B", role=Role.AGENT, email="b.invitee@exemple.sn"),
                "secret-des-tests",
            )
        async with tenant_tx(a) as tx:
            seen = await tx.connection.fetchval("SELECT count(*) FROM invitations WHERE tenant_id = $1", b.tenant_id)
            revoked = await tx.connection.execute(
                "UPDATE invitations SET revoked_at = now() WHERE tenant_id = $1", b.tenant_id
            )
            resets_seen_by_tenant = await tx.connection.fetchval("SELECT count(*) FROM password_resets")
        assert (seen, revoked, resets_seen_by_tenant) == (0, "UPDATE 0", 0)
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with tenant_tx(a) as tx:
                await tx.connection.execute(
                    "INSERT INTO invitations (id, tenant_id, full_name, email, role, locale, created_at, expires_at,"
                    " send_count) VALUES (gen_random_uuid(), $1, 'Intrus', 'intrus@exemple.sn', 'tenant_admin',"
                    " 'fr', now(), now() + interval '1 day', 1)",
                    b.tenant_id,
                )
