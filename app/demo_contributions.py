"""The demo's contributions: the periods under way called in every demo
tenant, members' rights applied as the daily jobs do, and the demo member's
registration fee and first share paid in cash at the counter. Running it
again changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from schemes.contributions import payments
from schemes.contributions.tables import Channel
from schemes.members.tables import Member
from tenants.context import TenantContext
from tenants.registry.tables import Tenant
from tenants.scoping import within
from tenants.tx import tenant_tx
from workers import contributions as daily

COUNTER_PAYMENT = 2_000 + 3_500
"""The artisans' mutual's registration fee and a person's yearly share (FCFA)."""


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
        data = payments.NewPayment(
            member_id=member.id,
            amount=COUNTER_PAYMENT,
            currency=member_ctx.currency,
            channel=Channel.CASH,
            idempotency_key=f"demo-counter-{member.id}",
            note="Adhésion et première cotisation, payées au guichet",
        )
        await payments.record_payment(tx, member_ctx, data, datetime.now(UTC))
