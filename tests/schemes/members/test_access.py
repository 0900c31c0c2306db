"""Who may read and change members: the role and scope matrix, another
tenant's members "not found", the ministry reading read-only (each read
recorded), and row-level security alone on every members' table."""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg
import httpx
import pytest
from strawberry.relay import to_base64

from schemes.employers import service as employer_service
from schemes.members import enrolment
from schemes.members.tables import ContractKind
from schemes.rules.model import MemberCategory
from tenants.permissions import Permission, permissions_of
from tenants.roles import Role, TenantKind, role_fits_tenant
from tenants.tx import tenant_tx
from tests.factories import context, fresh_country, make_tenant
from tests.graphql_client import graphql, nodes, token_for
from tests.partner_tokens import partner_token
from tests.schemes.members.factories import ENROL, artisan, artisan_input, child, enrol, make_scheme

pytestmark = pytest.mark.usefixtures("migrated")

MEMBER = "query ($id: ID!) { member(id: $id) { number lastName beneficiaries { firstNames } } }"
NODE = "query ($id: ID!) { node(id: $id) { ... on Member { number } ... on Beneficiary { firstNames } } }"
BY_NUMBER = "query ($number: String!) { memberByNumber(number: $number) { number } }"
MEMBERS = "query ($tenant: ID) { members(tenant: $tenant) { totalCount edges { node { number } } } }"
NUMBERING = "{ membershipNumbering { issued } }"
UPDATE = """mutation ($input: MemberUpdateInput!) { memberUpdate(input: $input) {
  __typename ... on MemberUpdateError { code path } } }"""
STATUS = """mutation ($input: MemberStatusChangeInput!) { memberStatusChange(input: $input) {
  __typename ... on MemberStatusChangeError { code path } } }"""
ADD = """mutation ($input: BeneficiaryAddInput!) { beneficiaryAdd(input: $input) {
  __typename ... on BeneficiaryAddError { code path } } }"""
REMOVE = """mutation ($input: BeneficiaryRemoveInput!) { beneficiaryRemove(input: $input) {
  __typename ... on BeneficiaryRemoveError { code path } } }"""
BATCH = """mutation ($input: MemberEnrolBatchInput!) { memberEnrolBatch(input: $input) {
  __typename ... on MemberEnrolBatchError { code path } } }"""
SET = """mutation ($input: MembershipNumberingInput!) { membershipNumberingSet(input: $input) {
  __typename ... on MembershipNumberingSetError { code path } } }"""

NEWBORN = {
    "relationship": "CHILD",
    "person": {"firstNames": "Néné", "lastName": "Diop", "sex": "FEMALE", "birthDate": "2024-05-05"},
}


@pytest.fixture
async def household() -> dict[str, Any]:
    """A mutual's member with a child, and the ids a caller would use."""
    country = fresh_country()
    tenant = await make_tenant(country=country)
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    async with tenant_tx(ctx) as tx:
        employer = await employer_service.create_employer(
            tx, ctx, employer_service.EmployerData(name="Chantiers du Cap", registration_number="BJ-1")
        )
    member = await enrol(
        ctx, artisan(scheme, beneficiaries=(child("Binta", date(2015, 2, 2)),)), today=date(2024, 3, 1)
    )
    async with tenant_tx(ctx) as tx:
        beneficiary_id = await tx.fetchval(
            "SELECT id FROM beneficiaries WHERE tenant_id = $1 AND member_id = $2", tenant.id, member.id
        )
    return {
        "tenant": tenant,
        "country": country,
        "member": member,
        "id": to_base64("Member", member.id),
        "beneficiary": to_base64("Beneficiary", beneficiary_id),
        "scheme": to_base64("Scheme", scheme.id),
        "employer": to_base64("Employer", employer.id),
        "employer_id": employer.id,
    }


def _operations(h: dict[str, Any]) -> dict[str, tuple[Permission, str, dict[str, Any]]]:
    return {
        "members": (Permission.MEMBERS_READ, MEMBERS, {}),
        "member": (Permission.MEMBERS_READ, MEMBER, {"id": h["id"]}),
        "memberByNumber": (Permission.MEMBERS_READ, BY_NUMBER, {"number": h["member"].number}),
        "membershipNumbering": (Permission.TENANT_MANAGE, NUMBERING, {}),
        "memberEnrol": (Permission.ENROLMENT_WRITE, ENROL, {"input": artisan_input(h["scheme"])}),
        "memberEnrolBatch": (
            Permission.ENROLMENT_WRITE,
            BATCH,
            {"input": {"enrolments": [artisan_input(h["scheme"], idempotencyKey="tablette-01:0001")]}},
        ),
        "memberUpdate": (Permission.MEMBERS_WRITE, UPDATE, {"input": {"id": h["id"], "phone": "+221 70 000 00 00"}}),
        "memberStatusChange": (Permission.MEMBERS_WRITE, STATUS, {"input": {"id": h["id"], "status": "ACTIVE"}}),
        "beneficiaryAdd": (Permission.ENROLMENT_WRITE, ADD, {"input": {"member": h["id"], "beneficiary": NEWBORN}}),
        "beneficiaryRemove": (
            Permission.MEMBERS_WRITE,
            REMOVE,
            {"input": {"id": h["beneficiary"], "removedOn": "2024-03-01"}},
        ),
        "membershipNumberingSet": (
            Permission.TENANT_MANAGE,
            SET,
            {"input": {"prefix": "", "width": 6, "checkDigit": "LUHN"}},
        ),
    }


