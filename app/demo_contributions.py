"""The demo's contributions: the periods under way called in every demo
tenant, members' rights applied as the daily jobs do, the demo member's
dues called so far paid in cash at the counter, and the IPM's employers'
salaries of last month declared and paid by bank transfer. Running it again
changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from schemes.contributions import declarations, payments, reads
from schemes.contributions.declarations import DeclaredSalary, NewDeclaration
from schemes.contributions.errors import NoRuleInForce
from schemes.contributions.ledger import PayerKey
from schemes.contributions.periods import period_of
from schemes.contributions.tables import Channel, Payment
from schemes.employers.tables import Employer
from schemes.members.tables import Employment, Member, MemberStatus
from schemes.rules.model import Payer, Period
from schemes.rules.tables import Scheme
from tenants.context import TenantContext
from tenants.registry.tables import Tenant
from tenants.scoping import within
from tenants.tx import tenant_tx
from workers import contributions as daily


async def load_demo_contributions(tenants: list[Tenant], member_ctx: TenantContext, phone: str | None) -> None:
    """Call the due periods of ``tenants``; record the counter payment of the member with ``phone``."""
    for tenant in tenants:
        await daily.call_tenant(tenant.id)
        await daily.apply_rights_tenant(tenant.id)
    if phone is None:
        return
    async with tenant_tx(member_ctx) as tx:
        member = await within(member_ctx, Member).objects().where(Member.phone == phone).first()
        if member is None:
            return
        owed = (await reads.payer_statement(tx, member_ctx, PayerKey(Payer.MEMBER, member.id))).outstanding
        if owed <= 0 or await within(member_ctx, Payment).exists().where(Payment.member_id == member.id):
            return
        data = payments.NewPayment(
            member_id=member.id,
            amount=owed,
            currency=member_ctx.currency,
            channel=Channel.CASH,
            idempotency_key=f"demo-counter-{member.id}",
            note="Cotisations dues, payées au guichet",
        )
        await payments.record_payment(tx, member_ctx, data, datetime.now(UTC))


async def declare_demo_salaries(ctx: TenantContext, today: date) -> None:
    """Declare last month's salaries of each employer of ``ctx``'s tenant, as
    their employments record them, under each scheme with employees, unless
    the month is declared already; and pay each declaration by bank transfer."""
    month = period_of(Period.MONTHLY, period_of(Period.MONTHLY, today).start - timedelta(days=1))
    now = datetime.now(UTC)
    async with tenant_tx(ctx) as tx:
        employers = await within(ctx, Employer).objects()
        schemes = await within(ctx, Scheme).objects()
        for employer, scheme in ((employer, scheme) for employer in employers for scheme in schemes):
            jobs = (
                await within(ctx, Employment)
                .objects()
                .where(
                    (Employment.employer_id == employer.id)
                    & Employment.salary.is_not_null()
                    & (Employment.started_on.is_null() | (Employment.started_on <= month.end))
                    & (Employment.ended_on.is_null() | (Employment.ended_on >= month.start))
                )
            )
            staff = {
                row.id
                for row in await within(ctx, Member).among(Member.id, [job.member_id for job in jobs])
                if row.scheme_id == scheme.id and row.status != MemberStatus.TERMINATED.value
            }
            lines = [
                DeclaredSalary(job.salary, staff_number=job.staff_number) for job in jobs if job.member_id in staff
            ]
            # A period declared already (by the demo before, or by hand) is left as it is.
            if not lines or await declarations.in_force(ctx, employer.id, scheme.id, month.start):
                continue
            data = NewDeclaration(
                employer_id=employer.id,
                scheme_id=scheme.id,
                period=month.label,
                lines=lines,
                idempotency_key=f"demo-declaration-{employer.id}-{scheme.id}-{month.label}",
            )
            try:
                filed = await declarations.file_declaration(tx, ctx, data, now)
            except NoRuleInForce:
                continue
            declaration = filed.declaration
            transfer = payments.NewPayment(
                member_id=None,
                employer_id=employer.id,
                amount=declaration.amount,
                currency=ctx.currency,
                channel=Channel.BANK_TRANSFER,
                reference=f"VIR-{declaration.period}-{str(declaration.id)[-6:].upper()}",
                idempotency_key=f"demo-transfer-{declaration.id}",
                note=f"Cotisations de {declaration.period}, virement de l'employeur",
            )
            await payments.record_payment(tx, ctx, transfer, now)
