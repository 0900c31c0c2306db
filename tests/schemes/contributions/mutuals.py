"""A CMU mutual whose members the State subsidises, called for the year under way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from schemes.contributions import subsidies
from schemes.contributions.periods import ContributionPeriod
from schemes.contributions.tables import SubsidyStatement
from schemes.rules.model import Period, SubsidyGroup
from schemes.rules.tables import Scheme
from tenants.context import TenantContext
from tenants.registry.tables import Tenant
from tenants.tx import tenant_tx
from tests.factories import context, make_tenant
from tests.schemes.contributions.ledger_check import call_year
from tests.schemes.members.factories import artisan, child, enrol, make_scheme, spouse, unique_phone

YEAR = ContributionPeriod(date(datetime.now(UTC).year, 1, 1), Period.YEARLY)
STATE_OWES = 28_000
"""What the State owes :func:`cmu_mutual`'s households for the year: 3 500 + 10 500 + 14 000."""


@dataclass(frozen=True)
class Mutual:
    tenant: Tenant
    ctx: TenantContext
    scheme: Scheme


async def cmu_mutual(country: str, name: str) -> Mutual:
    """A CMU mutual of ``country`` with three households called for the year
    under way: an artisan alone (3 500 F of the State's), a household of
    three (10 500 F) and a cash-transfer household of two (14 000 F, the
    State paying the whole)."""
    tenant = await make_tenant(country=country, name=name)
    ctx = await context(tenant)
    scheme = await make_scheme(ctx)
    first_day = YEAR.start + timedelta(days=14)
    for household in (
        artisan(scheme, phone=unique_phone()),
        artisan(scheme, phone=unique_phone(), beneficiaries=(spouse("Awa"), child("Fatou", date(2015, 3, 2)))),
        artisan(
            scheme,
            phone=unique_phone(),
            subsidy_group=SubsidyGroup.CASH_TRANSFER,
            beneficiaries=(spouse("Coumba"),),
        ),
    ):
        await enrol(ctx, household, today=first_day)
    await call_year(ctx, scheme.id, YEAR)
    return Mutual(tenant, ctx, scheme)


async def drawn_statement(mutual: Mutual) -> SubsidyStatement:
    """The year's statement of the mutual, drawn up as its manager would."""
    async with tenant_tx(mutual.ctx) as tx:
        drawn = await subsidies.draw_statement(tx, mutual.ctx, mutual.scheme.id, YEAR, None, datetime.now(UTC))
    return drawn.statement
