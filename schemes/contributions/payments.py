"""Recording money received and reversing money wrongly recorded.

Every payment is recorded once: a client's idempotency key finds the
payment it made before, a provider's reference is unique, and the payer's
lock keeps two recordings of one payer from settling the same calls. Each
payment and each reversal gets the next number of the tenant's receipts
for its year, in its own transaction, so numbers have neither gap nor
duplicate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

import asyncpg

from schemes.contributions import calls, enforcement, errors, ledger, receipts
from schemes.contributions.ledger import Allocation, PayerKey
from schemes.contributions.tables import Channel, Payment
from schemes.employers.tables import Employer
from schemes.members.tables import Member, MemberStatus
from schemes.rules.model import Payer
from tenants.audit import service as audit
from tenants.context import TenantContext
from tenants.ids import new_id
from tenants.scoping import within
from tenants.tx import Transaction

IDEMPOTENCY_KEY_MAX = 100
MAX_AMOUNT = 10**13
"""Ten thousand billion minor units: more than any payment a scheme receives, less than a bigint's bounds."""
NOTE_MAX = 500
RECEIVED_LEEWAY = timedelta(minutes=5)
"""How far ahead of Socle's clock a payment's time may be (the cashier's device may run ahead)."""
RECEIVED_BACK = timedelta(days=366)
"""How far back a payment may be recorded (a counter book typed in late)."""
_REFERENCE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._/-]{2,99}$")


class Provider(StrEnum):
    """A mobile money operator or a payment provider."""

    WAVE = "wave"
    ORANGE_MONEY = "orange_money"
    FREE_MONEY = "free_money"
    MTN_MOMO = "mtn_momo"
    MOOV_MONEY = "moov_money"
    STRIPE = "stripe"


@dataclass(frozen=True)
class NewPayment:
    """A payment from a member or an employer (``employer_id``), as a
    cashier or a partner application records it."""

    member_id: UUID | None
    amount: int
    currency: str
    channel: Channel
    idempotency_key: str
    provider: Provider | None = None
    reference: str | None = None
    received_at: datetime | None = None
    """When the money was received; None: now."""
    note: str = ""
    call_ids: tuple[UUID, ...] = ()
    """The calls to settle first; none: the oldest open calls."""
    employer_id: UUID | None = None
    subsidy_payment_id: UUID | None = None
    """For the State's payment of a subsidy statement: the ministry's record of it (the payer is then the State)."""


@dataclass(frozen=True)
class Recorded:
    """A payment recorded, what it settled, and whether it was recorded by an earlier request with the same key."""

    payment: Payment
    allocations: list[Allocation]
    replayed: bool = False


def checked_key(key: str) -> str:
    """``key`` if it can be a client's idempotency key; :class:`errors.InvalidIdempotencyKey` otherwise."""
    if not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX or not key.isprintable() or key != key.strip():
        raise errors.InvalidIdempotencyKey(path=("input", "idempotencyKey"), maximum=IDEMPOTENCY_KEY_MAX)
    return key


def checked_note(note: str, field: str) -> str:
    """``note`` with its spaces collapsed; :class:`errors.TextTooLong` past :data:`NOTE_MAX`."""
    text = " ".join(note.split())
    if len(text) > NOTE_MAX:
        raise errors.TextTooLong(path=("input", field), maximum=NOTE_MAX)
    return text


def amount_errors(ctx: TenantContext, amount: int, currency: str) -> list[errors.ContributionError]:
    """What is wrong with an amount to receive: not positive, too large, or not in the tenant's currency."""
    found: list[errors.ContributionError] = []
    if not 0 < amount <= MAX_AMOUNT:
        found.append(errors.InvalidAmount(path=("input", "amount"), amount=amount))
    if currency != ctx.currency:
        found.append(errors.CurrencyMismatch(path=("input", "currency"), currency=currency[:3], expected=ctx.currency))
    return found


def _checked(ctx: TenantContext, data: NewPayment, now: datetime) -> list[errors.ContributionError]:
    """Every error of ``data``'s fields, in the input's order."""
    found = amount_errors(ctx, data.amount, data.currency)
    reference = (data.reference or "").strip()
    if data.channel is not Channel.CASH and not reference:
        found.append(errors.ReferenceRequired(path=("input", "reference")))
    elif reference and not valid_reference(reference):
        found.append(errors.InvalidReference(path=("input", "reference")))
    if data.channel is Channel.MOBILE_MONEY and data.provider is None:
        found.append(errors.ProviderRequired(path=("input", "provider")))
    if data.received_at is not None and not now - RECEIVED_BACK <= data.received_at <= now + RECEIVED_LEEWAY:
        found.append(errors.InvalidReceivedAt(path=("input", "receivedAt")))
    return found


def valid_reference(reference: str) -> bool:
    """Whether ``reference`` can be a transaction's reference: 3 to 100 letters, digits, dots, hyphens, slashes."""
    return _REFERENCE.match(reference) is not None


