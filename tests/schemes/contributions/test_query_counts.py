"""A page of calls and a page of payments, with their members, allocations,
the calls settled, the reversals and the receipts, cost the same statements
for 1 member as for 30; a page of declarations with their employer, scheme,
call, corrections and lines the same for 1 month as for 12; a ministry's
subsidy statements with their tenant and payments the same for 1 tenant as
for 4 (DataLoaders)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from schemes.contributions import declarations, payments, subsidies
from schemes.contributions.declarations import DeclaredSalary, NewDeclaration
from schemes.contributions.periods import period_of
from schemes.contributions.tables import Channel
from schemes.members import enrolment
from schemes.members.tables import Member
from schemes.rules.model import Period
from tenants.roles import Role, TenantKind
from tenants.tx import tenant_tx
from tests.conftest import StatementCounter
from tests.factories import context, fresh_country, make_tenant
from tests.graphql_client import graphql, token_for
from tests.jobs import jobs_done
from tests.schemes.contributions.companies import SALARIES, make_company
from tests.schemes.contributions.ledger_check import YEAR_2026, call_year
from tests.schemes.contributions.mutuals import cmu_mutual, drawn_statement
from tests.schemes.members.factories import artisan, make_scheme, unique_phone

pytestmark = pytest.mark.usefixtures("migrated")

PAGES = """
{
  contributionCalls(first: 100) {
    totalCount
    edges { node { period kind payer remaining member { number scheme { code } } } }
  }
  payments(first: 100) {
    totalCount
    edges { node {
      receiptNumber amount receiptUrl member { number }
      allocations { amount call { kind remaining member { number } } }
      reverses { receiptNumber } reversedBy { receiptNumber }
    } }
  }
}
"""


async def _count(client: httpx.AsyncClient, statements: StatementCounter, members: int) -> int:
    """Statements of the pages for a tenant of ``members`` artisans, each
    called for 2026 and having paid 3,000 francs, every other payment reversed."""
    tenant = await make_tenant()
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    batch = [artisan(scheme, phone=unique_phone()) for _ in range(members)]
    async with tenant_tx(ctx) as tx:
        outcomes = await enrolment.enrol_many(tx, ctx, batch, YEAR_2026.start)
    enrolled: list[Member] = [outcome.member for outcome in outcomes if outcome.member is not None]
    await call_year(ctx, scheme.id)
    received = datetime(2026, 2, 2, 9, tzinfo=UTC)
    async with tenant_tx(ctx) as tx:
        for index, member in enumerate(enrolled):
            paid = await payments.record_payment(
                tx,
                ctx,
                payments.NewPayment(
                    member_id=member.id,
                    amount=3_000,
                    currency="XOF",
                    channel=Channel.CASH,
                    idempotency_key=str(uuid.uuid4()),
                    received_at=received,
                ),
                received + timedelta(days=1),
            )
            if index % 2 == 0:
                await payments.reverse_payment(
                    tx, ctx, paid.payment.id, "Erreur de saisie", str(uuid.uuid4()), received + timedelta(days=1)
                )
    token = await token_for(client, tenant, Role.MANAGER)
    await jobs_done()  # the receipts' jobs, whose statements are not the pages'
    statements.statements.clear()
    body = await graphql(client, PAGES, token=token)
    assert "errors" not in body, body
    calls, paid = body["data"]["contributionCalls"], body["data"]["payments"]
    # A fee and a share called from each member, and the State's half of the share.
    assert calls["totalCount"] == 3 * members
    assert paid["totalCount"] == members + (members + 1) // 2
    numbers = {node["member"]["number"] for node in (edge["node"] for edge in paid["edges"])}
    assert numbers == {member.number for member in enrolled}
    return len(statements.of_application())


async def test_same_statements_for_1_and_30_members(
    quiet_client: httpx.AsyncClient, statements: StatementCounter
) -> None:
    one = await _count(quiet_client, statements, 1)
    thirty = await _count(quiet_client, statements, 30)
    assert (one, thirty) == (one, one)
    # One transaction: BEGIN with the caller's settings, the token's check,
    # the tenant's settings, each page and its count (4), then one batch per
    # loader: members (both pages' at once), allocations, payments reversed,
    # reversals, receipts, schemes, the calls settled, the reversals' payments; COMMIT.
    assert one == 16


DECLARATIONS = """
{
  employerDeclarations(first: 100) {
    totalCount
    edges { node {
      period inForce employer { name } scheme { code } call { remaining } replaces { version } replacedBy { version }
      lines(first: 2) { totalCount edges { node { line member { number } } } pageInfo { hasNextPage } }
    } }
  }
}
"""


async def _declarations_count(client: httpx.AsyncClient, statements: StatementCounter, months: int) -> int:
    """Statements of the declarations' page for a company that declared ``months`` months, the last one corrected."""
    company = await make_company()
    today = date.today()
    month = period_of(Period.MONTHLY, period_of(Period.MONTHLY, today).start - timedelta(days=1))
    filed = None
    lines = [DeclaredSalary(salary, staff_number=number) for number, *_, salary in SALARIES]
    for _ in range(months):
        async with tenant_tx(company.ctx) as tx:
            data = NewDeclaration(company.employer.id, company.scheme.id, month.label, lines, str(uuid.uuid4()))
            filed = await declarations.file_declaration(tx, company.ctx, data, datetime.now(UTC))
        month = period_of(Period.MONTHLY, month.start - timedelta(days=1))
    assert filed is not None
    async with tenant_tx(company.ctx) as tx:
        correction = NewDeclaration(
            company.employer.id,
            company.scheme.id,
            filed.declaration.period,
            lines,
            str(uuid.uuid4()),
            filed.declaration.id,
        )
        await declarations.file_declaration(tx, company.ctx, correction, datetime.now(UTC))
    token = await token_for(client, company.tenant, Role.MANAGER)
    statements.statements.clear()
    body = await graphql(client, DECLARATIONS, token=token)
    assert "errors" not in body, body
    listed = body["data"]["employerDeclarations"]
    assert listed["totalCount"] == months + 1
    assert {edge["node"]["lines"]["totalCount"] for edge in listed["edges"]} == {3}
    return len(statements.of_application())


