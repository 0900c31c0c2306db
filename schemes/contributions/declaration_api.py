"""GraphQL types, queries and mutations of employers' declarations of
salaries: filing and correcting a period's declaration, the tenant's
declarations, each one's lines and call, and an employer's account."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import UTC, date, datetime
from uuid import UUID

import strawberry
from strawberry import relay

from schemes.contributions import declaration_reads, declarations, errors, loaders, reads
from schemes.contributions.api import NOTHING
from schemes.contributions.declaration_reads import DeclarationFilter
from schemes.contributions.ledger import PayerKey
from schemes.contributions.tables import DeclarationLine as LineRow
from schemes.contributions.tables import EmployerDeclaration as DeclarationRow
from schemes.contributions.types import MINOR, ContributionCall, member_view
from schemes.employers.api import Employer, load_employer
from schemes.employers.errors import EmployerNotFound
from schemes.employers.tables import Employer as EmployerRow
from schemes.members.types import Member, scheme_views
from schemes.rules.api import Scheme
from schemes.rules.errors import SchemeNotFound
from schemes.rules.model import Payer
from tenants.context import TenantContext
from tenants.errors import InvalidText
from tenants.graphql import Info, decode_id, field, loaded, nodes_by_id, settled, tenant_of
from tenants.mutations import mutation
from tenants.pagination import Connection, InvalidCursor, decode_cursor, encode_cursor, page, page_size, tenant_page
from tenants.permissions import Permission
from tenants.scalars import Amount
from tenants.scoping import within
from tenants.tx import Transaction, tenant_tx


@strawberry.type(description="One employee of a declaration: the salary declared and the two shares computed on it.")
class EmployerDeclarationLine:
    line: int = strawberry.field(description="The employee's place in the declaration, from 1.")
    staff_number: str | None = strawberry.field(description="The employee's staff number (matricule) at the employer.")
    salary: Amount = strawberry.field(description=f"The gross salary declared, {MINOR}.")
    base: Amount = strawberry.field(
        description=f"The part of the salary the rate applies to, between the rule's floor and ceiling, {MINOR}."
    )
    employer_share: Amount = strawberry.field(description=f"{MINOR}.")
    employee_share: Amount = strawberry.field(description=f"Withheld from the salary, {MINOR}.")
    _member_id: strawberry.Private[UUID]

    @classmethod
    def of(cls, row: LineRow) -> EmployerDeclarationLine:
        """The GraphQL view of a declaration's line."""
        return cls(
            line=row.line,
            staff_number=row.staff_number,
            salary=Amount(row.salary),
            base=Amount(row.base),
            employer_share=Amount(row.employer_share),
            employee_share=Amount(row.employee_share),
            _member_id=row.member_id,
        )

    @field("The employee. Requires `members:read`.", permission=Permission.MEMBERS_READ)
    async def member(self, info: Info) -> Member | None:
        return await member_view(info, self._member_id)


