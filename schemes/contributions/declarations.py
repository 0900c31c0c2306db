"""Employers' declarations of salaries (IPM): each employee's gross salary
for a period, the employer's and the employee's shares computed under the
rule version in force, and the employer's call for the whole.

A declaration is written once. A correction is a new declaration naming the
one in force, which it replaces: the money that settled the replaced
declaration's call is released and settles the correction's call (or stays
the employer's credit), so what the employer owes follows the declaration
in force while every version stays readable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from schemes.contributions import amounts, enforcement, errors, ledger, payments, schedule
from schemes.contributions.ledger import Allocation, PayerKey
from schemes.contributions.periods import ContributionPeriod
from schemes.contributions.tables import CallKind, ContributionCall, DeclarationLine, EmployerDeclaration
from schemes.employers.errors import EmployerNotFound
from schemes.employers.tables import Employer
from schemes.members.tables import Employment, Member, MemberStatus
from schemes.rules import service as rules
from schemes.rules.errors import SchemeNotFound
from schemes.rules.model import ContributionBasis, ContributionRule, Payer
from schemes.rules.tables import Scheme
from tenants.audit import service as audit
from tenants.context import TenantContext
from tenants.scoping import within
from tenants.tx import Transaction

MAX_LINES = 5_000
"""Employees per declaration: more than the largest company IPM counts."""
NUMBER_MAX = 40
"""A staff or member number's length at most, as the employments keep them."""
MAX_REPORTED = 100
"""Line errors reported at once: a file wrong throughout says so in its first hundred lines."""


@dataclass(frozen=True)
class DeclaredSalary:
    """One employee's line as the employer gives it: who (staff number or
    member number) and the month's gross salary in minor units."""

    salary: int
    staff_number: str | None = None
    member_number: str | None = None


@dataclass(frozen=True)
class NewDeclaration:
    """An employer's declaration of one period, or the correction of the one in force (``replaces_id``)."""

    employer_id: UUID
    scheme_id: UUID
    period: str
    lines: Sequence[DeclaredSalary]
    idempotency_key: str
    replaces_id: UUID | None = None
    note: str = ""


@dataclass(frozen=True)
class Filed:
    """A declaration filed, or found filed by an earlier request with the same key."""

    declaration: EmployerDeclaration
    replayed: bool = False


@dataclass(frozen=True)
class Computed:
    """A line's salary, the part the rate applies to and the two shares."""

    member_id: UUID
    staff_number: str | None
    salary: int
    base: int
    employer_share: int
    employee_share: int


def shares_of(rule: ContributionRule, member_id: UUID, staff_number: str | None, salary: int) -> Computed:
    """One employee's contribution on ``salary`` under ``rule``, split between employer and employee."""
    dues = amounts.split(rule, amounts.rate_amount(rule, salary))
    return Computed(
        member_id=member_id,
        staff_number=staff_number,
        salary=salary,
        base=amounts.counted_base(rule, salary),
        employer_share=sum(due.amount for due in dues if due.payer is Payer.EMPLOYER),
        employee_share=sum(due.amount for due in dues if due.payer is not Payer.EMPLOYER),
    )


def _salary_based(rule: ContributionRule) -> bool:
    return rule.basis is ContributionBasis.SALARY_RATE


def _key(value: str | None) -> str | None:
    text = (value or "").strip().upper()
    return text or None


async def _employees(
    ctx: TenantContext, employer_id: UUID, scheme_id: UUID, period: ContributionPeriod
) -> tuple[dict[str, tuple[UUID, str | None]], dict[str, tuple[UUID, str | None]]]:
    """The scheme's members working for the employer during ``period``, not
    terminated, by staff number and by member number (upper case): each
    with their id and staff number."""
    jobs = (
        await within(ctx, Employment)
        .select(Employment.member_id, Employment.staff_number)
        .where(
            (Employment.employer_id == employer_id)
            & ((Employment.started_on.is_null()) | (Employment.started_on <= period.end))
            & ((Employment.ended_on.is_null()) | (Employment.ended_on >= period.start))
        )
    )
    staff = {row["member_id"]: row["staff_number"] for row in jobs}
    members = (
        await within(ctx, Member)
        .select(Member.id, Member.number)
        .where(
            Member.id.is_in(list(staff))
            & (Member.scheme_id == scheme_id)
            & (Member.status != MemberStatus.TERMINATED.value)
        )
        if staff
        else []
    )
    by_staff: dict[str, tuple[UUID, str | None]] = {}
    by_number: dict[str, tuple[UUID, str | None]] = {}
    for row in members:
        number = staff[row["id"]]
        if number:
            by_staff[number.strip().upper()] = (row["id"], number)
        by_number[row["number"].upper()] = (row["id"], number)
    return by_staff, by_number


