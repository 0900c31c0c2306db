"""A member's lifecycle: pending → active → suspended → terminated, with
reinstatement, every change kept in the status history and audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

from schemes.members import errors
from schemes.members.tables import Member, MemberStatus, MemberStatusChange, TerminationReason
from schemes.members.writes import status_change_row
from tenants.audit import service as audit
from tenants.context import TenantContext
from tenants.scoping import within
from tenants.tx import Transaction

P, A, S, T = MemberStatus.PENDING, MemberStatus.ACTIVE, MemberStatus.SUSPENDED, MemberStatus.TERMINATED

TRANSITIONS: dict[MemberStatus, frozenset[MemberStatus]] = {
    P: frozenset({A, T}),
    A: frozenset({S, T}),
    S: frozenset({A, T}),
    T: frozenset({A}),
}
"""Where each status may go. Back to active from suspended or terminated is
a reinstatement; a member terminated by death, or merged into another as a
duplicate, is never reinstated."""


@dataclass(frozen=True)
class StatusChange:
    """What changing a member's status needs."""

    member_id: UUID
    to_status: MemberStatus
    effective_on: date
    reason: TerminationReason | None = None
    """Required to terminate, refused otherwise."""
    note: str | None = None


def allowed(current: MemberStatus, last_reason: str | None, target: MemberStatus) -> bool:
    """Whether a member at ``current`` (terminated for ``last_reason``) may move to ``target``."""
    if current is T and last_reason in (TerminationReason.DEATH, TerminationReason.DUPLICATE):
        return False
    return target in TRANSITIONS[current]


async def find_member(ctx: TenantContext, member_id: UUID, path: tuple[str, ...]) -> Member:
    """The context's own member, for a change ("not found" for another tenant's)."""
    member = await within(ctx, Member).objects().where(Member.id == member_id).lock_rows().first()
    if member is None:
        raise errors.MemberNotFound(path=path)
    return member


async def last_reason_of(tx: Transaction, ctx: TenantContext, member_id: UUID) -> str | None:
    """The reason of the member's latest status change, if it had one."""
    reason: str | None = await tx.fetchval(
        "SELECT reason FROM member_status_changes WHERE tenant_id = $1 AND member_id = $2"
        " ORDER BY created_at DESC, id DESC LIMIT 1",
        ctx.tenant_id,
        member_id,
    )
    return reason


async def change_status(tx: Transaction, ctx: TenantContext, change: StatusChange, today: date) -> Member:
    """Move a member along the lifecycle, refusing what :data:`TRANSITIONS`
    does not allow; the change is dated (not in the future, not before the
    current status' date) and kept in the status history."""
    member = await find_member(ctx, change.member_id, ("input", "id"))
    current = MemberStatus(member.status)
    last_reason = await last_reason_of(tx, ctx, member.id)
    if not allowed(current, last_reason, change.to_status):
        raise errors.IllegalTransition(
            path=("input", "status"), from_status=current.value, to_status=change.to_status.value
        )
    if change.reason is TerminationReason.DUPLICATE:
        # Only the review of a probable duplicate merges, naming the member kept.
        raise errors.DuplicateByReviewOnly(path=("input", "reason"))
    if (change.to_status is T) != (change.reason is not None):
        error = errors.ReasonRequired if change.to_status is T else errors.ReasonNotAllowed
        raise error(path=("input", "reason"))
    if not member.status_on <= change.effective_on <= today:
        raise errors.InvalidDate(path=("input", "effectiveOn"))
    note = (change.note or "").strip() or None
    if note is not None and len(note) > 500:
        raise errors.InvalidText(path=("input", "note"), maximum=500)
    reason = change.reason.value if change.reason else None
    return await record_status(tx, ctx, member, change.to_status, change.effective_on, reason, note)


async def record_status(
    tx: Transaction,
    ctx: TenantContext,
    member: Member,
    to_status: MemberStatus,
    effective_on: date,
    reason: str | None,
    note: str | None = None,
) -> Member:
    """Move ``member`` (its row locked by the caller) to ``to_status``, in its
    history and the audit log, without checking the move: the caller has."""
    current = MemberStatus(member.status)
    await (
        within(ctx, Member)
        .update({Member.status: to_status.value, Member.status_on: effective_on, Member.updated_at: datetime.now(UTC)})
        .where(Member.id == member.id)
    )
    await within(ctx, MemberStatusChange).insert(
        status_change_row(ctx, member.id, current, to_status, effective_on, reason, note)
    )
    await audit.record_change(
        tx,
        ctx,
        "member.status_change",
        "member",
        member.id,
        number=member.number,
        from_status=current.value,
        to_status=to_status.value,
        effective_on=effective_on.isoformat(),
        **({"reason": reason} if reason else {}),
    )
    member.status, member.status_on = to_status.value, effective_on
    return member
