"""GraphQL types, queries and mutations of schemes (régimes) and their rule versions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from uuid import UUID

import strawberry
from strawberry import relay

from schemes.rules import errors, loaders
from schemes.rules import service as scheme_service
from schemes.rules.inputs import (
    SchemeCreateInput,
    SchemeRuleVersionCreateInput,
    SchemeRuleVersionUpdateInput,
    SchemeUpdateInput,
    rule_document,
)
from schemes.rules.model import (
    BenefitLine,
    Branch,
    CareCategory,
    ContributionBasis,
    ContributionRule,
    DependentsRule,
    FacilityLevel,
    MemberCategory,
    Payer,
    Period,
    RightsRule,
    SubsidyGroup,
)
from schemes.rules.service import RuleVersion
from schemes.rules.tables import Scheme as SchemeRow
from schemes.rules.tables import SchemeStatus
from tenants.graphql import Info, decode_id, field, node_uuids, tenant_of
from tenants.mutations import mutation
from tenants.pagination import Connection, tenant_page
from tenants.permissions import Permission
from tenants.tables import columns
from tenants.tx import tenant_tx

BP = "in basis points (10,000 = 100 %)"
MINOR = "in the currency's minor unit (XOF and XAF have none); see `currency`"


def _today() -> date:
    return datetime.now(UTC).date()


@strawberry.type(description="The part of a contribution one payer pays.")
class PayerShareType:
    payer: Payer
    share: int = strawberry.field(description=f"Part of the whole contribution, {BP}.")


@strawberry.type(name="ContributionRule", description="How much is due each period and who pays it.")
class ContributionRuleType:
    basis: ContributionBasis
    period: Period
    amount: int | None = strawberry.field(description=f"Per period, for a flat basis, {MINOR}.")
    rate: int | None = strawberry.field(description=f"Of the income or salary, for a rate basis, {BP}.")
    income_floor: int | None = strawberry.field(
        description=f"The least income or salary counted (a lower one counts as this), {MINOR}."
    )
    income_ceiling: int | None = strawberry.field(description=f"Income or salary counted at most, {MINOR}.")
    registration_fee: int = strawberry.field(description=f"Paid once at the first enrolment, {MINOR}.")
    first_period_pro_rata: bool = strawberry.field(
        description="Whether a member joining during a period owes for its days left only (else the whole period)."
    )
    shares: list[PayerShareType]
    subsidised_categories: list[MemberCategory] = strawberry.field(description="Categories the State pays for whole.")
    subsidy_groups: list[SubsidyGroup] = strawberry.field(description="Households the State pays for whole.")

    @classmethod
    def of(cls, rule: ContributionRule) -> ContributionRuleType:
        return cls(
            basis=rule.basis,
            period=rule.period,
            amount=rule.amount,
            rate=rule.rate,
            income_floor=rule.income_floor,
            income_ceiling=rule.income_ceiling,
            registration_fee=rule.registration_fee,
            first_period_pro_rata=rule.first_period_pro_rata,
            shares=[PayerShareType(payer=s.payer, share=s.share) for s in rule.shares],
            subsidised_categories=list(rule.subsidised_categories),
            subsidy_groups=list(rule.subsidy_groups),
        )


@strawberry.type(
    name="WaitingPeriod", description="Days after the opening of rights before a care category is covered (stage)."
)
class WaitingPeriodType:
    care_category: CareCategory
    days: int


@strawberry.type(name="RightsRule", description="When rights open and when unpaid contributions suspend them.")
class RightsRuleType:
    waiting_periods: list[WaitingPeriodType]
    grace_days: int = strawberry.field(description="Days after a due date during which rights stay open unpaid.")
    unpaid_periods_before_suspension: int

    @classmethod
    def of(cls, rule: RightsRule) -> RightsRuleType:
        return cls(
            waiting_periods=[
                WaitingPeriodType(care_category=w.care_category, days=w.days) for w in rule.waiting_periods
            ],
            grace_days=rule.grace_days,
            unpaid_periods_before_suspension=rule.unpaid_periods_before_suspension,
        )


@strawberry.type(name="BenefitLine", description="What the scheme pays for one care category at one facility level.")
class BenefitLineType:
    care_category: CareCategory
    facility_level: FacilityLevel
    coverage_rate: int | None = strawberry.field(description=f"Share of the price paid, {BP}.")
    fixed_amount: int | None = strawberry.field(description=f"Paid per event instead of a rate, {MINOR}.")
    ceiling_per_event: int | None = strawberry.field(description=f"At most per event, {MINOR}.")
    ceiling_per_beneficiary_year: int | None = strawberry.field(
        description=f"At most per beneficiary per year, {MINOR}."
    )
    ceiling_per_household_year: int | None = strawberry.field(description=f"At most per household per year, {MINOR}.")
    max_count_per_year: int | None = strawberry.field(description="Most events covered per beneficiary per year.")
    prior_authorisation: bool = strawberry.field(description="Whether care needs the scheme's agreement first.")

    @classmethod
    def of(cls, line: BenefitLine) -> BenefitLineType:
        return cls(
            care_category=line.care_category,
            facility_level=line.facility_level,
            coverage_rate=line.coverage_rate,
            fixed_amount=line.fixed_amount,
            ceiling_per_event=line.ceiling_per_event,
            ceiling_per_beneficiary_year=line.ceiling_per_beneficiary_year,
            ceiling_per_household_year=line.ceiling_per_household_year,
            max_count_per_year=line.max_count_per_year,
            prior_authorisation=line.prior_authorisation,
        )


@strawberry.type(name="DependentsRule", description="Who of a member's household is covered.")
class DependentsRuleType:
    child_age_limit: int = strawberry.field(description="Children are covered until this birthday.")
    student_age_limit: int | None = strawberry.field(description="Studying children are covered until this birthday.")
    spouses_allowed: int | None = strawberry.field(description="Spouses covered at most; null for no limit.")
    husband_covered: bool = strawberry.field(description="Whether a woman member may cover her husband.")
    others_admitted: bool = strawberry.field(description="Whether dependants other than spouses and children are.")

    @classmethod
    def of(cls, rule: DependentsRule) -> DependentsRuleType:
        return cls(
            child_age_limit=rule.child_age_limit,
            student_age_limit=rule.student_age_limit,
            spouses_allowed=rule.spouses_allowed,
            husband_covered=rule.husband_covered,
            others_admitted=rule.others_admitted,
        )


@strawberry.type(
    description="One version of a scheme's rules, in force from its effective date until the next version's."
)
class SchemeRuleVersion(relay.Node):
    id: relay.NodeID[UUID]
    number: int = strawberry.field(description="1 for the scheme's first version, then 2, 3...")
    effective_from: date
    used_through: date | None = strawberry.field(
        description="End of the last period called under this version; once set, the version cannot be edited."
    )
    currency: str = strawberry.field(description="ISO 4217 code of every amount of the version.")
    contribution: ContributionRuleType
    rights: RightsRuleType
    benefits: list[BenefitLineType]
    dependents: DependentsRuleType

    @classmethod
    def of(cls, version: RuleVersion, currency: str) -> SchemeRuleVersion:
        document = version.document
        return cls(
            id=version.id,
            number=version.number,
            effective_from=version.effective_from,
            used_through=version.used_through,
            currency=currency,
            contribution=ContributionRuleType.of(document.contribution),
            rights=RightsRuleType.of(document.rights),
            benefits=[BenefitLineType.of(line) for line in document.benefits],
            dependents=DependentsRuleType.of(document.dependents),
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[SchemeRuleVersion | None]:
        ids = node_uuids(node_ids)
        context = info.context.viewer.tenant
        if context is None or not context.allows(Permission.SCHEMES_READ):
            return [None for _ in ids]
        async with tenant_tx(context) as tx:
            found = await scheme_service.versions_by_id(tx, context, [i for i in ids if i is not None])
        return [cls.of(found[i], context.currency) if i in found else None for i in ids]


@strawberry.type(description="A scheme (régime) of the tenant: its branch, admitted categories and rule versions.")
class Scheme(relay.Node):
    id: relay.NodeID[UUID]
    code: str
    name: str
    branch: Branch
    categories: list[MemberCategory] = strawberry.field(description="The member categories the scheme admits.")
    status: SchemeStatus
    created_at: datetime
    _currency: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: SchemeRow, currency: str) -> Scheme:
        """The GraphQL view of a scheme row."""
        c = columns(row)
        return cls(
            id=c["id"],
            code=c["code"],
            name=c["name"],
            branch=Branch(c["branch"]),
            categories=[MemberCategory(category) for category in c["categories"]],
            status=SchemeStatus(c["status"]),
            created_at=c["created_at"],
            _currency=currency,
        )

    async def _versions(self, info: Info) -> list[RuleVersion]:
        return await info.context.loaders.get(loaders.versions_by_scheme).load(self.id)

    @field("Every version of the scheme's rules, the latest effective date first.")
    async def versions(self, info: Info) -> list[SchemeRuleVersion]:
        return [SchemeRuleVersion.of(version, self._currency) for version in await self._versions(info)]

    @field("The version in force today; null before the first version takes effect.")
    async def current_version(self, info: Info) -> SchemeRuleVersion | None:
        return await self.version_on(info, _today())

    @field("The version in force on a date: a contribution period keeps the version in force on its first day.")
    async def version_on(self, info: Info, date: date) -> SchemeRuleVersion | None:
        found = scheme_service.in_force(await self._versions(info), date)
        return SchemeRuleVersion.of(found, self._currency) if found else None

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Scheme | None]:
        ids = node_uuids(node_ids)
        context = info.context.viewer.tenant
        if context is None or not (
            context.allows(Permission.SCHEMES_READ) or context.allows(Permission.OVERSIGHT_READ)
        ):
            return [None for _ in ids]
        async with tenant_tx(context) as tx:
            rows = await scheme_service.schemes_by_id(tx, context, [i for i in ids if i is not None])
        if not context.allows(Permission.SCHEMES_READ):
            # A ministry reads its tenants' schemes, not its own register.
            rows = [row for row in rows if row.tenant_id != context.tenant_id]
        by_id = {row.id: row for row in rows}
        return [cls.from_row(by_id[i], context.currency) if i in by_id else None for i in ids]


def _scheme_id(id: relay.GlobalID, path: tuple[str, ...]) -> UUID:  # noqa: A002
    found = decode_id(id, "Scheme")
    if found is None:
        raise errors.SchemeNotFound(path=path)
    return found


@strawberry.type
class Query:
    @field(
        "The tenant's schemes by code. Requires `schemes:read`; `first` is at most 100.",
        permission=Permission.SCHEMES_READ,
    )
    async def schemes(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[Scheme]:
        context = tenant_of(info)
        return await tenant_page(
            context,
            first,
            after,
            (str, UUID),
            rows=scheme_service.list_schemes,
            count=scheme_service.count_schemes,
            node=lambda row: Scheme.from_row(row, context.currency),
            key=lambda row: (row.code, row.id),
        )

    @field(
        "One of the tenant's schemes; null when not found. Requires `schemes:read`.", permission=Permission.SCHEMES_READ
    )
    async def scheme(self, info: Info, id: relay.GlobalID) -> Scheme | None:  # noqa: A002
        context = tenant_of(info)
        scheme_id = decode_id(id, "Scheme")
        if scheme_id is None:
            return None
        async with tenant_tx(context) as tx:
            rows = await scheme_service.schemes_by_id(tx, context, [scheme_id])
        mine = [row for row in rows if row.tenant_id == context.tenant_id]
        return Scheme.from_row(mine[0], context.currency) if mine else None

    @field(
        "The schemes of every tenant the caller supervises (a ministry: the mutuals and IPMs of its country), "
        "by code, read-only. The read is recorded in the caller's own log. "
        "Requires `oversight:read`; `first` is at most 100.",
        permission=Permission.OVERSIGHT_READ,
    )
    async def supervised_schemes(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Scheme]:
        context = tenant_of(info)
        return await tenant_page(
            context,
            first,
            after,
            (str, UUID),
            rows=scheme_service.list_supervised_schemes,
            count=scheme_service.count_supervised_schemes,
            node=lambda row: Scheme.from_row(row, context.currency),
            key=lambda row: (row.code, row.id),
        )


def _scheme_errors() -> list[type[errors.SchemeError]]:
    return [errors.InvalidSchemeCode, errors.InvalidSchemeName, errors.SchemeCodeTaken, errors.CategoriesRequired]


VERSION_ERRORS: list[type[errors.SchemeError]] = [
    errors.RateOutOfRange,
    errors.AmountNotPositive,
    errors.NegativeNumber,
    errors.AmountRequired,
    errors.RateRequired,
    errors.NotApplicable,
    errors.FloorAboveCeiling,
    errors.SharesNotWhole,
    errors.DuplicatePayer,
    errors.StateShareOfSalary,
    errors.EmployerShareWithoutSalary,
    errors.DuplicateWaitingPeriod,
    errors.DuplicateBenefitLine,
    errors.CoverageRequired,
    errors.InvalidAgeLimit,
    errors.InvalidStudentAgeLimit,
    errors.EffectiveDateTooEarly,
    errors.EffectiveDateTaken,
]


@strawberry.type
class Mutation:
    @mutation(
        "Create a scheme. Requires `schemes:write`.",
        errors=_scheme_errors(),
        permission=Permission.SCHEMES_WRITE,
    )
    async def scheme_create(self, info: Info, input: SchemeCreateInput) -> Scheme:  # noqa: A002
        context = tenant_of(info)
        data = scheme_service.NewScheme(
            code=input.code,
            name=input.name,
            branch=input.branch,
            categories=tuple(input.categories),
            status=input.status,
        )
        async with tenant_tx(context) as tx:
            row = await scheme_service.create_scheme(tx, context, data)
        return Scheme.from_row(row, context.currency)

    @mutation(
        "Rename a scheme or change its branch, categories or status. Requires `schemes:write`.",
        errors=[errors.SchemeNotFound, errors.InvalidSchemeName, errors.CategoriesRequired],
        permission=Permission.SCHEMES_WRITE,
    )
    async def scheme_update(self, info: Info, input: SchemeUpdateInput) -> Scheme:  # noqa: A002
        context = tenant_of(info)
        change = scheme_service.SchemeChange(
            scheme_id=_scheme_id(input.id, ("input", "id")),
            name=input.name,
            branch=input.branch,
            categories=tuple(input.categories) if input.categories is not None else None,
            status=input.status,
        )
        async with tenant_tx(context) as tx:
            row = await scheme_service.update_scheme(tx, context, change)
        return Scheme.from_row(row, context.currency)

    @mutation(
        "Add a version of a scheme's rules, in force from its date; past periods keep the rules they had. "
        "Requires `schemes:write`.",
        errors=[errors.SchemeNotFound, *VERSION_ERRORS],
        permission=Permission.SCHEMES_WRITE,
    )
    async def scheme_rule_version_create(
        self,
        info: Info,
        input: SchemeRuleVersionCreateInput,  # noqa: A002
    ) -> SchemeRuleVersion:
        context = tenant_of(info)
        data = scheme_service.NewRuleVersion(
            scheme_id=_scheme_id(input.scheme_id, ("input", "schemeId")),
            effective_from=input.effective_from,
            document=rule_document(input.contribution, input.rights, input.benefits, input.dependents),
        )
        async with tenant_tx(context) as tx:
            version = await scheme_service.create_version(tx, context, data)
        return SchemeRuleVersion.of(version, context.currency)

    @mutation(
        "Replace the rules and date of a version no period was called under yet; a used version is refused "
        "(add a new version instead). Requires `schemes:write`.",
        errors=[errors.RuleVersionNotFound, errors.RuleVersionUsed, *VERSION_ERRORS],
        permission=Permission.SCHEMES_WRITE,
    )
    async def scheme_rule_version_update(
        self,
        info: Info,
        input: SchemeRuleVersionUpdateInput,  # noqa: A002
    ) -> SchemeRuleVersion:
        context = tenant_of(info)
        version_id = decode_id(input.id, "SchemeRuleVersion")
        if version_id is None:
            raise errors.RuleVersionNotFound(path=("input", "id"))
        change = scheme_service.RuleVersionChange(
            version_id=version_id,
            effective_from=input.effective_from,
            document=rule_document(input.contribution, input.rights, input.benefits, input.dependents),
        )
        async with tenant_tx(context) as tx:
            version = await scheme_service.update_version(tx, context, change)
        return SchemeRuleVersion.of(version, context.currency)