async def next_receipt(tx: Transaction, ctx: TenantContext, year: int) -> tuple[int, str]:
    """The next receipt of the tenant's ``year``: its place in the sequence
    and its number (``2026-000042``). The sequence's row stays locked until
    the transaction ends: a rollback gives the number back. The audit
    chain's lock is taken first, as the payments that write an audit event
    before their receipt (a period called at the counter) take them."""
    await audit.lock_chain(tx, ctx.tenant_id)
    value: int = await tx.fetchval(
        "INSERT INTO receipt_sequences (id, tenant_id, year, last_value) VALUES ($2, $1, $3, 1)"
        " ON CONFLICT (tenant_id, year) DO UPDATE SET last_value = receipt_sequences.last_value + 1"
        " RETURNING last_value",
        ctx.tenant_id,
        new_id(),
        year,
    )
    return value, f"{year}-{value:06d}"


async def _by_key(ctx: TenantContext, key: str) -> Payment | None:
    return await within(ctx, Payment).objects().where(Payment.idempotency_key == key).first()


async def _settled_by(tx: Transaction, ctx: TenantContext, payment_id: UUID) -> list[Allocation]:
    return (await ledger.allocations_of(tx, ctx, [payment_id])).get(payment_id, [])


async def _insert(tx: Transaction, ctx: TenantContext, payment: Payment) -> None:
    sequence, number = await next_receipt(tx, ctx, payment.received_at.year)
    payment.receipt_sequence = sequence
    payment.receipt_number = number
    await within(ctx, Payment).insert(payment)
    await tx.enqueue(receipts.RECEIPT_ACTOR, tenant_id=str(ctx.tenant_id), payment_id=str(payment.id))


def recorder(ctx: TenantContext, columns: str = "recorded_by") -> dict[str, object]:
    """Who writes a row, as its ``<columns>_kind``, ``_id`` and ``_name`` keep it: the context's principal."""
    principal = ctx.principal
    return {
        f"{columns}_kind": principal.kind.value,
        f"{columns}_id": principal.id,
        f"{columns}_name": principal.name,
    }


async def record_payment(tx: Transaction, ctx: TenantContext, data: NewPayment, now: datetime) -> Recorded:
    """Record a member's payment and settle their calls with it: the chosen
    calls, else the oldest open ones; what is left is the member's credit.

    The member's period under way is called first if the daily job has not
    yet, so the payment settles it. A replay of the key returns the payment
    recorded with it, unchanged.
    """
    key = checked_key(data.idempotency_key)
    found: list[errors.ContributionError] = _checked(ctx, data, now)
    note = checked_note(data.note, "note")
    if found:
        raise errors.ContributionError.all_of(found)
    member, payer = await _payer(ctx, data)
    await ledger.lock_payer(tx, ctx, [payer])
    earlier = await _by_key(ctx, key)
    if earlier is not None:
        return await _replayed(tx, ctx, earlier, payer, data.amount)
    if member is not None and member.status == MemberStatus.TERMINATED:
        raise errors.PayerTerminated(path=("input", "member"))
    reference = (data.reference or "").strip() or None
    provider = data.provider.value if data.provider else None
    if (
        reference
        and provider
        and await within(ctx, Payment)
        .exists()
        .where((Payment.provider == provider) & (Payment.provider_reference == reference))
    ):
        raise errors.ReferenceAlreadyRecorded(path=("input", "reference"), reference=reference)
    received_at = data.received_at or now
    if member is not None:
        await calls.call_member(tx, ctx, member, received_at.date())
    chosen = list(dict.fromkeys(data.call_ids))
    chosen_calls = await ledger.open_calls(tx, ctx, payer, among=chosen) if chosen else []
    if len(chosen_calls) != len(chosen):
        missing = set(chosen) - {call.id for call in chosen_calls}
        raise errors.CallNotFound(path=("input", "calls", str(chosen.index(min(missing, key=chosen.index)))))
    payment = within(ctx, Payment).new(
        payer=payer.payer.value,
        member_id=member.id if member else None,
        employer_id=payer.party_id if member is None else None,
        amount=data.amount,
        currency=ctx.currency,
        channel=data.channel.value,
        provider=provider,
        provider_reference=reference,
        received_at=received_at,
        receipt_number="",
        receipt_sequence=0,
        note=note,
        idempotency_key=key,
        subsidy_payment_id=data.subsidy_payment_id,
        created_at=now,
        **recorder(ctx),
    )
    try:
        await _insert(tx, ctx, payment)
    except asyncpg.UniqueViolationError as clash:
        # A concurrent request of another payer used the key, or recorded the same provider reference.
        if clash.constraint_name == "payments_tenant_id_idempotency_key_key":
            raise errors.IdempotencyKeyReused(path=("input", "idempotencyKey"), receipt="") from None
        raise errors.ReferenceAlreadyRecorded(path=("input", "reference"), reference=reference or "") from None
    if chosen_calls:
        own = ledger.allocate([ledger.Credit(payment.id, payment.amount)], chosen_calls)
        await ledger.write(tx, ctx, own, now)
    await ledger.settle(tx, ctx, payer, now)
    await enforcement.follow(tx, ctx, payer, now.date())
    await audit.record_change(
        tx,
        ctx,
        "payment.record",
        "payment",
        payment.id,
        **({payer.column.removesuffix("_id"): str(payer.party_id)} if payer.party_id else {"payer": payer.payer.value}),
        amount=str(payment.amount),
        currency=payment.currency,
        channel=payment.channel,
        receipt=payment.receipt_number,
    )
    return Recorded(payment=payment, allocations=await _settled_by(tx, ctx, payment.id))


