"""The PDF receipts of payments. A payment recorded sends a job (in its own
transaction, through the outbox) that reads what the receipt says, lays it
out off the event loop, stores the file and records it once; a job run
twice files one receipt. The layout is the caller's (:data:`Render`): the
worker's prints it in the tenant's language."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from schemes.contributions import ledger, reads
from schemes.contributions.tables import Payment, PaymentReceipt
from schemes.documents.storage import DocumentStore
from schemes.employers.tables import Employer
from schemes.members.tables import Member
from schemes.rules.tables import Scheme
from tenants.audit import service as audit
from tenants.context import TenantContext
from tenants.ids import new_id
from tenants.registry.tables import Tenant
from tenants.scoping import within
from tenants.tx import Transaction, tenant_tx

RECEIPT_ACTOR = "contributions.file_receipt"
CONTENT_TYPE = "application/pdf"
DOWNLOAD_EXPIRES_IN = 300
"""Seconds a receipt's download link works: long enough on a slow network, too short to pass around."""


@dataclass(frozen=True)
class ReceiptLine:
    """What a payment settled of one call (negative on a reversal's notice)."""

    period: str
    kind: str
    amount: int


@dataclass(frozen=True)
class ReceiptData:
    """Everything a receipt says."""

    tenant_name: str
    receipt_number: str
    reverses_number: str | None
    """On a reversal's notice: the receipt it reverses."""
    payer: str
    """:class:`schemes.rules.model.Payer` value."""
    payer_name: str
    """The member's or the employer's name; empty for the State."""
    member_number: str | None
    scheme_name: str | None
    received_at: datetime
    amount: int
    currency: str
    channel: str
    provider: str | None
    reference: str | None
    note: str
    recorded_by_name: str
    recorded_at: datetime
    lines: Sequence[ReceiptLine]


Render = Callable[[ReceiptData], bytes]
"""Lays a receipt out as a PDF file."""


def storage_key(tenant_id: UUID, payment_id: UUID) -> str:
    """Where a payment's receipt is kept: under its tenant, named by the payment."""
    return f"receipts/{tenant_id}/{payment_id}.pdf"


async def receipt_data(tx: Transaction, ctx: TenantContext, payment_id: UUID) -> ReceiptData | None:
    """What the receipt of the context's payment says; None if there is no such payment."""
    payment = await within(ctx, Payment).objects().where(Payment.id == payment_id).first()
    if payment is None:
        return None
    tenant = await Tenant.objects().where(Tenant.id == ctx.tenant_id).first()
    member = (
        await within(ctx, Member).objects().where(Member.id == payment.member_id).first() if payment.member_id else None
    )
    scheme = await within(ctx, Scheme).objects().where(Scheme.id == member.scheme_id).first() if member else None
    reversed_payment = (
        await within(ctx, Payment).objects().where(Payment.id == payment.reverses_id).first()
        if payment.reverses_id
        else None
    )
    employer = (
        await within(ctx, Employer).objects().where(Employer.id == payment.employer_id).first()
        if payment.employer_id
        else None
    )
    allocations = (await ledger.allocations_of(tx, ctx, [payment.id])).get(payment.id, [])
    calls = {row.call.id: row.call for row in await reads.calls_by_id(tx, ctx, [a.call_id for a in allocations])}
    # The State's payment settles a call per member: its receipt says what it settled per period.
    settled: dict[tuple[str, str], int] = {}
    for allocation in allocations:
        if allocation.call_id in calls:
            call = calls[allocation.call_id]
            settled[(call.period, call.kind)] = settled.get((call.period, call.kind), 0) + allocation.amount
    return ReceiptData(
        tenant_name=tenant.name if tenant else "",
        receipt_number=payment.receipt_number,
        reverses_number=reversed_payment.receipt_number if reversed_payment else None,
        payer=payment.payer,
        payer_name=f"{member.last_name} {member.first_names}" if member else employer.name if employer else "",
        member_number=member.number if member else None,
        scheme_name=scheme.name if scheme else None,
        received_at=payment.received_at,
        amount=payment.amount,
        currency=payment.currency,
        channel=payment.channel,
        provider=payment.provider,
        reference=payment.provider_reference,
        note=payment.note,
        recorded_by_name=payment.recorded_by_name,
        recorded_at=payment.created_at,
        lines=[ReceiptLine(period, kind, amount) for (period, kind), amount in settled.items()],
    )


async def file_receipt(ctx: TenantContext, payment_id: UUID, store: DocumentStore, render: Render) -> bool:
    """Make, store and record the receipt of a payment unless it has one;
    whether this call filed it. The layout is the same for the same payment
    (no clock in the file), so two runs at once store the same bytes and
    the second one's record is dropped."""
    async with tenant_tx(ctx) as tx:
        if await within(ctx, PaymentReceipt).exists().where(PaymentReceipt.payment_id == payment_id):
            return False
        data = await receipt_data(tx, ctx, payment_id)
    if data is None:
        return False
    pdf = await asyncio.to_thread(render, data)
    key = storage_key(ctx.tenant_id, payment_id)
    await store.put(key, pdf, CONTENT_TYPE)
    digest = hashlib.sha256(pdf).hexdigest()
    async with tenant_tx(ctx) as tx:
        filed = await tx.fetchval(
            "INSERT INTO payment_receipts (id, tenant_id, payment_id, storage_key, size, sha256, created_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, now()) ON CONFLICT (tenant_id, payment_id) DO NOTHING RETURNING id",
            new_id(),
            ctx.tenant_id,
            payment_id,
            key,
            len(pdf),
            digest,
        )
        if filed is not None:
            await audit.record_change(
                tx, ctx, "payment_receipt.create", "payment", payment_id, receipt=data.receipt_number, sha256=digest
            )
    return filed is not None


async def receipt_keys(tx: Transaction, ctx: TenantContext, payment_ids: Sequence[UUID]) -> dict[UUID, str]:
    """The storage key of each payment's receipt, for those filed."""
    if not payment_ids:
        return {}
    rows = await tx.fetch(
        "SELECT r.payment_id, r.storage_key FROM payment_receipts r WHERE r.tenant_id = $1"
        " AND r.payment_id = ANY ($2::uuid[])",
        ctx.tenant_id,
        list(payment_ids),
    )
    return {row["payment_id"]: row["storage_key"] for row in rows}
