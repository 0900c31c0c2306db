"""GraphQL inputs of schemes and their rule versions (what creating or
changing a scheme, and writing a version's rules, take) and the rules' enums."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import relay

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
    PayerShare,
    Period,
    RightsRule,
    RuleDocument,
    SubsidyGroup,
    WaitingPeriod,
)
from schemes.rules.tables import SchemeStatus

strawberry.enum(Branch, description="The branch of social protection a scheme belongs to.")
strawberry.enum(MemberCategory, description="A population of members a scheme may admit.")
strawberry.enum(SchemeStatus, description="Whether a scheme enrols members.")
strawberry.enum(ContributionBasis, description="What a contribution is computed on.")
strawberry.enum(Period, description="How often a contribution is due.")
strawberry.enum(Payer, description="Who pays a share of a contribution.")
strawberry.enum(SubsidyGroup, description="Households fully subsidised whatever their category.")
strawberry.enum(CareCategory, description="A kind of care.")
strawberry.enum(FacilityLevel, description="Public or private care facilities.")

BP = "in basis points (10,000 = 100 %)"


@strawberry.input(description="A payer's share.")
class PayerShareInput:
    payer: Payer
    share: int = strawberry.field(description=f"Part of the whole, {BP}; the shares sum to 10,000.")


@strawberry.input(
    description="A contribution rule; amounts in the tenant currency's minor unit, rates in basis points."
)
class ContributionRuleInput:
    basis: ContributionBasis
    period: Period
    shares: list[PayerShareInput]
    amount: int | None = strawberry.field(default=None, description="Required by a flat basis, refused by a rate.")
    rate: int | None = strawberry.field(default=None, description="Required by a rate basis, refused by a flat one.")
    income_floor: int | None = None
    income_ceiling: int | None = None
    registration_fee: int = 0
    first_period_pro_rata: bool = False
    subsidised_categories: list[MemberCategory] = strawberry.field(default_factory=list)
    subsidy_groups: list[SubsidyGroup] = strawberry.field(default_factory=list)

    def to_rule(self) -> ContributionRule:
        return ContributionRule(
            basis=self.basis,
            period=self.period,
            shares=tuple(PayerShare(payer=s.payer, share=s.share) for s in self.shares),
            amount=self.amount,
            rate=self.rate,
            income_floor=self.income_floor,
            income_ceiling=self.income_ceiling,
            registration_fee=self.registration_fee,
            first_period_pro_rata=self.first_period_pro_rata,
            subsidised_categories=tuple(self.subsidised_categories),
            subsidy_groups=tuple(self.subsidy_groups),
        )


@strawberry.input(description="A waiting period (stage) of a care category.")
class WaitingPeriodInput:
    care_category: CareCategory
    days: int


@strawberry.input(description="Rights rules.")
class RightsRuleInput:
    waiting_periods: list[WaitingPeriodInput] = strawberry.field(default_factory=list)
    grace_days: int = 0
    unpaid_periods_before_suspension: int = 1

    def to_rule(self) -> RightsRule:
        return RightsRule(
            waiting_periods=tuple(
                WaitingPeriod(care_category=w.care_category, days=w.days) for w in self.waiting_periods
            ),
            grace_days=self.grace_days,
            unpaid_periods_before_suspension=self.unpaid_periods_before_suspension,
        )


@strawberry.input(description="A benefit line: a coverage rate or a fixed amount, ceilings in minor units.")
class BenefitLineInput:
    care_category: CareCategory
    facility_level: FacilityLevel
    coverage_rate: int | None = None
    fixed_amount: int | None = None
    ceiling_per_event: int | None = None
    ceiling_per_beneficiary_year: int | None = None
    ceiling_per_household_year: int | None = None
    max_count_per_year: int | None = None
    prior_authorisation: bool = False

    def to_line(self) -> BenefitLine:
        return BenefitLine(
            care_category=self.care_category,
            facility_level=self.facility_level,
            coverage_rate=self.coverage_rate,
            fixed_amount=self.fixed_amount,
            ceiling_per_event=self.ceiling_per_event,
            ceiling_per_beneficiary_year=self.ceiling_per_beneficiary_year,
            ceiling_per_household_year=self.ceiling_per_household_year,
            max_count_per_year=self.max_count_per_year,
            prior_authorisation=self.prior_authorisation,
        )


@strawberry.input(description="Dependants' rules.")
class DependentsRuleInput:
    child_age_limit: int
    student_age_limit: int | None = None
    spouses_allowed: int | None = strawberry.field(default=1, description="Null for no limit.")
    husband_covered: bool = False
    others_admitted: bool = False

    def to_rule(self) -> DependentsRule:
        return DependentsRule(
            child_age_limit=self.child_age_limit,
            student_age_limit=self.student_age_limit,
            spouses_allowed=self.spouses_allowed,
            husband_covered=self.husband_covered,
            others_admitted=self.others_admitted,
        )


def rule_document(
    contribution: ContributionRuleInput,
    rights: RightsRuleInput,
    benefits: list[BenefitLineInput],
    dependents: DependentsRuleInput,
) -> RuleDocument:
    """The rule document the inputs of a version describe."""
    return RuleDocument(
        contribution=contribution.to_rule(),
        rights=rights.to_rule(),
        benefits=tuple(line.to_line() for line in benefits),
        dependents=dependents.to_rule(),
    )


@strawberry.input(description="Create a scheme.")
class SchemeCreateInput:
    code: str = strawberry.field(
        description="2 to 32 capital letters, digits, hyphens or underscores; unique in the tenant."
    )
    name: str
    branch: Branch
    categories: list[MemberCategory] = strawberry.field(description="At least one.")
    status: SchemeStatus = SchemeStatus.DRAFT


@strawberry.input(description="Change a scheme; fields left out stay as they are. The code never changes.")
class SchemeUpdateInput:
    id: relay.GlobalID
    name: str | None = None
    branch: Branch | None = None
    categories: list[MemberCategory] | None = None
    status: SchemeStatus | None = None


@strawberry.input(description="A new version of a scheme's rules.")
class SchemeRuleVersionCreateInput:
    scheme_id: relay.GlobalID
    effective_from: date = strawberry.field(description="After the end of every period already called.")
    contribution: ContributionRuleInput
    rights: RightsRuleInput
    benefits: list[BenefitLineInput]
    dependents: DependentsRuleInput


@strawberry.input(description="New contents of a version no period was called under yet.")
class SchemeRuleVersionUpdateInput:
    id: relay.GlobalID
    effective_from: date
    contribution: ContributionRuleInput
    rights: RightsRuleInput
    benefits: list[BenefitLineInput]
    dependents: DependentsRuleInput
