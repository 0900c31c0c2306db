"""An IPM's employees' rights follow their employer's declarations: two
months the employer left unpaid past the IPM's 15 days of grace (counted
from the day after each month, when its salaries are paid) suspend the
employees they name (not the one they leave out), the employer's payment
reinstates them by a job moments after, and each one's account says so."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

import asyncpg
import httpx
import pytest

from schemes.contributions import declarations, enforcement
from schemes.contributions.periods import ContributionPeriod, period_of
from schemes.members import lifecycle
from schemes.members.tables import MemberStatus
from schemes.rules.model import Period
from tenants.roles import Role
from tenants.tx import tenant_tx
from tests.graphql_client import graphql, token_for
from tests.jobs import jobs_done
from tests.schemes.contributions.companies import SALARIES, Company, make_company
from tests.schemes.contributions.ledger_check import check_ledger, gid

pytestmark = pytest.mark.usefixtures("migrated")

LAST_MONTH = period_of(Period.MONTHLY, period_of(Period.MONTHLY, date.today()).start - timedelta(days=1))
TWO_MONTHS_AGO = period_of(Period.MONTHLY, LAST_MONTH.start - timedelta(days=1))
THREE_MONTHS_AGO = period_of(Period.MONTHLY, TWO_MONTHS_AGO.start - timedelta(days=1))
"""A month's contributions are due the day after it ends: those of two and three months ago are past
the IPM's 15 days of grace whatever today is, last month's may not be yet."""
MONTHLY_CALL = 13_501 + 13_500 + 37_500
"""Awa Ndiaye's 27 001 and Ibrahima Fall's 37 500 (at the ceiling) a month."""

STATEMENT = "query ($member: ID!) { memberStatement(member: $member) { rights outstanding } }"
RECORD = """
mutation ($input: PaymentRecordInput!) {
  paymentRecord(input: $input) { __typename ... on PaymentRecordError { code path } }
}
"""


async def _declare_two_of_three(company: Company, month: ContributionPeriod) -> None:
    """The month's declaration of Awa Ndiaye and Ibrahima Fall; Khady Sarr is left out."""
    lines = [declarations.DeclaredSalary(salary=salary, staff_number=number) for number, *_, salary in SALARIES[:2]]
    data = declarations.NewDeclaration(
        employer_id=company.employer.id,
        scheme_id=company.scheme.id,
        period=month.label,
        lines=lines,
        idempotency_key=str(uuid.uuid4()),
    )
    async with tenant_tx(company.ctx) as tx:
        await declarations.file_declaration(tx, company.ctx, data, datetime.now(UTC))


async def _statuses(owner: asyncpg.Connection, company: Company) -> list[tuple[str, str, str | None]]:
    rows = await owner.fetch(
        "SELECT m.last_name, m.status, (SELECT s.reason FROM member_status_changes s WHERE s.member_id = m.id"
        " ORDER BY s.created_at DESC, s.id DESC LIMIT 1) AS reason FROM members m WHERE m.tenant_id = $1"
        " ORDER BY m.last_name",
        company.tenant.id,
    )
    return [tuple(row) for row in rows]