async def _computed(
    ctx: TenantContext, data: NewDeclaration, rule: ContributionRule, period: ContributionPeriod
) -> list[Computed]:
    """Every line of ``data`` matched to its employee and computed; refused
    with the errors of up to :data:`MAX_REPORTED` lines at once."""
    by_staff, by_number = await _employees(ctx, data.employer_id, data.scheme_id, period)
    found: list[errors.ContributionError] = []
    made: list[Computed] = []
    seen: dict[UUID, int] = {}
    for index, line in enumerate(data.lines):
        at = ("input", "lines", str(index))
        staff_number, member_number = _key(line.staff_number), _key(line.member_number)
        if not 0 < line.salary <= payments.MAX_AMOUNT:
            found.append(errors.InvalidAmount(path=(*at, "salary"), amount=line.salary))
        if staff_number is None and member_number is None:
            found.append(errors.EmployeeRequired(path=(*at, "staffNumber")))
            continue
        field = "staffNumber" if staff_number else "memberNumber"
        if len(staff_number or member_number or "") > NUMBER_MAX:
            found.append(errors.TextTooLong(path=(*at, field), maximum=NUMBER_MAX))
            continue
        match = by_staff.get(staff_number) if staff_number else by_number.get(member_number or "")
        if match is None:
            found.append(errors.EmployeeNotFound(path=(*at, field), number=staff_number or member_number or ""))
            continue
        member_id, staff = match
        if member_id in seen:
            found.append(errors.EmployeeTwice(path=at, line=seen[member_id] + 1))
            continue
        seen[member_id] = index
        if 0 < line.salary <= payments.MAX_AMOUNT:
            made.append(shares_of(rule, member_id, staff, line.salary))
    if found:
        raise errors.ContributionError.all_of(found[:MAX_REPORTED])
    return made


async def _by_key(ctx: TenantContext, key: str) -> EmployerDeclaration | None:
    return await within(ctx, EmployerDeclaration).objects().where(EmployerDeclaration.idempotency_key == key).first()


async def in_force(
    ctx: TenantContext, employer_id: UUID, scheme_id: UUID, period_start: date
) -> EmployerDeclaration | None:
    """The employer's declaration in force for the period: the latest version."""
    found: EmployerDeclaration | None = (
        await within(ctx, EmployerDeclaration)
        .objects()
        .where(
            (EmployerDeclaration.employer_id == employer_id)
            & (EmployerDeclaration.scheme_id == scheme_id)
            & (EmployerDeclaration.period_start == period_start)
        )
        .order_by(EmployerDeclaration.version, ascending=False)
        .first()
    )
    return found


async def _release(tx: Transaction, ctx: TenantContext, declaration_id: UUID, now: datetime) -> None:
    """Undo what settled the calls of a declaration being replaced: its
    payments' money is the employer's credit again."""
    rows = await tx.fetch(
        "SELECT a.payment_id, a.call_id, sum(a.amount) AS amount FROM payment_allocations a"
        " JOIN contribution_calls c ON c.tenant_id = $1 AND c.id = a.call_id"
        " WHERE a.tenant_id = $1 AND c.declaration_id = $2"
        " GROUP BY a.payment_id, a.call_id HAVING sum(a.amount) <> 0",
        ctx.tenant_id,
        declaration_id,
    )
    undone = [Allocation(row["payment_id"], row["call_id"], -int(row["amount"])) for row in rows]
    await ledger.write(tx, ctx, undone, now)


