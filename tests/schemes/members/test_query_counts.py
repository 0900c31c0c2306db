"""A page of members with their households, documents, scheme, employer and
access online costs the same statements for 1 member as for 100 (DataLoaders)."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from app.settings import Settings
from app.storage import make_storage
from schemes.documents import service as document_service
from schemes.documents.tables import DocumentKind
from schemes.employers import service as employer_service
from schemes.members import enrolment
from schemes.members.tables import ContractKind
from schemes.rules.model import MemberCategory
from schemes.rules.tables import Scheme
from tenants.context import TenantContext
from tenants.registry.tables import Tenant
from tenants.roles import Role
from tenants.tx import tenant_tx
from tests.conftest import StatementCounter
from tests.factories import context, make_tenant
from tests.graphql_client import graphql, token_for
from tests.schemes.members.factories import artisan, child, make_scheme, spouse

pytestmark = pytest.mark.usefixtures("migrated")

PAGE = """
query ($on: Date!) {
  members(first: 100) {
    totalCount
    edges { node {
      number scheme { code } documents { number } files { kind status url }
      address { department departmentName }
      employments { salary employer { name } }
      beneficiaries { firstNames documents { number } eligibility(on: $on) { eligible } }
      household(on: $on) { firstNames }
      statusHistory { toStatus }
      onlineAccess
    } }
  }
}
"""


async def _employees(members: int) -> tuple[Tenant, TenantContext, Scheme, list[enrolment.Outcome]]:
    """A tenant whose ``members`` salaried employees of Sonatel each have a spouse and a child."""
    tenant = await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    async with tenant_tx(ctx) as tx:
        employer = await employer_service.create_employer(
            tx, ctx, employer_service.EmployerData(name="Sonatel", registration_number="3067221")
        )
    job = enrolment.Job(employer_id=employer.id, contract_kind=ContractKind.PERMANENT, staff_number="7", salary=400_000)
    batch = [
        artisan(
            scheme,
            category=MemberCategory.SALARIED,
            artisan=None,
            jobs=(job,),
            beneficiaries=(spouse("Aminata"), child("Binta", date(2015, 2, 2))),
        )
        for _ in range(members)
    ]
    async with tenant_tx(ctx) as tx:
        outcomes = await enrolment.enrol_many(tx, ctx, batch, date(2024, 6, 1))
    return tenant, ctx, scheme, outcomes


async def _count(client: httpx.AsyncClient, statements: StatementCounter, members: int) -> int:
    tenant, ctx, _, outcomes = await _employees(members)
    store = make_storage(Settings(storage_url="file:///tmp/socle-query-counts"), "s" * 40)
    async with tenant_tx(ctx) as tx:
        for outcome in outcomes:
            assert outcome.member is not None
            upload = document_service.NewUpload(
                member_id=outcome.member.id, kind=DocumentKind.PHOTO, content_type="image/jpeg", size=5000
            )
            await document_service.start_upload(tx, ctx, store, upload)
    token = await token_for(client, tenant, Role.MANAGER)
    statements.statements.clear()
    body = await graphql(client, PAGE, token=token, on="2024-06-01")
    assert "errors" not in body, body
    found = [(edge["node"]["files"], edge["node"]["address"]) for edge in body["data"]["members"]["edges"]]
    photo = [{"kind": "PHOTO", "status": "PENDING", "url": None}]
    assert found == [(photo, {"department": "SN-DK-03", "departmentName": "Pikine"})] * members
    return len(statements.of_application())


async def test_same_statements_for_1_and_100_members(
    quiet_client: httpx.AsyncClient, statements: StatementCounter
) -> None:
    one = await _count(quiet_client, statements, 1)
    hundred = await _count(quiet_client, statements, 100)
    assert (one, hundred) == (one, one)
    # One transaction for the whole query: BEGIN with the caller's settings,
    # the token's check, the tenant's settings, the page, its count, then one
    # batch per loader (scheme, documents, files, departments, beneficiaries,
    # employments, employers, status history, rule versions in force, access
    # online), the
    # departments' read in the platform's settings and back (two switches),
    # COMMIT.
    assert one == 18


async def _enrolment_statements(statements: StatementCounter, members: int) -> int:
    ctx = await context(await make_tenant())
    scheme = await make_scheme(ctx)
    batch = [
        artisan(scheme, beneficiaries=(spouse("Aminata"), child("Binta", date(2015, 2, 2)))) for _ in range(members)
    ]
    statements.statements.clear()
    async with tenant_tx(ctx) as tx:
        outcomes = await enrolment.enrol_many(tx, ctx, batch, date(2024, 6, 1))
    assert len([outcome for outcome in outcomes if outcome.member]) == members
    return len(statements.of_application())


async def test_enrolling_1_or_100_members_costs_the_same_statements(statements: StatementCounter) -> None:
    """The bulk write, audit events included (one lock, one read, one insert
    for the batch) and the probable duplicates' detection (one statement), so
    that an import's batches and the offline batch cost the same whatever
    their size."""
    one = await _enrolment_statements(statements, 1)
    hundred = await _enrolment_statements(statements, 100)
    assert (one, hundred) == (one, one)
    assert one == 24


DIRECT = """
{ members(first: 10) { edges { node {
  number scheme { code } employments { employer { name } } beneficiaries { firstNames relationship }
} } } }
"""

THROUGH_FRAGMENTS = """
{ members(first: 10) { e: edges { ... on MemberEdge { n: node { ...Household } } } } }
fragment Household on Member {
  number plan: scheme { code } jobs: employments { ... on Employment { employer { name } } }
  beneficiaries { firstNames relationship }
}
"""


async def test_relations_asked_through_fragments_and_aliases_are_loaded_in_bulk(
    quiet_client: httpx.AsyncClient, statements: StatementCounter
) -> None:
    tenant, _, scheme, _ = await _employees(3)
    token = await token_for(quiet_client, tenant, Role.MANAGER)
    statements.statements.clear()
    direct = await graphql(quiet_client, DIRECT, token=token)
    direct_statements = len(statements.of_application())
    statements.statements.clear()
    aliased = await graphql(quiet_client, THROUGH_FRAGMENTS, token=token)
    assert len(statements.of_application()) == direct_statements
    household = [
        {"firstNames": "Aminata", "relationship": "SPOUSE"},
        {"firstNames": "Binta", "relationship": "CHILD"},
    ]
    code = scheme.code
    assert [edge["node"] for edge in direct["data"]["members"]["edges"]] == [
        {
            "number": edge["n"]["number"],
            "scheme": {"code": code},
            "employments": [{"employer": {"name": "Sonatel"}}],
            "beneficiaries": household,
        }
        for edge in aliased["data"]["members"]["e"]
    ]
    assert [edge["n"]["plan"] for edge in aliased["data"]["members"]["e"]] == [{"code": code}] * 3
    # BEGIN with the caller's settings, the token's check, the tenant's
    # settings, the page, then one batch per relation (scheme, beneficiaries,
    # employments, employers), COMMIT.
    assert direct_statements == 9