async def _matrix(client: httpx.AsyncClient, token: str, h: dict[str, Any], granted: frozenset[Permission]) -> None:
    answers = {}
    for name, (_, query, variables) in _operations(h).items():
        body = await graphql(client, query, token=token, **variables)
        refusals = [error["extensions"] for error in body.get("errors", [])]
        assert refusals in ([], [{"code": "FORBIDDEN"}]), body
        answers[name] = "FORBIDDEN" if refusals else "allowed"
    expected = {name: "allowed" if p in granted else "FORBIDDEN" for name, (p, _, _) in _operations(h).items()}
    assert answers == expected


@pytest.mark.parametrize("role", [role for role in Role if role_fits_tenant(role, TenantKind.MUTUAL)])
async def test_role_matrix(client: httpx.AsyncClient, household: dict[str, Any], role: Role) -> None:
    token = await token_for(client, household["tenant"], role)
    await _matrix(client, token, household, permissions_of(role))


@pytest.mark.parametrize(
    "scopes", [["members:read"], ["members:write"], ["enrolment:write"], ["schemes:read", "claims:read"]], ids=str
)
async def test_partner_scopes(client: httpx.AsyncClient, household: dict[str, Any], scopes: list[str]) -> None:
    token = await partner_token(client, household["tenant"], scopes)
    granted = {Permission(scope) for scope in scopes}
    if Permission.MEMBERS_WRITE in granted:
        granted.add(Permission.MEMBERS_READ)
    await _matrix(client, token, household, frozenset(granted))


async def test_another_tenants_member_is_not_found_and_not_changed(
    client: httpx.AsyncClient, household: dict[str, Any], owner: asyncpg.Connection
) -> None:
    other = await make_tenant(country=household["country"])
    token = await token_for(client, other, Role.MANAGER)
    h = household
    reads = [
        (await graphql(client, MEMBER, token=token, id=h["id"]))["data"],
        (await graphql(client, NODE, token=token, id=h["id"]))["data"],
        (await graphql(client, NODE, token=token, id=h["beneficiary"]))["data"],
        (await graphql(client, BY_NUMBER, token=token, number=h["member"].number))["data"],
        (await graphql(client, MEMBERS, token=token))["data"],
        (await graphql(client, MEMBERS, token=token, tenant=to_base64("Tenant", h["tenant"].id)))["data"],
    ]
    assert reads == [
        {"member": None},
        {"node": None},
        {"node": None},
        {"memberByNumber": None},
        {"members": {"totalCount": 0, "edges": []}},
        {"members": {"totalCount": 0, "edges": []}},
    ]
    operations = _operations(h)
    writes = {
        name: (await graphql(client, operations[name][1], token=token, **operations[name][2]))["data"][name]
        for name in ("memberUpdate", "memberStatusChange", "beneficiaryAdd", "beneficiaryRemove")
    }
    assert writes == {
        "memberUpdate": {"__typename": "MemberUpdateError", "code": "MEMBER_NOT_FOUND", "path": ["input", "id"]},
        "memberStatusChange": {
            "__typename": "MemberStatusChangeError",
            "code": "MEMBER_NOT_FOUND",
            "path": ["input", "id"],
        },
        "beneficiaryAdd": {
            "__typename": "BeneficiaryAddError",
            "code": "MEMBER_NOT_FOUND",
            "path": ["input", "member"],
        },
        "beneficiaryRemove": {
            "__typename": "BeneficiaryRemoveError",
            "code": "BENEFICIARY_NOT_FOUND",
            "path": ["input", "id"],
        },
    }
    salaried = artisan_input(
        h["scheme"],
        category="SALARIED",
        artisan=None,
        employments=[{"employer": h["employer"], "contractKind": "PERMANENT", "staffNumber": "1", "salary": 1}],
    )
    enrolled = (await graphql(client, ENROL, token=token, input=salaried))["data"]["memberEnrol"]
    assert (enrolled["code"], enrolled["path"]) == ("SCHEME_NOT_FOUND", ["input", "scheme"])
    ctx = await context(other)
    person = artisan(await make_scheme(ctx)).person
    wanted = enrolment.Enrolment(
        scheme_id=h["member"].scheme_id,
        category=MemberCategory.SALARIED,
        person=person,
        jobs=(enrolment.Job(employer_id=h["employer_id"], contract_kind=ContractKind.PERMANENT),),
    )
    async with tenant_tx(ctx) as tx:
        facts = await enrolment.facts_for(tx, ctx, [wanted])
    assert (facts.schemes, facts.employers) == ({}, set())
    row = await owner.fetchrow(
        "SELECT status, phone, (SELECT count(*) FROM beneficiaries WHERE member_id = $1 AND removed_on IS NULL) AS kids"
        " FROM members WHERE id = $1",
        h["member"].id,
    )
    assert tuple(row) == ("pending", "+221771234567", 1)


