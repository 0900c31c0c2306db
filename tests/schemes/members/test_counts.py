"""Member counts per tenant kept as tallies by PostgreSQL: exact after
enrolments (one, a batch, a file), status changes, households changed and a
merge of duplicates, also under concurrent enrolments; each tenant sees its
own, a ministry its country's (the read recorded once), row-level security
alone hides and guards another tenant's tallies; the role and scope matrix,
and the same statements for 1 tenant as for 20."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest
from strawberry.relay import from_base64, to_base64

from schemes.duplicates import service as duplicate_service
from schemes.imports.files import csv_bytes
from schemes.rules.model import MemberCategory
from tenants.permissions import Permission, permissions_of
from tenants.roles import Role, TenantKind, role_fits_tenant
from tenants.tx import tenant_tx
from tests.conftest import StatementCounter
from tests.factories import context, fresh_country, make_tenant
from tests.graphql_client import graphql, token_for
from tests.partner_tokens import partner_token
from tests.schemes.duplicates.factories import person
from tests.schemes.imports.example import HEADER, example_rows, import_file, importing_tenant
from tests.schemes.members.factories import ENROL, artisan, artisan_input, child, enrol, make_scheme

pytestmark = pytest.mark.usefixtures("migrated")

STATUSES = "members pending active suspended terminated"
COUNTS = "{ memberCounts { tenant { slug } " + STATUSES + " beneficiaries byCategory { category " + STATUSES + " } } }"
BATCH = """mutation ($input: MemberEnrolBatchInput!) { memberEnrolBatch(input: $input) {
  ... on MemberEnrolBatch { items { status member { id } } } } }"""
STATUS = """mutation ($input: MemberStatusChangeInput!) { memberStatusChange(input: $input) {
  __typename ... on MemberStatusChangeError { code } } }"""
ADD = """mutation ($input: BeneficiaryAddInput!) { beneficiaryAdd(input: $input) {
  __typename ... on Beneficiary { id } } }"""
REMOVE = """mutation ($input: BeneficiaryRemoveInput!) { beneficiaryRemove(input: $input) { __typename } }"""
RESOLVE = """mutation ($input: DuplicateResolveInput!) { duplicateResolve(input: $input) { __typename } }"""

NEWBORN = {
    "relationship": "CHILD",
    "person": {"firstNames": "Néné", "lastName": "Sène", "sex": "FEMALE", "birthDate": "2024-05-05"},
}
KID = {"relationship": "CHILD", "person": {"firstNames": "Modou", "lastName": "Sène", "sex": "MALE", "birthYear": 2016}}
WIFE = {
    "relationship": "SPOUSE",
    "person": {"firstNames": "Fatou", "lastName": "Ba", "sex": "FEMALE", "birthYear": 1988},
}


def _counts(slug: str, categories: dict[str, tuple[int, int, int, int]], beneficiaries: int) -> dict[str, Any]:
    """The expected ``memberCounts`` entry of a tenant: pending, active,
    suspended and terminated members per category (GraphQL names)."""

    def statuses(pending: int, active: int, suspended: int, terminated: int) -> dict[str, int]:
        members = pending + active + suspended + terminated
        return {
            "members": members,
            "pending": pending,
            "active": active,
            "suspended": suspended,
            "terminated": terminated,
        }

    total = tuple(sum(counts[index] for counts in categories.values()) for index in range(4))
    return {
        "tenant": {"slug": slug},
        **statuses(*total),
        "beneficiaries": beneficiaries,
        "byCategory": [{"category": category, **statuses(*counts)} for category, counts in categories.items()],
    }


async def _tallies_are_counts(owner: asyncpg.Connection, tenant_id: UUID) -> tuple[Any, ...]:
    """The tenant's tallies and ``count(*)`` of its rows, side by side (equal when exact)."""
    tallies = await owner.fetch(
        "SELECT status, category, member_count FROM member_tallies WHERE tenant_id = $1 AND status IS NOT NULL"
        " AND member_count <> 0 ORDER BY status, category",
        tenant_id,
    )
    counted = await owner.fetch(
        "SELECT status, category, count(*) FROM members WHERE tenant_id = $1 GROUP BY status, category"
        " ORDER BY status, category",
        tenant_id,
    )
    beneficiaries = await owner.fetchval(
        "SELECT coalesce(sum(beneficiary_count), 0) FROM member_tallies WHERE tenant_id = $1 AND status IS NULL",
        tenant_id,
    )
    not_removed = await owner.fetchval(
        "SELECT count(*) FROM beneficiaries WHERE tenant_id = $1 AND removed_on IS NULL", tenant_id
    )
    return [tuple(row) for row in tallies], beneficiaries, [tuple(row) for row in counted], not_removed


