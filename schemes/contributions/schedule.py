"""Running the calls of a period: for one scheme (a manager's request), or
for every scheme of a tenant whose period is under way or about to start
(the daily job). Each batch of members is its own transaction, so a run
that stops keeps what it did and the next run finishes it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from schemes.contributions import calls, errors
from schemes.contributions.periods import ContributionPeriod, parse_period, period_of
from schemes.rules import service as rules
from schemes.rules.service import RuleVersion
from schemes.rules.tables import Scheme, SchemeStatus
from tenants.context import TenantContext
from tenants.scoping import within
from tenants.tx import tenant_tx

BATCH = 500
"""Members called per transaction."""
LEAD_DAYS = 10
"""A period is called this many days before it starts, so its reminders can go out before it is due."""


@dataclass(frozen=True)
class PeriodRun:
    """What calling one scheme's period did."""

    scheme_id: UUID
    period: ContributionPeriod
    members: int
    created: int


def period_named(versions: Sequence[RuleVersion], label: str) -> ContributionPeriod:
    """The period ``label`` names, in the kind of period (month, quarter,
    year) of the scheme's rule in force by its end; refused when the label
    names no period of the scheme or no rule is in force then."""
    named = False
    for kind in dict.fromkeys(version.document.contribution.period for version in versions):
        period = parse_period(kind, label)
        if period is None:
            continue
        named = True
        version = rules.in_force(versions, period.end)
        if version is not None and version.document.contribution.period is kind:
            return period
    if named:
        raise errors.NoRuleInForce(path=("input", "period"), period=label.strip())
    raise errors.InvalidPeriod(path=("input", "period"), period=label.strip()[:20])


def checked_for_calls(versions: Sequence[RuleVersion], period: ContributionPeriod) -> RuleVersion:
    """The version a period is called under, refused when none is in force
    by its end or when its basis is a rate (called from declarations)."""
    version = rules.in_force(versions, period.end)
    if version is None:
        raise errors.NoRuleInForce(path=("input", "period"), period=period.label)
    if not version.document.contribution.basis.is_flat:
        raise errors.RateBasisNotCalled(path=("input", "scheme"))
    return version


async def scheme_versions(ctx: TenantContext, scheme_id: UUID) -> list[RuleVersion]:
    """The scheme's rule versions, oldest first."""
    async with tenant_tx(ctx) as tx:
        found = await rules.versions_by_scheme(tx, ctx, [scheme_id])
    return sorted(found.get(scheme_id, []), key=lambda version: version.effective_from)


async def run_period(
    ctx: TenantContext, scheme_id: UUID, versions: Sequence[RuleVersion], period: ContributionPeriod
) -> PeriodRun:
    """Call ``period`` for every member of the scheme, batch after batch."""
    members = created = 0
    after: UUID | None = None
    while True:
        async with tenant_tx(ctx) as tx:
            batch = await calls.call_batch(tx, ctx, scheme_id, versions, period, after=after, limit=BATCH)
        members += batch.members
        created += batch.created
        if batch.after is None:
            return PeriodRun(scheme_id=scheme_id, period=period, members=members, created=created)
        after = batch.after


def periods_due(versions: Sequence[RuleVersion], today: date) -> list[ContributionPeriod]:
    """The periods to call on ``today``: the one under way, and the next
    when it starts within :data:`LEAD_DAYS`, each under a flat rule in force."""
    found: list[ContributionPeriod] = []
    for day in (today, today + timedelta(days=LEAD_DAYS)):
        version = rules.in_force(versions, day)
        if version is None or not version.document.contribution.basis.is_flat:
            continue
        period = period_of(version.document.contribution.period, day)
        if period not in found:
            found.append(period)
    return found


async def run_due(ctx: TenantContext, today: date) -> list[PeriodRun]:
    """Call the periods due on ``today`` of every active scheme of the tenant."""
    async with tenant_tx(ctx):
        schemes = await within(ctx, Scheme).select(Scheme.id).where(Scheme.status == SchemeStatus.ACTIVE)
    runs: list[PeriodRun] = []
    for scheme in schemes:
        versions = await scheme_versions(ctx, scheme["id"])
        for period in periods_due(versions, today):
            runs.append(await run_period(ctx, scheme["id"], versions, period))
    return runs
