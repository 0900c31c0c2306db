"""Reads of online payments for lists: a member's, the latest first."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from schemes.gateways.tables import Checkout
from tenants.context import TenantContext
from tenants.scoping import within
from tenants.tx import Transaction


async def list_checkouts(
    tx: Transaction, ctx: TenantContext, member_id: UUID, *, after: tuple[datetime, UUID] | None, limit: int
) -> list[Checkout]:
    """Up to ``limit`` online payments of a member, the latest started first, after ``after``."""
    query = within(ctx, Checkout).objects().where(Checkout.member_id == member_id)
    if after is not None:
        query = query.where(
            (Checkout.created_at < after[0]) | ((Checkout.created_at == after[0]) & (Checkout.id < after[1]))
        )
    return list(await query.order_by(Checkout.created_at, Checkout.id, ascending=False).limit(limit))


async def count_checkouts(tx: Transaction, ctx: TenantContext, member_id: UUID) -> int:
    """How many online payments a member started."""
    counted: int = await within(ctx, Checkout).count().where(Checkout.member_id == member_id)
    return counted
