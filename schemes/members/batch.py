"""The offline batch: a field agent's phone syncs up to :data:`MAX_BATCH`
enrolments made without a network, each with the key the phone gave it.

Each enrolment is answered on its own (created, already there, or its
errors) through :func:`enrolment.enrol_many`; only a malformed batch is
refused whole. Sending a batch again, or several times at once over a poor
link, enrols each person once: the keys are looked up under the tenant's
counter lock, which the batch holds until it commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from schemes.members import enrolment, errors
from schemes.members.tables import Member
from tenants.context import TenantContext
from tenants.errors import DomainError
from tenants.tx import Transaction

MAX_BATCH = 100
BASE = ("input", "enrolments")


class BatchItemStatus(StrEnum):
    """What became of one enrolment of a batch."""

    CREATED = "created"
    ALREADY_THERE = "already_there"
    """Its key was already used: the member enrolled then, unchanged."""
    REFUSED = "refused"


@dataclass(frozen=True)
class BatchItem:
    """The answer to one enrolment of a batch, in the batch's order."""

    index: int
    idempotency_key: str
    status: BatchItemStatus
    member: Member | None
    errors: tuple[DomainError, ...]


def _check_shape(enrolments: list[enrolment.Enrolment]) -> None:
    """Refuse a batch the phone could not have meant: too long, an enrolment
    without its key, or one key for two different enrolments."""
    if len(enrolments) > MAX_BATCH:
        raise errors.TooMany(path=BASE, maximum=MAX_BATCH)
    first_of: dict[str, int] = {}
    for index, data in enumerate(enrolments):
        key = data.idempotency_key
        if not key:
            raise errors.IdempotencyKeyRequired(path=(*BASE, str(index), "idempotencyKey"))
        first = first_of.setdefault(key, index)
        if enrolments[first] != data:
            raise errors.IdempotencyKeyReused(path=(*BASE, str(index), "idempotencyKey"), first=first)


def _item(index: int, data: enrolment.Enrolment, outcome: enrolment.Outcome) -> BatchItem:
    if outcome.member is None:
        status = BatchItemStatus.REFUSED
    elif outcome.already_there:
        status = BatchItemStatus.ALREADY_THERE
    else:
        status = BatchItemStatus.CREATED
    return BatchItem(
        index=index,
        idempotency_key=data.idempotency_key or "",
        status=status,
        member=outcome.member,
        errors=outcome.errors,
    )


async def enrol_batch(
    tx: Transaction, ctx: TenantContext, enrolments: list[enrolment.Enrolment], today: date
) -> list[BatchItem]:
    """Enrol a field agent's batch: each enrolment answered in order, its
    errors under ``input.enrolments.<index>``; the same key sent twice in
    the batch with the same content is one enrolment."""
    _check_shape(enrolments)
    outcomes = await enrolment.enrol_many(tx, ctx, enrolments, today, BASE, indexed=True)
    return [_item(index, data, outcome) for index, (data, outcome) in enumerate(zip(enrolments, outcomes, strict=True))]
