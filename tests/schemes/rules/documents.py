"""Rule documents for the tests: a CMU mutual's and a company IPM's, shaped like the field's."""

from __future__ import annotations

from dataclasses import replace

from schemes.rules.model import (
    BenefitLine,
    CareCategory,
    ContributionBasis,
    ContributionRule,
    DependentsRule,
    FacilityLevel,
    Payer,
    PayerShare,
    Period,
    RightsRule,
    RuleDocument,
    SubsidyGroup,
    WaitingPeriod,
)

CMU = RuleDocument(
    contribution=ContributionRule(
        basis=ContributionBasis.PER_BENEFICIARY,
        period=Period.YEARLY,
        amount=7_000,
        shares=(PayerShare(Payer.MEMBER, 5_000), PayerShare(Payer.STATE, 5_000)),
        registration_fee=2_000,
        subsidy_groups=(SubsidyGroup.CASH_TRANSFER,),
    ),
    rights=RightsRule(
        waiting_periods=(WaitingPeriod(CareCategory.CONSULTATION, 90),),
        grace_days=30,
        unpaid_periods_before_suspension=1,
    ),
    benefits=(
        BenefitLine(CareCategory.CONSULTATION, FacilityLevel.PUBLIC, coverage_rate=8_000),
        BenefitLine(
            CareCategory.DRUGS, FacilityLevel.PRIVATE, coverage_rate=5_000, ceiling_per_beneficiary_year=100_000
        ),
    ),
    dependents=DependentsRule(child_age_limit=21, student_age_limit=25, spouses_allowed=4),
)

IPM = replace(
    CMU,
    contribution=ContributionRule(
        basis=ContributionBasis.SALARY_RATE,
        period=Period.MONTHLY,
        rate=1_500,
        income_ceiling=250_000,
        shares=(PayerShare(Payer.EMPLOYER, 5_000), PayerShare(Payer.MEMBER, 5_000)),
    ),
    rights=RightsRule(grace_days=15, unpaid_periods_before_suspension=2),
)
"""An IPM's: 15 % of the monthly salary counted up to 250,000 FCFA, half by
the employer and half withheld from the employee."""
