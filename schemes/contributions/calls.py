"""Contribution calls: what each member, and the State for them, owes for a
period, computed under the scheme's rule version in force on the call's
due date.

Calling a period is idempotent: a call is unique by kind, payer, period
and party, and a run inserts only the calls missing, so running it twice
creates nothing twice and a run that stopped half-way is finished by the
next. Members are called in batches along their ids, each batch in its own
transaction (see :mod:`schemes.contributions.schedule`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

from schemes.contributions import amounts, ledger
from schemes.contributions.periods import ContributionPeriod, period_of
from schemes.contributions.tables import CallKind
from schemes.members.service import eligibility, in_household
from schemes.members.tables import Beneficiary, Member, MemberStatus
from schemes.rules import service as rules
from schemes.rules.model import MemberCategory, Payer, SubsidyGroup
from schemes.rules.service import RuleVersion
from tenants.audit import service as audit
from tenants.context import TenantContext
from tenants.ids import new_id
from tenants.scoping import within
from tenants.tx import Transaction


@dataclass(frozen=True)
class NewCall:
    """A call to insert, unless it exists."""

    member_id: UUID
    payer: Payer
    kind: CallKind
    period: ContributionPeriod
    due_on: date
    persons: int
    amount: int
    rule_version_id: UUID


@dataclass(frozen=True)
class CallBatch:
    """What one batch of a run did: members looked at, calls created, and
    the last member's id, where the next batch starts (None: the run is over)."""

    members: int
    created: int
    after: UUID | None


def version_for(versions: Sequence[RuleVersion], member: Member, period: ContributionPeriod) -> RuleVersion | None:
    """The version a member's call for ``period`` is computed under: the one
    in force on its due date, if its basis is flat (rates are called from
    declarations)."""
    version = rules.in_force(versions, max(period.start, member.enrolled_on))
    return version if version is not None and version.document.contribution.basis.is_flat else None


def member_calls(
    member: Member, household: Sequence[Beneficiary], version: RuleVersion, period: ContributionPeriod
) -> list[NewCall]:
    """The calls of ``member`` for ``period`` under ``version``: one per payer
    owing something, and the registration fee in the period the member joined."""
    rule = version.document.contribution
    due_on = max(period.start, member.enrolled_on)
    persons = 1 + sum(
        1
        for beneficiary in household
        if in_household(beneficiary, due_on) and eligibility(member, household, beneficiary, version, due_on).eligible
    )
    facts = amounts.Household(
        category=MemberCategory(member.category),
        subsidy_group=SubsidyGroup(member.subsidy_group) if member.subsidy_group else None,
        persons=persons,
    )
    made = [
        NewCall(member.id, due.payer, CallKind.CONTRIBUTION, period, due_on, persons, due.amount, version.id)
        for due in amounts.member_dues(rule, facts, period, due_on)
    ]
    if rule.registration_fee and period.contains(member.enrolled_on):
        made.insert(
            0,
            NewCall(
                member.id, Payer.MEMBER, CallKind.REGISTRATION_FEE, period, due_on, 1, rule.registration_fee, version.id
            ),
        )
    return made


_INSERT = (
    "INSERT INTO contribution_calls (id, tenant_id, scheme_id, rule_version_id, member_id, employer_id, payer, kind,"
    " period, period_start, period_end, due_on, persons, amount, currency, created_at)"
    " SELECT id, $1, $2, rule_version_id, member_id, NULL, payer, kind, $3, $4, $5, due_on, persons, amount, $6, $7"
    " FROM unnest($8::uuid[], $9::uuid[], $10::uuid[], $11::text[], $12::text[], $13::date[], $14::int[],"
    " $15::bigint[]) AS c(id, rule_version_id, member_id, payer, kind, due_on, persons, amount)"
    " ON CONFLICT (tenant_id, kind, payer, period_start, member_id, employer_id, declaration_id) DO NOTHING"
    " RETURNING member_id, payer"
)