async def test_the_ministry_reads_its_tenants_members_and_each_read_is_recorded(
    client: httpx.AsyncClient, household: dict[str, Any], owner: asyncpg.Connection
) -> None:
    ministry = await make_tenant(kind=TenantKind.MINISTRY, country=household["country"])
    token = await token_for(client, ministry, Role.OVERSIGHT_OFFICER)
    tenant_id = to_base64("Tenant", household["tenant"].id)
    listed = await graphql(client, MEMBERS, token=token, tenant=tenant_id)
    read = await graphql(client, MEMBER, token=token, id=household["id"])
    assert nodes(listed["data"]["members"]) == [{"number": household["member"].number}]
    assert read["data"]["member"] == {
        "number": household["member"].number,
        "lastName": "Diop",
        "beneficiaries": [{"firstNames": "Binta"}],
    }
    events = await owner.fetch(
        "SELECT action, target_id FROM audit_events WHERE tenant_id = $1 AND action LIKE 'oversight.%' ORDER BY seq",
        ministry.id,
    )
    assert [tuple(e) for e in events] == [("oversight.members_read", str(household["tenant"].id))] * 2
    change = await graphql(client, STATUS, token=token, input={"id": household["id"], "status": "ACTIVE"})
    assert change["errors"][0]["extensions"] == {"code": "FORBIDDEN"}
    elsewhere = await make_tenant(kind=TenantKind.MINISTRY, country=fresh_country())
    other_token = await token_for(client, elsewhere, Role.OVERSIGHT_OFFICER)
    assert (await graphql(client, MEMBER, token=other_token, id=household["id"]))["data"] == {"member": None}


TABLES = ["members", "beneficiaries", "identity_documents", "member_status_changes", "membership_numberings"]


async def test_row_level_security_alone(household: dict[str, Any], owner: asyncpg.Connection) -> None:
    """Raw SQL without any tenant filter: another tenant's rows of every
    members' table stay invisible and unwritable."""
    h = household
    ctx = await context(h["tenant"])
    scheme = await make_scheme(ctx)
    async with tenant_tx(ctx) as tx:
        employer = await employer_service.create_employer(
            tx, ctx, employer_service.EmployerData(name="Sonatel", registration_number="BJ-2")
        )
    await enrol(
        ctx,
        artisan(
            scheme,
            category=MemberCategory.SALARIED,
            artisan=None,
            jobs=(
                enrolment.Job(
                    employer_id=employer.id, contract_kind=ContractKind.PERMANENT, staff_number="9", salary=90_000
                ),
            ),
        ),
    )
    other = await context(await make_tenant(country=h["country"]))
    tables = [*TABLES, "member_employments"]
    async with tenant_tx(other) as tx:
        seen = [await tx.connection.fetchval(f"SELECT count(*) FROM {table}") for table in tables]
        changed = [
            await tx.connection.execute(
                f"UPDATE {table} SET tenant_id = tenant_id WHERE tenant_id = $1", h["tenant"].id
            )
            for table in tables
        ]
        removed = await tx.connection.execute("DELETE FROM members WHERE tenant_id = $1", h["tenant"].id)
    assert (seen, changed, removed) == ([0] * 6, ["UPDATE 0"] * 6, "DELETE 0")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with tenant_tx(other) as tx:
            await tx.connection.execute(
                "INSERT INTO member_status_changes (id, tenant_id, member_id, to_status, effective_on, changed_by_kind,"
                " changed_by_name, created_at) VALUES (gen_random_uuid(), $1, $2, 'active', now(), 'user', 'x', now())",
                h["tenant"].id,
                h["member"].id,
            )
    counts = [
        await owner.fetchval(f"SELECT count(*) FROM {table} WHERE tenant_id = $1", h["tenant"].id) for table in tables
    ]
    assert counts == [2, 1, 2, 2, 1, 1]
