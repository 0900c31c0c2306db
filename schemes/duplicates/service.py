"""The review of probable duplicates (:mod:`schemes.duplicates.detection`
flags them): a manager decides each pair once, as not duplicate with a
reason, or as duplicate, which merges one member into the other."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from piccolo.columns import Column

from schemes.documents.tables import Document
from schemes.duplicates import errors
from schemes.duplicates.detection import NEW_ID
from schemes.duplicates.tables import DuplicatePair, PairStatus
from schemes.members.tables import (
    Beneficiary,
    Employment,
    IdentityDocument,
    Member,
    MemberStatus,
    MemberStatusChange,
    TerminationReason,
)
from schemes.members.writes import status_change_row
from tenants.audit import service as audit
from tenants.context import TenantContext
from tenants.scoping import within
from tenants.tx import Transaction

REASON_MAX = 500


async def pending_pairs(
    tx: Transaction, ctx: TenantContext, *, after: tuple[datetime, UUID] | None, limit: int
) -> list[DuplicatePair]:
    """Up to ``limit`` of the tenant's pairs waiting for a decision, oldest
    first, after the one at ``after`` (keyset pagination on time and id)."""
    position = after or (None, None)
    rows = await tx.fetch(
        "SELECT p.* FROM duplicate_pairs p WHERE p.tenant_id = $1 AND p.status = 'pending'"
        " AND ($2::timestamptz IS NULL OR (p.created_at, p.id) > ($2, $3::uuid))"
        " ORDER BY p.created_at, p.id LIMIT $4",
        ctx.tenant_id,
        position[0],
        position[1],
        limit,
    )
    return [DuplicatePair(**dict(row)) for row in rows]


async def count_pending(tx: Transaction, ctx: TenantContext) -> int:
    """How many of the tenant's pairs wait for a decision."""
    count: int = await within(ctx, DuplicatePair).count().where(DuplicatePair.status == PairStatus.PENDING.value)
    return count


class Decision(StrEnum):
    """What a manager decides of a pair."""

    DUPLICATE = "duplicate"
    """One person: the other member is merged into the one kept."""
    NOT_DUPLICATE = "not_duplicate"
    """Two people."""


@dataclass(frozen=True)
class Resolution:
    """A manager's decision on a pair."""

    pair_id: UUID | None
    """None when the client's id named no pair: reported as not found."""
    decision: Decision
    keep: UUID | None = None
    """The member kept, for a duplicate."""
    keep_given: bool = False
    """Whether the client named a member to keep (even one that is no member)."""
    reason: str | None = None


def _reason(resolution: Resolution) -> str | None:
    reason = (resolution.reason or "").strip() or None
    if reason is not None and len(reason) > REASON_MAX:
        raise errors.ReasonTooLong(path=("input", "reason"), maximum=REASON_MAX)
    if reason is None and resolution.decision is Decision.NOT_DUPLICATE:
        raise errors.ReasonRequired(path=("input", "reason"))
    return reason


async def resolve(tx: Transaction, ctx: TenantContext, resolution: Resolution, today: date) -> DuplicatePair:
    """Decide a pending pair, once. Decisions of a tenant queue behind each
    other (a transaction lock), so the same pair decided twice at once is
    decided by the first and refused to the second, and two merges sharing
    a member never interleave."""
    await tx.execute("SELECT pg_advisory_xact_lock(hashtextextended('duplicates:' || $1, 0))", str(ctx.tenant_id))
    pair = None
    if resolution.pair_id is not None:
        pair = await within(ctx, DuplicatePair).objects().where(DuplicatePair.id == resolution.pair_id).first()
    if pair is None:
        raise errors.PairNotFound(path=("input", "id"))
    if pair.status != PairStatus.PENDING:
        raise errors.PairAlreadyDecided(path=("input", "id"), status=pair.status)
    reason = _reason(resolution)
    now = datetime.now(UTC)
    decided: dict[Column | str, Any] = {
        DuplicatePair.reason: reason,
        DuplicatePair.decided_at: now,
        DuplicatePair.decided_by_name: ctx.principal.name,
    }
    if resolution.decision is Decision.NOT_DUPLICATE:
        if resolution.keep_given:
            raise errors.KeepNotAllowed(path=("input", "keep"))
        await (
            within(ctx, DuplicatePair)
            .update({DuplicatePair.status: PairStatus.NOT_DUPLICATE.value, **decided})
            .where(DuplicatePair.id == pair.id)
        )
        await audit.record_change(
            tx,
            ctx,
            "duplicate.not_duplicate",
            "duplicate_pair",
            pair.id,
            first_member=str(pair.first_member_id),
            second_member=str(pair.second_member_id),
            reason=reason or "",
        )
        pair.status, pair.reason, pair.decided_at = PairStatus.NOT_DUPLICATE.value, reason, now
        pair.decided_by_name = ctx.principal.name
        return pair
    if not resolution.keep_given:
        raise errors.KeepRequired(path=("input", "keep"))
    if resolution.keep not in (pair.first_member_id, pair.second_member_id):
        raise errors.KeepNotInPair(path=("input", "keep"))
    kept_id = resolution.keep
    merged_id = pair.second_member_id if kept_id == pair.first_member_id else pair.first_member_id
    members = {
        member.id: member
        for member in await within(ctx, Member)
        .objects()
        .where(Member.id.is_in([pair.first_member_id, pair.second_member_id]))
        .order_by(Member.id)
        .lock_rows()
    }
    for member in members.values():
        if member.status == MemberStatus.TERMINATED:
            raise errors.MemberTerminated(path=("input", "id"), number=member.number)
    kept, merged = members[kept_id], members[merged_id]
    moved = await _move_household(ctx, merged.id, kept.id)
    await _terminate(ctx, merged, kept, today, now)
    superseded = await _repoint_pairs(tx, ctx, pair.id, merged.id, kept.id, now)
    await (
        within(ctx, DuplicatePair)
        .update({DuplicatePair.status: PairStatus.DUPLICATE.value, DuplicatePair.kept_member_id: kept.id, **decided})
        .where(DuplicatePair.id == pair.id)
    )
    await audit.record_many(
        tx,
        [
            audit.change_event(
                ctx,
                "duplicate.merge",
                "duplicate_pair",
                pair.id,
                {
                    "kept": kept.number,
                    "merged": merged.number,
                    "superseded_pairs": str(superseded),
                    **moved,
                    **({"reason": reason} if reason else {}),
                },
            ),
            audit.change_event(
                ctx,
                "member.status_change",
                "member",
                merged.id,
                {
                    "number": merged.number,
                    "from_status": merged.status,
                    "to_status": MemberStatus.TERMINATED.value,
                    "effective_on": today.isoformat(),
                    "reason": TerminationReason.DUPLICATE.value,
                    "merged_into": kept.number,
                },
            ),
        ],
    )
    pair.status, pair.kept_member_id, pair.reason, pair.decided_at = PairStatus.DUPLICATE.value, kept.id, reason, now
    pair.decided_by_name = ctx.principal.name
    return pair


