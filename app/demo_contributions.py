"""The demo's contributions: the periods under way called in every demo
tenant, members' rights applied as the daily jobs do, and the demo member's
dues called so far paid in cash at the counter. Running it again changes
nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from schemes.contributions import payments, reads
from schemes.contributions.ledger import PayerKey
from schemes.contributions.tables import Channel, Payment
from schemes.members.tables import Member
from schemes.rules.model import Payer
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
