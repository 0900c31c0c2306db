"""The demo's IPM: its company's salaries of last month declared from the
employments' records and paid by bank transfer, once however often the demo loads."""

from __future__ import annotations

from datetime import date, timedelta

import asyncpg
import pytest

from app.demo import load_demo
from schemes.contributions.periods import period_of
from schemes.rules.model import Period
from tests.schemes.contributions.ledger_check import check_ledger

pytestmark = pytest.mark.usefixtures("migrated")


async def test_the_demos_company_declares_and_pays_last_month(owner: asyncpg.Connection) -> None:
    await load_demo()
    await load_demo()
    month = period_of(Period.MONTHLY, period_of(Period.MONTHLY, date.today()).start - timedelta(days=1))
    tenant_id = await owner.fetchval("SELECT id FROM tenants WHERE slug = 'ipm-cap-vert'")
    declared = await owner.fetch(
        "SELECT d.period, d.version, d.employees, d.salaries, d.employer_share, d.employee_share, d.amount"
        " FROM employer_declarations d WHERE d.tenant_id = $1",
        tenant_id,
    )
    # The company's employees at work last month (the demo dates their hiring from the day it loads):
    # 15 % of each one's salary counted up to 250,000 F, whole thousands, so each half is whole.
    salaries = [
        row["salary"]
        for row in await owner.fetch(
            "SELECT salary FROM member_employments WHERE tenant_id = $1 AND started_on <= $2", tenant_id, month.end
        )
    ]
    due = sum(min(salary, 250_000) * 15 // 100 for salary in salaries)
    assert len(salaries) >= 30
    assert [tuple(row) for row in declared] == [(month.label, 1, len(salaries), sum(salaries), due // 2, due // 2, due)]
    paid = await owner.fetch(
        "SELECT channel, amount, provider_reference IS NOT NULL AS referenced FROM payments"
        " WHERE tenant_id = $1 AND payer = 'employer'",
        tenant_id,
    )
    assert [tuple(row) for row in paid] == [("bank_transfer", due, True)]
    assert await check_ledger(owner, tenant_id) == {
        "due": due,
        "paid": due,
        "outstanding": 0,
        "credit": 0,
    }