async def _assert_exact(owner: asyncpg.Connection, tenant_id: UUID) -> None:
    tallies, beneficiaries, counted, not_removed = await _tallies_are_counts(owner, tenant_id)
    assert (tallies, beneficiaries) == (counted, not_removed)


async def _member_counts(client: httpx.AsyncClient, token: str) -> list[dict[str, Any]]:
    body = await graphql(client, COUNTS, token=token)
    assert "errors" not in body, body
    counts: list[dict[str, Any]] = body["data"]["memberCounts"]
    return counts


async def test_counts_follow_enrolments_status_changes_and_households(
    client: httpx.AsyncClient, owner: asyncpg.Connection
) -> None:
    tenant = await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    scheme_id = to_base64("Scheme", scheme.id)
    token = await token_for(client, tenant, Role.MANAGER)
    assert await _member_counts(client, token) == [_counts(tenant.slug, {}, 0)]

    one = await graphql(client, ENROL, token=token, input=artisan_input(scheme_id, beneficiaries=[WIFE, KID]))
    first = one["data"]["memberEnrol"]["member"]
    batch = [
        artisan_input(scheme_id, idempotencyKey="tablette-07:0001", beneficiaries=[KID]),
        artisan_input(scheme_id, idempotencyKey="tablette-07:0002"),
    ]
    items = (await graphql(client, BATCH, token=token, input={"enrolments": batch}))["data"]["memberEnrolBatch"]
    second, third = (item["member"] for item in items["items"])
    await enrol(ctx, artisan(scheme, category=MemberCategory.SELF_EMPLOYED, artisan=None))
    assert await _member_counts(client, token) == [
        _counts(tenant.slug, {"ARTISAN": (3, 0, 0, 0), "SELF_EMPLOYED": (1, 0, 0, 0)}, 3)
    ]

    changes = [
        {"id": first["id"], "status": "ACTIVE"},
        {"id": second["id"], "status": "ACTIVE"},
        {"id": second["id"], "status": "SUSPENDED"},
        {"id": third["id"], "status": "TERMINATED", "reason": "RESIGNATION"},
    ]
    for change in changes:
        changed = await graphql(client, STATUS, token=token, input=change)
        assert changed["data"]["memberStatusChange"] == {"__typename": "Member"}, changed
    added = await graphql(client, ADD, token=token, input={"member": first["id"], "beneficiary": NEWBORN})
    kid = await owner.fetchval(
        "SELECT b.id FROM beneficiaries b JOIN members m ON m.id = b.member_id"
        " WHERE m.id = $1 AND b.first_names = 'Modou'",
        UUID(from_base64(first["id"])[1]),
    )
    removed = await graphql(
        client, REMOVE, token=token, input={"id": to_base64("Beneficiary", kid), "removedOn": date.today().isoformat()}
    )
    assert (added["data"]["beneficiaryAdd"]["__typename"], removed["data"]["beneficiaryRemove"]) == (
        "Beneficiary",
        {"__typename": "Beneficiary"},
    )

    assert await _member_counts(client, token) == [
        _counts(tenant.slug, {"ARTISAN": (0, 1, 1, 1), "SELF_EMPLOYED": (1, 0, 0, 0)}, 3)
    ]
    await _assert_exact(owner, tenant.id)


async def test_a_merge_of_duplicates_moves_the_household_and_terminates_one(
    client: httpx.AsyncClient, owner: asyncpg.Connection
) -> None:
    tenant = await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    for enrolled in (
        person(scheme, "Mamadou", "Ndiaye"),
        person(scheme, "Mamadou", "Ndiaye", beneficiaries=(child("Binta", date(2015, 2, 2)),)),
    ):
        await enrol(ctx, enrolled, today=date(2025, 1, 6))
    token = await token_for(client, tenant, Role.MANAGER)
    async with tenant_tx(ctx) as tx:
        (pair,) = await duplicate_service.pending_pairs(tx, ctx, after=None, limit=10)
    decision = {
        "id": to_base64("DuplicatePair", pair.id),
        "decision": "DUPLICATE",
        "keep": to_base64("Member", pair.first_member_id),
    }
    merged = await graphql(client, RESOLVE, token=token, input=decision)
    assert merged["data"]["duplicateResolve"] == {"__typename": "DuplicatePair"}, merged
    assert await _member_counts(client, token) == [_counts(tenant.slug, {"ARTISAN": (1, 0, 0, 1)}, 1)]
    await _assert_exact(owner, tenant.id)