async def file_declaration(tx: Transaction, ctx: TenantContext, data: NewDeclaration, now: datetime) -> Filed:
    """File an employer's declaration of salaries for a period, or correct
    the one in force, and call the employer for its share and its
    employees'. A replay of the key returns the declaration filed with it."""
    key = payments.checked_key(data.idempotency_key)
    note = payments.checked_note(data.note, "note")
    employer = await within(ctx, Employer).objects().where(Employer.id == data.employer_id).first()
    if employer is None:
        raise EmployerNotFound(path=("input", "employer"))
    if not await within(ctx, Scheme).exists().where(Scheme.id == data.scheme_id):
        raise SchemeNotFound(path=("input", "scheme"))
    versions = sorted(
        (await rules.versions_by_scheme(tx, ctx, [data.scheme_id])).get(data.scheme_id, []),
        key=lambda version: version.effective_from,
    )
    if versions and not any(_salary_based(version.document.contribution) for version in versions):
        raise errors.NotSalaryBased(path=("input", "scheme"))
    period = schedule.period_named(versions, data.period)
    version = rules.in_force(versions, period.end)
    if version is None:
        raise errors.NoRuleInForce(path=("input", "period"), period=period.label)
    rule = version.document.contribution
    if not _salary_based(rule):
        raise errors.NotSalaryBased(path=("input", "scheme"))
    if period.start > now.date():
        raise errors.PeriodNotStarted(path=("input", "period"), period=period.label)
    if len(data.lines) > MAX_LINES:
        raise errors.TooManyLines(path=("input", "lines"), maximum=MAX_LINES)
    if not data.lines and data.replaces_id is None:
        raise errors.LinesRequired(path=("input", "lines"))
    lines = await _computed(ctx, data, rule, period)
    payer = PayerKey(Payer.EMPLOYER, employer.id)
    await ledger.lock_payer(tx, ctx, [payer])
    earlier = await _by_key(ctx, key)
    if earlier is not None:
        if (earlier.employer_id, earlier.scheme_id, earlier.period_start) != (
            employer.id,
            data.scheme_id,
            period.start,
        ):
            raise errors.DeclarationKeyReused(path=("input", "idempotencyKey"), period=earlier.period)
        return Filed(declaration=earlier, replayed=True)
    current = await in_force(ctx, employer.id, data.scheme_id, period.start)
    if data.replaces_id is None:
        if current is not None:
            raise errors.DeclarationExists(path=("input", "period"), period=period.label, version=current.version)
    else:
        replaced = (
            await within(ctx, EmployerDeclaration).objects().where(EmployerDeclaration.id == data.replaces_id).first()
        )
        if (
            replaced is None
            or current is None
            or (replaced.employer_id, replaced.scheme_id, replaced.period_start)
            != (employer.id, data.scheme_id, period.start)
        ):
            raise errors.DeclarationNotFound(path=("input", "replaces"))
        if replaced.id != current.id:
            raise errors.DeclarationSuperseded(path=("input", "replaces"), version=current.version)
    declaration = within(ctx, EmployerDeclaration).new(
        employer_id=employer.id,
        scheme_id=data.scheme_id,
        rule_version_id=version.id,
        period=period.label,
        period_start=period.start,
        period_end=period.end,
        version=current.version + 1 if current else 1,
        replaces_id=current.id if current else None,
        employees=len(lines),
        salaries=sum(line.salary for line in lines),
        employer_share=sum(line.employer_share for line in lines),
        employee_share=sum(line.employee_share for line in lines),
        amount=sum(line.employer_share + line.employee_share for line in lines),
        currency=ctx.currency,
        note=note,
        idempotency_key=key,
        **payments.recorder(ctx, "filed_by"),
        created_at=now,
    )
    await within(ctx, EmployerDeclaration).insert(declaration)
    if lines:
        scope = within(ctx, DeclarationLine)
        await scope.insert(
            *(
                scope.new(
                    declaration_id=declaration.id,
                    line=index + 1,
                    member_id=line.member_id,
                    staff_number=line.staff_number,
                    salary=line.salary,
                    base=line.base,
                    employer_share=line.employer_share,
                    employee_share=line.employee_share,
                )
                for index, line in enumerate(lines)
            )
        )
    if current is not None:
        await _release(tx, ctx, current.id, now)
    if declaration.amount:
        await within(ctx, ContributionCall).insert(
            within(ctx, ContributionCall).new(
                scheme_id=data.scheme_id,
                rule_version_id=version.id,
                employer_id=employer.id,
                declaration_id=declaration.id,
                payer=Payer.EMPLOYER.value,
                kind=CallKind.CONTRIBUTION.value,
                period=period.label,
                period_start=period.start,
                period_end=period.end,
                # The salaries of a period are paid at its end: their contributions are due the day after.
                due_on=period.next().start,
                persons=len(lines),
                amount=declaration.amount,
                currency=ctx.currency,
                created_at=now,
            )
        )
        await rules.mark_used(tx, ctx, version.id, period.end)
    await ledger.settle(tx, ctx, payer, now)
    await enforcement.follow(tx, ctx, payer, now.date())
    await audit.record_change(
        tx,
        ctx,
        "employer_declaration.correct" if current else "employer_declaration.file",
        "employer",
        employer.id,
        declaration=str(declaration.id),
        period=period.label,
        version=str(declaration.version),
        employees=str(declaration.employees),
        amount=str(declaration.amount),
    )
    return Filed(declaration=declaration)