async def _payer(ctx: TenantContext, data: NewPayment) -> tuple[Member | None, PayerKey]:
    """Who pays ``data``: the member (with their row), the employer it names, or the State."""
    if data.subsidy_payment_id is not None:
        return None, PayerKey(Payer.STATE, None)
    if data.employer_id is not None:
        if not await within(ctx, Employer).exists().where(Employer.id == data.employer_id):
            raise errors.PayerNotFound(path=("input", "employer"))
        return None, PayerKey(Payer.EMPLOYER, data.employer_id)
    member = await within(ctx, Member).objects().where(Member.id == data.member_id).first() if data.member_id else None
    if member is None:
        raise errors.PayerNotFound(path=("input", "member"))
    return member, PayerKey(Payer.MEMBER, member.id)


async def _replayed(tx: Transaction, ctx: TenantContext, earlier: Payment, payer: PayerKey, amount: int) -> Recorded:
    if ledger.payer_of(earlier) != payer or earlier.amount != amount:
        raise errors.IdempotencyKeyReused(path=("input", "idempotencyKey"), receipt=earlier.receipt_number)
    return Recorded(payment=earlier, allocations=await _settled_by(tx, ctx, earlier.id), replayed=True)


async def reverse_payment(
    tx: Transaction, ctx: TenantContext, payment_id: UUID, reason: str, idempotency_key: str, now: datetime
) -> Recorded:
    """Reverse a payment wrongly recorded: a new payment of the opposite
    amount, with its own receipt number, undoing what the first one settled.
    The calls it settled are open again and take the payer's other credit,
    if any. A replay of the key returns the reversal made with it."""
    key = checked_key(idempotency_key)
    why = checked_note(reason, "reason")
    if not why:
        raise errors.ReasonRequired(path=("input", "reason"))
    original = await within(ctx, Payment).objects().where(Payment.id == payment_id).first()
    if original is None:
        raise errors.PaymentNotFound(path=("input", "payment"))
    payer = ledger.payer_of(original)
    await ledger.lock_payer(tx, ctx, [payer])
    earlier = await _by_key(ctx, key)
    if earlier is not None:
        if earlier.reverses_id != payment_id:
            raise errors.IdempotencyKeyReused(path=("input", "idempotencyKey"), receipt=earlier.receipt_number)
        return Recorded(payment=earlier, allocations=await _settled_by(tx, ctx, earlier.id), replayed=True)
    if original.reverses_id is not None:
        raise errors.ReversalNotReversible(path=("input", "payment"), receipt=original.receipt_number)
    if original.subsidy_payment_id is not None:
        raise errors.SubsidyNotReversible(path=("input", "payment"), receipt=original.receipt_number)
    if await within(ctx, Payment).exists().where(Payment.reverses_id == payment_id):
        raise errors.PaymentAlreadyReversed(path=("input", "payment"), receipt=original.receipt_number)
    settled = await _settled_by(tx, ctx, payment_id)
    reversal = within(ctx, Payment).new(
        payer=original.payer,
        member_id=original.member_id,
        employer_id=original.employer_id,
        amount=-original.amount,
        currency=original.currency,
        channel=original.channel,
        provider=original.provider,
        received_at=now,
        receipt_number="",
        receipt_sequence=0,
        reverses_id=original.id,
        note=why,
        idempotency_key=key,
        created_at=now,
        **recorder(ctx),
    )
    await _insert(tx, ctx, reversal)
    await ledger.write(
        tx, ctx, [Allocation(reversal.id, allocation.call_id, -allocation.amount) for allocation in settled], now
    )
    await ledger.settle(tx, ctx, payer, now)
    await enforcement.follow(tx, ctx, payer, now.date())
    await audit.record_change(
        tx,
        ctx,
        "payment.reverse",
        "payment",
        original.id,
        reversal=str(reversal.id),
        amount=str(original.amount),
        receipt=reversal.receipt_number,
        reason=why,
    )
    return Recorded(payment=reversal, allocations=await _settled_by(tx, ctx, reversal.id))