async def test_an_employers_arrears_suspend_its_employees_and_its_payment_reinstates_them(
    client: httpx.AsyncClient, owner: asyncpg.Connection
) -> None:
    company = await make_company()
    hired = date(2020, 1, 1)
    for member in company.staff:
        async with tenant_tx(company.ctx) as tx:
            change = lifecycle.StatusChange(member.id, MemberStatus.ACTIVE, hired)
            await lifecycle.change_status(tx, company.ctx, change, hired)
    await _declare_two_of_three(company, THREE_MONTHS_AGO)
    await _declare_two_of_three(company, TWO_MONTHS_AGO)

    # Each declaration's job looks at the employees it names; the daily pass then has nothing left to move.
    await jobs_done()
    done = await enforcement.apply_tenant(company.ctx, date.today())
    assert (done.members, done.suspended, done.reinstated) == (3, 0, 0)
    assert await _statuses(owner, company) == [
        ("Fall", "suspended", "unpaid_dues"),
        ("Ndiaye", "suspended", "unpaid_dues"),
        ("Sarr", "active", None),
    ]
    token = await token_for(client, company.tenant, Role.MANAGER)
    awa = gid("Member", company.staff[0].id)
    # Her own account owes nothing: her employer's does.
    assert (await graphql(client, STATEMENT, token=token, member=awa))["data"]["memberStatement"] == {
        "rights": "SUSPENDED",
        "outstanding": 0,
    }

    # The employer pays the older month only: one month unpaid past its grace is not yet two.
    first = {
        "employer": company.employer_id,
        "amount": MONTHLY_CALL,
        "currency": "XOF",
        "channel": "BANK_TRANSFER",
        "reference": "VIR-SDBTP-0001",
        "idempotencyKey": str(uuid.uuid4()),
    }
    answer = await graphql(client, RECORD, token=token, input=first)
    assert answer["data"]["paymentRecord"]["__typename"] == "PaymentRecording"
    await jobs_done()
    assert await _statuses(owner, company) == [
        ("Fall", "active", None),
        ("Ndiaye", "active", None),
        ("Sarr", "active", None),
    ]
    assert (await graphql(client, STATEMENT, token=token, member=awa))["data"]["memberStatement"]["rights"] == (
        "IN_GRACE"
    )
    second = {**first, "reference": "VIR-SDBTP-0002", "idempotencyKey": str(uuid.uuid4())}
    await graphql(client, RECORD, token=token, input=second)
    await jobs_done()
    assert (await graphql(client, STATEMENT, token=token, member=awa))["data"]["memberStatement"]["rights"] == (
        "UP_TO_DATE"
    )
    paid = "query ($e: ID!) { payments(employer: $e) { edges { node { payer employer { name } member { id } } } } }"
    body = await graphql(client, paid, token=token, e=company.employer_id)
    assert "errors" not in body, body
    listed = body["data"]["payments"]["edges"]
    assert [edge["node"] for edge in listed] == [
        {"payer": "EMPLOYER", "employer": {"name": "Société des BTP du Cap-Vert"}, "member": None}
    ] * 2
    ledger = await check_ledger(owner, company.tenant.id)
    assert (ledger["due"], ledger["paid"], ledger["outstanding"]) == (2 * MONTHLY_CALL, 2 * MONTHLY_CALL, 0)


async def test_passes_racing_the_employers_payment_never_leave_an_employee_suspended(
    client: httpx.AsyncClient, owner: asyncpg.Connection
) -> None:
    company = await make_company()
    for member in company.staff:
        async with tenant_tx(company.ctx) as tx:
            change = lifecycle.StatusChange(member.id, MemberStatus.ACTIVE, date(2020, 1, 1))
            await lifecycle.change_status(tx, company.ctx, change, date(2020, 1, 1))
    await _declare_two_of_three(company, THREE_MONTHS_AGO)
    await _declare_two_of_three(company, TWO_MONTHS_AGO)
    await jobs_done()
    assert [status for _, status, _ in await _statuses(owner, company)] == ["suspended", "suspended", "active"]
    token = await token_for(client, company.tenant, Role.MANAGER)
    payment = {
        "employer": company.employer_id,
        "amount": 2 * MONTHLY_CALL,
        "currency": "XOF",
        "channel": "BANK_TRANSFER",
        "reference": "VIR-SDBTP-0003",
        "idempotencyKey": str(uuid.uuid4()),
    }
    passes = [enforcement.apply_tenant(company.ctx, date.today()) for _ in range(5)]
    answer, *_ = await asyncio.gather(graphql(client, RECORD, token=token, input=payment), *passes)
    assert answer["data"]["paymentRecord"]["__typename"] == "PaymentRecording"
    await jobs_done()
    assert [status for _, status, _ in await _statuses(owner, company)] == ["active", "active", "active"]
    assert (await enforcement.apply_tenant(company.ctx, date.today())).suspended == 0