async def _move_household(ctx: TenantContext, merged_id: UUID, kept_id: UUID) -> dict[str, str]:
    """The merged member's beneficiaries, identity documents, employments and
    files become the kept member's; how many of each moved."""
    moved = {}
    for name, table, column in (
        ("beneficiaries", Beneficiary, Beneficiary.member_id),
        ("identity_documents", IdentityDocument, IdentityDocument.member_id),
        ("employments", Employment, Employment.member_id),
        ("documents", Document, Document.member_id),
    ):
        rows = await within(ctx, table).update({column: kept_id}).where(column == merged_id).returning(table.id)
        moved[name] = str(len(rows))
    return moved


async def _terminate(ctx: TenantContext, merged: Member, kept: Member, today: date, now: datetime) -> None:
    """End the merged member's membership as a duplicate of the kept one,
    kept in its status history with the member it was merged into."""
    effective_on = max(today, merged.status_on)
    await (
        within(ctx, Member)
        .update(
            {
                Member.status: MemberStatus.TERMINATED.value,
                Member.status_on: effective_on,
                Member.updated_at: now,
            }
        )
        .where(Member.id == merged.id)
    )
    change = status_change_row(
        ctx,
        merged.id,
        MemberStatus(merged.status),
        MemberStatus.TERMINATED,
        effective_on,
        TerminationReason.DUPLICATE.value,
        None,
    )
    change.merged_into_id = kept.id
    await within(ctx, MemberStatusChange).insert(change)


async def _repoint_pairs(
    tx: Transaction, ctx: TenantContext, pair_id: UUID, merged_id: UUID, kept_id: UUID, now: datetime
) -> int:
    """The merged member's other pending pairs close as superseded; each
    becomes a pending pair of the kept member with the same third member
    (the same person's other record matched it), unless that pair exists."""
    await tx.execute(
        f"INSERT INTO duplicate_pairs (id, tenant_id, first_member_id, second_member_id, same_birth_date,"
        f" same_phone, similarity, status, created_at)"
        f" SELECT {NEW_ID}, $1, least(p.other_id, $3), greatest(p.other_id, $3), p.same_birth_date, p.same_phone,"
        f" p.similarity, 'pending', now()"
        f" FROM (SELECT CASE WHEN d.first_member_id = $2 THEN d.second_member_id ELSE d.first_member_id END"
        f" AS other_id, d.same_birth_date, d.same_phone, d.similarity FROM duplicate_pairs d"
        f" WHERE d.tenant_id = $1 AND d.status = 'pending' AND d.id <> $4"
        f" AND (d.first_member_id = $2 OR d.second_member_id = $2)) AS p"
        f" WHERE p.other_id <> $3"
        f" ON CONFLICT (tenant_id, first_member_id, second_member_id) DO NOTHING",
        ctx.tenant_id,
        merged_id,
        kept_id,
        pair_id,
    )
    rows = (
        await within(ctx, DuplicatePair)
        .update(
            {
                DuplicatePair.status: PairStatus.SUPERSEDED.value,
                DuplicatePair.decided_at: now,
                DuplicatePair.decided_by_name: ctx.principal.name,
            }
        )
        .where(
            (DuplicatePair.status == PairStatus.PENDING.value)
            & (DuplicatePair.id != pair_id)
            & ((DuplicatePair.first_member_id == merged_id) | (DuplicatePair.second_member_id == merged_id))
        )
        .returning(DuplicatePair.id)
    )
    return len(rows)


async def pairs_by_id(tx: Transaction, ctx: TenantContext, ids: Sequence[UUID]) -> list[DuplicatePair]:
    """The tenant's pairs among ``ids``."""
    if not ids:
        return []
    return list(await within(ctx, DuplicatePair).objects().where(DuplicatePair.id.is_in(list(ids))))