async def test_a_bulk_import_is_counted(client: httpx.AsyncClient, owner: asyncpg.Connection) -> None:
    tenant, _, scheme = await importing_tenant()
    token = await token_for(client, tenant, Role.MANAGER)
    job = await import_file(client, token, csv_bytes(HEADER, example_rows(scheme.code)))
    assert job["rowsImported"] == 4
    assert await _member_counts(client, token) == [
        _counts(tenant.slug, {"ARTISAN": (1, 0, 0, 0), "SALARIED": (1, 0, 0, 0)}, 2)
    ]
    await _assert_exact(owner, tenant.id)


async def test_concurrent_enrolments_in_one_tenant_and_across_two(
    client: httpx.AsyncClient, owner: asyncpg.Connection
) -> None:
    tenants = [await make_tenant() for _ in range(3)]
    schemes = [to_base64("Scheme", (await make_scheme(await context(tenant))).id) for tenant in tenants]
    tokens = [await token_for(client, tenant, Role.MANAGER) for tenant in tenants]

    async def enrol_at_once(targets: list[int]) -> list[str]:
        answers = await asyncio.gather(
            *(
                graphql(client, ENROL, token=tokens[t], input=artisan_input(schemes[t], beneficiaries=[KID]))
                for t in targets
            )
        )
        return [answer["data"]["memberEnrol"]["__typename"] for answer in answers]

    assert await enrol_at_once([0] * 20) == ["MemberEnrolment"] * 20
    assert await enrol_at_once([1, 2] * 10) == ["MemberEnrolment"] * 20
    for tenant, members in zip(tenants, (20, 10, 10), strict=True):
        await _assert_exact(owner, tenant.id)
        assert await _tallies_are_counts(owner, tenant.id) == (
            [("pending", "artisan", members)],
            members,
            [("pending", "artisan", members)],
            members,
        )


async def test_each_tenant_sees_its_own_and_a_ministry_its_countrys_recorded_once(
    client: httpx.AsyncClient, owner: asyncpg.Connection
) -> None:
    country = fresh_country()
    ministry = await make_tenant(kind=TenantKind.MINISTRY, country=country)
    thies = await make_tenant(country=country, name="Mutuelle de Thiès")
    dakar = await make_tenant(country=country, name="Mutuelle de Dakar")
    ipm = await make_tenant(kind=TenantKind.IPM, country=country, name="IPM du Cap-Vert")
    elsewhere = await make_tenant(country=fresh_country())
    for tenant, members in ((dakar, 2), (thies, 1), (elsewhere, 1)):
        ctx = await context(tenant)
        scheme = await make_scheme(ctx)
        for _ in range(members):
            await enrol(ctx, artisan(scheme, beneficiaries=(child("Binta", date(2015, 2, 2)),)))

    dakar_view = await _member_counts(client, await token_for(client, dakar, Role.MANAGER))
    ministry_view = await _member_counts(client, await token_for(client, ministry, Role.OVERSIGHT_OFFICER))
    assert dakar_view == [_counts(dakar.slug, {"ARTISAN": (2, 0, 0, 0)}, 2)]
    assert ministry_view == [
        _counts(ipm.slug, {}, 0),
        _counts(dakar.slug, {"ARTISAN": (2, 0, 0, 0)}, 2),
        _counts(thies.slug, {"ARTISAN": (1, 0, 0, 0)}, 1),
    ]
    events = await owner.fetch(
        "SELECT action, target_type, target_id FROM audit_events WHERE tenant_id = $1 AND action LIKE 'oversight.%'",
        ministry.id,
    )
    assert [tuple(event) for event in events] == [("oversight.member_counts_read", "country", country)]
    other_ministry = await make_tenant(kind=TenantKind.MINISTRY, country=fresh_country())
    assert await _member_counts(client, await token_for(client, other_ministry, Role.MINISTRY_ADMIN)) == []