@strawberry.type(
    description="An employer's declaration of its employees' gross salaries for one period (déclaration des "
    "salaires), and the contribution computed from it. A correction is a new version replacing the one in force."
)
class EmployerDeclaration(relay.Node):
    id: relay.NodeID[UUID]
    period: str = strawberry.field(description="`2026-12` (month), `2026-T4` (quarter) or `2026` (year).")
    period_start: date
    period_end: date
    version: int = strawberry.field(description="1 for the first declaration of the period, then one per correction.")
    employees: int
    salaries: Amount = strawberry.field(description=f"The gross salaries declared, summed, {MINOR}.")
    employer_share: Amount = strawberry.field(description=f"{MINOR}.")
    employee_share: Amount = strawberry.field(description=f"Withheld from the salaries, {MINOR}.")
    amount: Amount = strawberry.field(description=f"The employer's call: both shares, {MINOR}.")
    currency: str
    note: str = strawberry.field(description="Why a correction was filed.")
    filed_by_name: str = strawberry.field(description="Who filed it (a manager, a partner application).")
    created_at: datetime
    _row: strawberry.Private[DeclarationRow]

    @classmethod
    def of(cls, row: DeclarationRow) -> EmployerDeclaration:
        """The GraphQL view of a declaration row."""
        return cls(
            id=row.id,
            period=row.period,
            period_start=row.period_start,
            period_end=row.period_end,
            version=row.version,
            employees=row.employees,
            salaries=Amount(row.salaries),
            employer_share=Amount(row.employer_share),
            employee_share=Amount(row.employee_share),
            amount=Amount(row.amount),
            currency=row.currency,
            note=row.note,
            filed_by_name=row.filed_by_name,
            created_at=row.created_at,
            _row=row,
        )

    @field(
        "The employer who filed it. Requires `members:read`.",
        permission=Permission.MEMBERS_READ,
    )
    async def employer(self, info: Info) -> Employer | None:
        return await load_employer(info, self._row.employer_id)

    @field("The scheme declared for.", graphql_type=Scheme | None)
    def scheme(self, info: Info) -> Scheme | Awaitable[Scheme | None] | None:
        return loaded(info.context.loaders.get(scheme_views).load(self._row.scheme_id))

    @field("Whether this is the period's declaration in force: no correction replaced it.")
    async def in_force(self, info: Info) -> bool:
        return await info.context.loaders.get(loaders.replacements_by_declaration).load(self.id) is None

    @field("The declaration this one corrects.")
    async def replaces(self, info: Info) -> EmployerDeclaration | None:
        if self._row.replaces_id is None:
            return None
        return _view(await info.context.loaders.get(loaders.declarations_by_id).load(self._row.replaces_id))

    @field("The correction that replaced this declaration.")
    async def replaced_by(self, info: Info) -> EmployerDeclaration | None:
        correction = await info.context.loaders.get(loaders.replacements_by_declaration).load(self.id)
        if correction is None:
            return None
        return _view(await info.context.loaders.get(loaders.declarations_by_id).load(correction))

    @field(
        "The employer's call made from it, and what is settled of it; null for a declaration of no amount. The "
        "call of a declaration replaced no longer counts: its money settles the correction's.",
        graphql_type=ContributionCall | None,
    )
    def call(self, info: Info) -> ContributionCall | Awaitable[ContributionCall | None] | None:
        return settled(
            info.context.loaders.get(loaders.calls_by_declaration).load(self.id),
            lambda row: ContributionCall.of(row) if row is not None else None,
        )

    @field("The declaration's employees in their order. `first` is at most 100.")
    async def lines(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[EmployerDeclarationLine]:
        limit = page_size(first)
        start = decode_cursor(after, int)[0] if after else 0
        if not 0 <= start <= declarations.MAX_LINES:
            raise InvalidCursor(path=("after",))
        # One row more than the page tells whether a next page exists.
        rows = await info.context.loaders.get(loaders.lines_by_page).load((self.id, start, limit + 1))
        employees = self.employees

        async def count() -> int:
            return employees

        return page(
            rows,
            limit,
            node=EmployerDeclarationLine.of,
            cursor=lambda row: encode_cursor(row.line),
            count=count,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: list[str], required: bool = False
    ) -> list[EmployerDeclaration | None]:
        async def load(tx: Transaction, ctx: TenantContext, ids: list[UUID]) -> list[DeclarationRow]:
            return await declaration_reads.declarations_by_id(ctx, ids)

        return await nodes_by_id(info, node_ids, Permission.CONTRIBUTIONS_READ, load, cls.of)


def _view(row: DeclarationRow | None) -> EmployerDeclaration | None:
    return EmployerDeclaration.of(row) if row is not None else None


@strawberry.type(description="A declaration filed, or the one an earlier request with the same idempotency key filed.")
class EmployerDeclarationFiling:
    declaration: EmployerDeclaration
    already_filed: bool = strawberry.field(
        description="The idempotency key was already used: this is the declaration filed then, unchanged."
    )


@strawberry.type(
    description=f"An employer's account as payer, {MINOR}: `balance` = `due` − `paid` = `outstanding` − `credit`."
)
class EmployerStatement:
    due: Amount = strawberry.field(description="Called from the employer by its declarations in force.")
    paid: Amount = strawberry.field(description="Paid by the employer, reversals deducted.")
    outstanding: Amount = strawberry.field(description="Left to pay on its calls.")
    credit: Amount = strawberry.field(description="Paid and not settling any call yet: it settles the next calls.")
    balance: Amount = strawberry.field(description="What the employer owes; negative when in credit.")
    currency: str


@strawberry.input(description="One employee's line: who, by staff number or member number, and the gross salary.")
class DeclaredSalaryInput:
    salary: Amount = strawberry.field(description=f"The period's gross salary, {MINOR}.")
    staff_number: str | None = strawberry.field(
        default=None, description="The staff number (matricule) the employee's employment records."
    )
    member_number: str | None = strawberry.field(
        default=None, description="The member number, for an employee whose employment records no staff number."
    )


@strawberry.input(description="An employer's declaration of salaries for one period, or its correction.")
class EmployerDeclarationFileInput:
    employer: relay.GlobalID
    scheme: relay.GlobalID
    period: str = strawberry.field(description="`2026-12` (month), `2026-T4` (quarter) or `2026` (year).")
    lines: list[DeclaredSalaryInput] = strawberry.field(
        description=f"Every employee of the period, at most {declarations.MAX_LINES}; a correction with none "
        "withdraws the declaration."
    )
    idempotency_key: str = strawberry.field(
        description="Made by the client once per declaration (a UUID) and sent again with every retry."
    )
    replaces: relay.GlobalID | None = strawberry.field(
        default=None, description="For a correction: the declaration in force it replaces."
    )
    note: str = strawberry.field(default="", description="Why a correction is filed.")


@strawberry.input(description="Which declarations: each condition given narrows the list.")
class EmployerDeclarationFilter:
    employer: relay.GlobalID | None = None
    scheme: relay.GlobalID | None = None
    period: str | None = strawberry.field(default=None, description="`2026-12`, `2026-T4` or `2026`.")
    in_force: bool = strawberry.field(default=False, description="Only the declarations no correction replaced.")


def _filter(given: EmployerDeclarationFilter | None) -> DeclarationFilter:
    if given is None:
        return DeclarationFilter()
    return DeclarationFilter(
        employer_id=(decode_id(given.employer, "Employer") or NOTHING) if given.employer else None,
        scheme_id=(decode_id(given.scheme, "Scheme") or NOTHING) if given.scheme else None,
        period=given.period.strip().upper()[:7] if given.period else None,
        in_force_only=given.in_force,
    )


@strawberry.type
class Query:
    @field(
        "The employers' declarations of the caller's tenant, the latest period first and of a period the latest "
        "version first. Requires `contributions:read`; `first` is at most 100.",
        permission=Permission.CONTRIBUTIONS_READ,
    )
    async def employer_declarations(
        self,
        info: Info,
        filter: EmployerDeclarationFilter | None = None,  # noqa: A002
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[EmployerDeclaration]:
        where = _filter(filter)

        async def rows(
            tx: Transaction, ctx: TenantContext, *, after: tuple[date, int, UUID] | None, limit: int
        ) -> list[DeclarationRow]:
            return await declaration_reads.list_declarations(tx, ctx, where, after=after, limit=limit)

        async def count(tx: Transaction, ctx: TenantContext) -> int:
            return await declaration_reads.count_declarations(tx, ctx, where)

        return await tenant_page(
            tenant_of(info),
            first,
            after,
            (date, int, UUID),
            rows=rows,
            count=count,
            node=EmployerDeclaration.of,
            key=declaration_reads.declaration_key,
        )

    @field(
        "An employer's account as payer: called by its declarations in force, paid, left to pay, in credit. Null "
        "if the caller's tenant has no such employer. Requires `contributions:read`.",
        permission=Permission.CONTRIBUTIONS_READ,
    )
    async def employer_statement(self, info: Info, employer: relay.GlobalID) -> EmployerStatement | None:
        context = tenant_of(info)
        employer_id = decode_id(employer, "Employer")
        if employer_id is None:
            return None
        async with tenant_tx(context) as tx:
            if not await within(context, EmployerRow).exists().where(EmployerRow.id == employer_id):
                return None
            statement = await reads.payer_statement(tx, context, PayerKey(Payer.EMPLOYER, employer_id))
        return EmployerStatement(
            due=Amount(statement.due),
            paid=Amount(statement.paid),
            outstanding=Amount(statement.outstanding),
            credit=Amount(statement.credit),
            balance=Amount(statement.balance),
            currency=context.currency,
        )


def _lines(given: list[DeclaredSalaryInput]) -> list[declarations.DeclaredSalary]:
    return [
        declarations.DeclaredSalary(
            salary=line.salary, staff_number=line.staff_number, member_number=line.member_number
        )
        for line in given
    ]


@strawberry.type
class Mutation:
    @mutation(
        "File an employer's declaration of salaries for a period begun, or correct the one in force "
        "(`replaces`): each employee's contribution is computed on their salary under the rule version in force "
        "(rate, floor, ceiling, the employer's and the employee's shares) and the employer is called for the "
        "whole. A correction releases the money that settled the replaced declaration: it settles the "
        "correction's call, the rest is the employer's credit. Requires `contributions:write`.",
        errors=[
            EmployerNotFound,
            SchemeNotFound,
            errors.InvalidPeriod,
            errors.NoRuleInForce,
            errors.NotSalaryBased,
            errors.PeriodNotStarted,
            errors.TooManyLines,
            errors.LinesRequired,
            errors.InvalidAmount,
            errors.EmployeeRequired,
            errors.EmployeeNotFound,
            errors.EmployeeTwice,
            errors.DeclarationExists,
            errors.DeclarationNotFound,
            errors.DeclarationSuperseded,
            errors.InvalidIdempotencyKey,
            errors.DeclarationKeyReused,
            errors.TextTooLong,
            InvalidText,
        ],
        permission=Permission.CONTRIBUTIONS_WRITE,
    )
    async def employer_declaration_file(
        self,
        info: Info,
        input: EmployerDeclarationFileInput,  # noqa: A002
    ) -> EmployerDeclarationFiling:
        context = tenant_of(info)
        employer_id = decode_id(input.employer, "Employer")
        if employer_id is None:
            raise EmployerNotFound(path=("input", "employer"))
        scheme_id = decode_id(input.scheme, "Scheme")
        if scheme_id is None:
            raise SchemeNotFound(path=("input", "scheme"))
        replaces_id = decode_id(input.replaces, "EmployerDeclaration") if input.replaces else None
        if input.replaces is not None and replaces_id is None:
            raise errors.DeclarationNotFound(path=("input", "replaces"))
        data = declarations.NewDeclaration(
            employer_id=employer_id,
            scheme_id=scheme_id,
            period=input.period,
            lines=_lines(input.lines),
            idempotency_key=input.idempotency_key,
            replaces_id=replaces_id,
            note=input.note,
        )
        async with tenant_tx(context) as tx:
            filed = await declarations.file_declaration(tx, context, data, datetime.now(UTC))
        return EmployerDeclarationFiling(
            declaration=EmployerDeclaration.of(filed.declaration), already_filed=filed.replayed
        )
