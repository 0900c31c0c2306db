"""Members' status following their rights. Socle suspends a member whose
dues are unpaid past what the scheme's rights rule allows, and reinstates
them once paid: at once when a payment or a reversal changes their
account, and in a daily pass over the register as grace periods run out.
Each change is in the member's status history and the audit log, made by
whoever recorded the payment, or by Socle itself.

A suspension a manager made is theirs to lift: Socle lifts only its own,
the ones whose reason is :attr:`SuspensionReason.UNPAID_DUES`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from schemes.contributions import ledger, reads
from schemes.contributions.ledger import PayerKey
from schemes.contributions.rights import RightsStatus, Standing, Unpaid, standing
from schemes.members import lifecycle
from schemes.members.tables import MemberStatus, SuspensionReason
from schemes.rules import service as rules
from schemes.rules.model import Payer, RightsRule
from tenants.context import TenantContext
from tenants.tx import Transaction, tenant_tx

BATCH = 1000
"""Members looked at per transaction by the daily pass."""
EMPLOYEES_ACTOR = "contributions.apply_employees_rights"
"""The job that applies the rights of an employer's employees once its account changed."""


def change_for(status: MemberStatus, last_reason: str | None, rights: Standing) -> MemberStatus | None:
    """The status a member at ``status`` (its latest change for
    ``last_reason``) moves to given their rights, or None to stay."""
    if status is MemberStatus.ACTIVE and rights.status is RightsStatus.SUSPENDED:
        return MemberStatus.SUSPENDED
    if (
        status is MemberStatus.SUSPENDED
        and last_reason == SuspensionReason.UNPAID_DUES
        and rights.status is not RightsStatus.SUSPENDED
    ):
        return MemberStatus.ACTIVE
    return None


async def apply_rights(tx: Transaction, ctx: TenantContext, member_id: UUID, today: date) -> MemberStatus | None:
    """Bring one member's status in line with their rights on ``today``; the
    status moved to, or None. The caller holds the member's payer lock, so
    no payment changes the account between the reading and the change."""
    member = await lifecycle.find_member(ctx, member_id, ("input", "member"))
    status = MemberStatus(member.status)
    if status not in (MemberStatus.ACTIVE, MemberStatus.SUSPENDED):
        return None
    rights = await reads.member_standing(tx, ctx, member, today)
    target = change_for(status, await lifecycle.last_reason_of(tx, ctx, member.id), rights)
    if target is MemberStatus.SUSPENDED:
        lost_on = max(member.status_on, rights.since or today)
        await lifecycle.record_status(tx, ctx, member, target, lost_on, SuspensionReason.UNPAID_DUES.value)
    elif target is MemberStatus.ACTIVE:
        await lifecycle.record_status(tx, ctx, member, target, max(member.status_on, today), None)
    return target


async def follow(tx: Transaction, ctx: TenantContext, payer: PayerKey, today: date) -> None:
    """Bring the rights of whoever ``payer``'s account covers in line with
    it, once the account changed: a member's at once (the caller holds their
    lock), an employer's employees by a job after the commit (they may be
    thousands); the State's calls cover no one's rights."""
    if payer.party_id is None:
        return
    if payer.payer is Payer.MEMBER:
        await apply_rights(tx, ctx, payer.party_id, today)
    elif payer.payer is Payer.EMPLOYER:
        await tx.enqueue(EMPLOYEES_ACTOR, tenant_id=str(ctx.tenant_id), employer_id=str(payer.party_id))


@dataclass(frozen=True)
class Pass:
    """What a pass over a tenant's register changed."""

    members: int = 0
    """Members looked at: the active ones, and those suspended."""
    suspended: int = 0
    reinstated: int = 0

    def __add__(self, other: Pass) -> Pass:
        return Pass(self.members + other.members, self.suspended + other.suspended, self.reinstated + other.reinstated)


@dataclass(frozen=True)
class _Candidate:
    id: UUID
    scheme_id: UUID
    status: MemberStatus
    last_reason: str | None