async def test_declarations_cost_the_same_for_1_and_12_months(
    quiet_client: httpx.AsyncClient, statements: StatementCounter
) -> None:
    one = await _declarations_count(quiet_client, statements, 1)
    twelve = await _declarations_count(quiet_client, statements, 12)
    assert (one, twelve) == (one, one)


STATEMENTS = """
{
  subsidyStatements(first: 100) {
    totalCount
    edges { node { period amount paid status tenant { slug } payments { amount receiptNumber } } }
  }
}
"""


async def _statements_count(client: httpx.AsyncClient, statements: StatementCounter, tenants: int) -> int:
    """Statements of a ministry's page of subsidy statements for ``tenants`` mutuals, each statement paid once."""
    country = fresh_country()
    ministry = await make_tenant(kind=TenantKind.MINISTRY, country=country)
    drawn = [await drawn_statement(await cmu_mutual(country, f"Mutuelle n° {n + 1}")) for n in range(tenants)]
    minister = await context(ministry, Role.MINISTRY_ADMIN)
    for index, statement in enumerate(drawn):
        paid = subsidies.NewSubsidyPayment(statement.id, 1_000, "XOF", "TRESOR-OV-0001", date.today(), str(index))
        async with tenant_tx(minister) as tx:
            await subsidies.record_subsidy_payment(tx, minister, paid, datetime.now(UTC))
    token = await token_for(client, ministry, Role.OVERSIGHT_OFFICER)
    statements.statements.clear()
    body = await graphql(client, STATEMENTS, token=token)
    assert "errors" not in body, body
    assert body["data"]["subsidyStatements"]["totalCount"] == tenants
    return len(statements.of_application())


async def test_a_ministrys_statements_cost_the_same_for_1_and_4_tenants(
    quiet_client: httpx.AsyncClient, statements: StatementCounter
) -> None:
    one = await _statements_count(quiet_client, statements, 1)
    four = await _statements_count(quiet_client, statements, 4)
    assert (one, four) == (one, one)