async def insert_calls(
    tx: Transaction, ctx: TenantContext, scheme_id: UUID, period: ContributionPeriod, calls: Sequence[NewCall]
) -> list[tuple[UUID, Payer]]:
    """Insert the calls not there yet, in one statement; the member and
    payer of each call created."""
    if not calls:
        return []
    rows = await tx.fetch(
        _INSERT,
        ctx.tenant_id,
        scheme_id,
        period.label,
        period.start,
        period.end,
        ctx.currency,
        datetime.now(UTC),
        [new_id() for _ in calls],
        [call.rule_version_id for call in calls],
        [call.member_id for call in calls],
        [call.payer.value for call in calls],
        [call.kind.value for call in calls],
        [call.due_on for call in calls],
        [call.persons for call in calls],
        [call.amount for call in calls],
    )
    return [(row["member_id"], Payer(row["payer"])) for row in rows]


def _payer_key(member_id: UUID, payer: Payer) -> ledger.PayerKey:
    """The ledger's key of a member's call's payer: the State pays for every
    member at once (an employer's calls come from its declarations)."""
    return ledger.PayerKey(payer, None if payer is Payer.STATE else member_id)


CALLED = (MemberStatus.PENDING, MemberStatus.ACTIVE, MemberStatus.SUSPENDED)
"""Members who owe contributions: every one not terminated."""


async def call_batch(
    tx: Transaction,
    ctx: TenantContext,
    scheme_id: UUID,
    versions: Sequence[RuleVersion],
    period: ContributionPeriod,
    *,
    after: UUID | None,
    limit: int,
) -> CallBatch:
    """Call ``period`` for up to ``limit`` members of the scheme after the
    member ``after`` (by id): those enrolled by the period's end and not
    terminated. The calls created settle at once with their payers' credit."""
    scope = within(ctx, Member)
    query = scope.objects().where(
        (Member.scheme_id == scheme_id) & Member.status.is_in(list(CALLED)) & (Member.enrolled_on <= period.end)
    )
    if after is not None:
        query = query.where(Member.id > after)
    members = await query.order_by(Member.id).limit(limit)
    if not members:
        return CallBatch(members=0, created=0, after=None)
    households: dict[UUID, list[Beneficiary]] = defaultdict(list)
    for beneficiary in await within(ctx, Beneficiary).among(
        Beneficiary.member_id, [member.id for member in members], Beneficiary.added_on, Beneficiary.id
    ):
        households[beneficiary.member_id].append(beneficiary)
    new: list[NewCall] = []
    used: dict[UUID, RuleVersion] = {}
    for member in members:
        version = version_for(versions, member, period)
        if version is None:
            continue
        used[version.id] = version
        new.extend(member_calls(member, households[member.id], version, period))
    # The payers' locks first, in the order a payment takes its locks (payer,
    # calls, rule version, audit chain): a payment of one of these members
    # running meanwhile waits for the batch, or the batch for it, never both.
    await ledger.lock_payer(tx, ctx, [_payer_key(call.member_id, call.payer) for call in new])
    created = await insert_calls(tx, ctx, scheme_id, period, new)
    if created:
        payers = sorted({_payer_key(member_id, payer) for member_id, payer in created})
        now = datetime.now(UTC)
        for payer_key in await ledger.with_credit(tx, ctx, payers):
            await ledger.settle(tx, ctx, payer_key, now)
        for version_id in used:
            await rules.mark_used(tx, ctx, version_id, period.end)
        await audit.record_change(
            tx, ctx, "contribution_call.create", "scheme", scheme_id, period=period.label, calls=str(len(created))
        )
    return CallBatch(
        members=len(members), created=len(created), after=members[-1].id if len(members) == limit else None
    )


async def call_member(tx: Transaction, ctx: TenantContext, member: Member, today: date) -> int:
    """Call the member's period under way, as the daily job would: a payment
    taken before the job's run settles the period it is meant for. The
    number of calls created."""
    if member.status not in CALLED:
        return 0
    versions = (await rules.versions_by_scheme(tx, ctx, [member.scheme_id])).get(member.scheme_id, [])
    current = rules.in_force(versions, today)
    if current is None:
        return 0
    period = period_of(current.document.contribution.period, today)
    version = version_for(versions, member, period)
    if version is None:
        return 0
    household = await within(ctx, Beneficiary).among(
        Beneficiary.member_id, [member.id], Beneficiary.added_on, Beneficiary.id
    )
    created = await insert_calls(tx, ctx, member.scheme_id, period, member_calls(member, household, version, period))
    if created:
        await rules.mark_used(tx, ctx, version.id, period.end)
        await audit.record_change(
            tx, ctx, "contribution_call.create", "member", member.id, period=period.label, calls=str(len(created))
        )
    return len(created)