async def test_row_level_security_alone_hides_and_guards_another_tenants_tallies(owner: asyncpg.Connection) -> None:
    """Raw SQL without a tenant filter: another tenant, or another country's
    ministry, reads no tally; the tenant's ministry reads its two rows and
    changes none; nobody deletes one."""
    country = fresh_country()
    tenant = await make_tenant(country=country)
    ctx = await context(tenant)
    await enrol(ctx, artisan(await make_scheme(ctx), beneficiaries=(child("Binta", date(2015, 2, 2)),)))
    other = await context(await make_tenant(country=country))
    ministry = await context(await make_tenant(kind=TenantKind.MINISTRY, country=country))
    foreign = await context(await make_tenant(kind=TenantKind.MINISTRY, country=fresh_country()))
    seen = []
    for reader in (other, foreign, ministry):
        async with tenant_tx(reader) as tx:
            rows = await tx.connection.fetchval("SELECT count(*) FROM member_tallies")
            changed = await tx.connection.execute("UPDATE member_tallies SET member_count = member_count + 1")
        seen.append((rows, changed))
    assert seen == [(0, "UPDATE 0"), (0, "UPDATE 0"), (2, "UPDATE 0")]
    insert = (
        "INSERT INTO member_tallies (id, tenant_id, status, category, member_count, beneficiary_count)"
        " VALUES (gen_random_uuid(), $1, 'active', 'artisan', 1, 0)"
    )
    for writer, statement in (
        (other, insert),
        (ministry, insert),
        (ctx, "DELETE FROM member_tallies WHERE tenant_id = $1"),
    ):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with tenant_tx(writer) as tx:
                await tx.connection.execute(statement, tenant.id)
    # Its own tallies change with its members: a write of its own without an
    # audit event is refused at commit.
    with pytest.raises(asyncpg.IntegrityConstraintViolationError):
        async with tenant_tx(ctx) as tx:
            await tx.connection.execute(
                "UPDATE member_tallies SET member_count = member_count + 1 WHERE tenant_id = $1", tenant.id
            )
    await _assert_exact(owner, tenant.id)
    assert await _tallies_are_counts(owner, tenant.id) == (
        [("pending", "artisan", 1)],
        1,
        [("pending", "artisan", 1)],
        1,
    )


async def test_the_tallies_follow_statements_notexample_rows(owner: asyncpg.Connection) -> None:
    """Statement triggers with transition tables: a batch of 100 members is one
    addition to the tallies, not 100; PostgreSQL allows one event per trigger
    that keeps transition tables."""
    rows = await owner.fetch(
        "SELECT tgrelid::regclass::text AS table_name, tgname, (tgtype & 1) = 1 AS per_row, tgoldtable, tgnewtable"
        " FROM pg_trigger WHERE tgname LIKE '%\\_tally\\_%' ORDER BY tgname"
    )
    assert [tuple(row) for row in rows] == [
        (table, f"{table}_tally_{event}", False, old, new)
        for table in ("beneficiaries", "members")
        for event, old, new in (
            ("delete", "old_rows", None),
            ("insert", None, "new_rows"),
            ("update", "old_rows", "new_rows"),
        )
    ]


def _allowed(permissions: frozenset[Permission]) -> str:
    return "allowed" if Permission.MEMBERS_READ in permissions else "FORBIDDEN"


async def _answer(client: httpx.AsyncClient, token: str) -> str:
    body = await graphql(client, COUNTS, token=token)
    if "errors" in body:
        assert [error["extensions"] for error in body["errors"]] == [{"code": "FORBIDDEN"}], body
        return "FORBIDDEN"
    return "allowed"


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        (kind, role)
        for kind in (TenantKind.MUTUAL, TenantKind.MINISTRY)
        for role in Role
        if role_fits_tenant(role, kind)
    ],
    ids=str,
)
async def test_role_matrix(client: httpx.AsyncClient, kind: TenantKind, role: Role) -> None:
    tenant = await make_tenant(kind=kind, country=fresh_country())
    assert await _answer(client, await token_for(client, tenant, role)) == _allowed(permissions_of(role))


@pytest.mark.parametrize("scopes", [["members:read"], ["members:write"], ["enrolment:write", "schemes:read"]], ids=str)
async def test_partner_scopes(client: httpx.AsyncClient, scopes: list[str]) -> None:
    tenant = await make_tenant()
    granted = {Permission(scope) for scope in scopes}
    if Permission.MEMBERS_WRITE in granted:
        granted.add(Permission.MEMBERS_READ)
    assert await _answer(client, await partner_token(client, tenant, scopes)) == _allowed(frozenset(granted))


async def _statements_for(client: httpx.AsyncClient, statements: StatementCounter, tenants: int) -> int:
    country = fresh_country()
    ministry = await make_tenant(kind=TenantKind.MINISTRY, country=country)
    for _ in range(tenants):
        ctx = await context(await make_tenant(country=country))
        await enrol(ctx, artisan(await make_scheme(ctx)))
    token = await token_for(client, ministry, Role.OVERSIGHT_OFFICER)
    statements.statements.clear()
    assert len(await _member_counts(client, token)) == tenants
    return len(statements.of_application())


async def test_the_same_statements_for_1_tenant_as_for_20(
    quiet_client: httpx.AsyncClient, statements: StatementCounter
) -> None:
    # One transaction: BEGIN with the caller's settings, the token's check, the
    # ministry's settings, the counts, the oversight event (lock, chain's end,
    # insert), the tenants' loader, COMMIT.
    assert (
        await _statements_for(quiet_client, statements, 1),
        await _statements_for(quiet_client, statements, 20),
    ) == (9, 9)