async def _candidates(
    tx: Transaction, ctx: TenantContext, after: UUID | None, limit: int, employer_id: UUID | None
) -> tuple[list[_Candidate], dict[UUID, list[Unpaid]]]:
    """The next active or suspended members after ``after`` (those an
    employer's declarations name, with ``employer_id``), and the open calls
    their rights depend on, in two statements."""
    rows = await tx.fetch(
        "SELECT m.id, m.scheme_id, m.status, (SELECT s.reason FROM member_status_changes s"
        " WHERE s.tenant_id = $1 AND s.member_id = m.id ORDER BY s.created_at DESC, s.id DESC LIMIT 1) AS reason"
        " FROM members m WHERE m.tenant_id = $1 AND m.status IN ('active', 'suspended')"
        " AND ($2::uuid IS NULL OR m.id > $2) AND ($4::uuid IS NULL OR m.id IN (SELECT l.member_id"
        " FROM employer_declaration_lines l JOIN employer_declarations d ON d.tenant_id = $1"
        " AND d.id = l.declaration_id WHERE l.tenant_id = $1 AND d.employer_id = $4)) ORDER BY m.id LIMIT $3",
        ctx.tenant_id,
        after,
        limit,
        employer_id,
    )
    members = [_Candidate(r["id"], r["scheme_id"], MemberStatus(r["status"]), r["reason"]) for r in rows]
    return members, await reads.unpaid_of(tx, ctx, [member.id for member in members])


async def _rules(
    tx: Transaction, ctx: TenantContext, scheme_ids: Sequence[UUID], today: date, known: dict[UUID, RightsRule]
) -> dict[UUID, RightsRule]:
    """The rights rule in force ``today`` of each scheme, read once per pass."""
    missing = [scheme_id for scheme_id in dict.fromkeys(scheme_ids) if scheme_id not in known]
    if missing:
        versions = await rules.versions_in_force(tx, ctx, missing, today)
        for scheme_id in missing:
            known[scheme_id] = reads.rights_rule(versions.get(scheme_id))
    return known


async def apply_batch(
    tx: Transaction,
    ctx: TenantContext,
    today: date,
    after: UUID | None,
    limit: int,
    known: dict[UUID, RightsRule],
    employer_id: UUID | None = None,
) -> tuple[Pass, UUID | None]:
    """Apply the rights of the next ``limit`` members after ``after`` (of
    those ``employer_id``'s declarations name, when given); what changed and
    the last member looked at (None once the register is done). Rights are
    read in bulk; the members whose status should move are read again under
    their payer locks and their employers', and moved only if they still should."""
    members, unpaid = await _candidates(tx, ctx, after, limit, employer_id)
    by_scheme = await _rules(tx, ctx, [member.scheme_id for member in members], today, known)
    moving = [
        member.id
        for member in members
        if change_for(
            member.status,
            member.last_reason,
            standing(by_scheme[member.scheme_id], unpaid[member.id], today),
        )
        is not None
    ]
    # Every lock at once, before the first change: a change writes to the
    # audit chain, whose lock a payment takes after its payer's, so a payer
    # lock taken after a change would wait on a payment waiting on this pass.
    employers = {call.employer_id for member_id in moving for call in unpaid[member_id] if call.employer_id}
    await ledger.lock_payer(
        tx,
        ctx,
        [
            *(PayerKey(Payer.MEMBER, member_id) for member_id in moving),
            *(PayerKey(Payer.EMPLOYER, employer) for employer in employers),
        ],
    )
    suspended = reinstated = 0
    for member_id in moving:
        moved = await apply_rights(tx, ctx, member_id, today)
        suspended += moved is MemberStatus.SUSPENDED
        reinstated += moved is MemberStatus.ACTIVE
    last = members[-1].id if len(members) == limit else None
    return Pass(len(members), suspended, reinstated), last


async def apply_tenant(ctx: TenantContext, today: date, batch: int = BATCH, employer_id: UUID | None = None) -> Pass:
    """Apply the rights of every member of the tenant on ``today`` (of those
    ``employer_id``'s declarations name, when given: after the employer paid
    or was called), batch after batch, each its own transaction: a pass that
    stops keeps what it did, and the next pass does the rest."""
    done = Pass()
    known: dict[UUID, RightsRule] = {}
    after: UUID | None = None
    while True:
        async with tenant_tx(ctx) as tx:
            changed, after = await apply_batch(tx, ctx, today, after, batch, known, employer_id)
        done += changed
        if after is None:
            return done
