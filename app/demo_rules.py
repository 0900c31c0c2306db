"""The demo schemes' rule versions, from the field's numbers
(``../shared/FIELD.md``): a CMU mutual's flat contribution shared by the
member and the State, an informal workers' household contribution, an IPM's
salary rate shared by employer and employee. Amounts are whole francs (XOF)."""

from __future__ import annotations

from datetime import date

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

PUBLIC, PRIVATE = FacilityLevel.PUBLIC, FacilityLevel.PRIVATE
HALF = 5_000

RIGHTS = RightsRule(
    waiting_periods=(
        WaitingPeriod(CareCategory.CONSULTATION, 90),
        WaitingPeriod(CareCategory.HOSPITALISATION, 90),
        WaitingPeriod(CareCategory.SURGERY, 180),
        WaitingPeriod(CareCategory.MATERNITY, 270),
    ),
    grace_days=30,
    unpaid_periods_before_suspension=1,
)

POLYGAMOUS_HOUSEHOLD = DependentsRule(
    child_age_limit=21, student_age_limit=25, spouses_allowed=4, husband_covered=False, others_admitted=True
)


def _cmu(*, member_share: int, fee: int, private_drugs: int) -> RuleDocument:
    return RuleDocument(
        contribution=ContributionRule(
            basis=ContributionBasis.PER_BENEFICIARY,
            period=Period.YEARLY,
            amount=member_share * 2,
            shares=(PayerShare(Payer.MEMBER, HALF), PayerShare(Payer.STATE, HALF)),
            registration_fee=fee,
            subsidy_groups=(SubsidyGroup.CASH_TRANSFER, SubsidyGroup.INDIGENT),
        ),
        rights=RIGHTS,
        benefits=(
            BenefitLine(CareCategory.CONSULTATION, PUBLIC, coverage_rate=8_000),
            BenefitLine(
                CareCategory.HOSPITALISATION,
                PUBLIC,
                coverage_rate=8_000,
                ceiling_per_event=300_000,
                ceiling_per_household_year=1_000_000,
            ),
            BenefitLine(CareCategory.DRUGS, PUBLIC, coverage_rate=8_000),
            BenefitLine(CareCategory.DRUGS, PRIVATE, coverage_rate=private_drugs, ceiling_per_beneficiary_year=100_000),
            BenefitLine(CareCategory.LABORATORY, PUBLIC, coverage_rate=8_000),
            BenefitLine(CareCategory.IMAGING, PUBLIC, coverage_rate=8_000, prior_authorisation=True),
            BenefitLine(
                CareCategory.SURGERY, PUBLIC, coverage_rate=8_000, ceiling_per_event=500_000, prior_authorisation=True
            ),
            BenefitLine(CareCategory.MATERNITY, PUBLIC, coverage_rate=8_000, max_count_per_year=1),
            BenefitLine(CareCategory.TRANSPORT, PUBLIC, fixed_amount=15_000, max_count_per_year=2),
        ),
        dependents=POLYGAMOUS_HOUSEHOLD,
    )


CMU_VERSIONS: tuple[tuple[date, RuleDocument], ...] = (
    (date(2025, 1, 1), _cmu(member_share=3_000, fee=1_000, private_drugs=4_000)),
    (date(2026, 1, 1), _cmu(member_share=3_500, fee=2_000, private_drugs=5_000)),
)
"""The artisans' mutual: 3,500 FCFA by the member and 3,500 by the State per
beneficiary per year since 2026 (3,000 each before), a 2,000 FCFA
registration fee, cash-transfer and indigent households fully subsidised."""

INFORMAL_VERSIONS: tuple[tuple[date, RuleDocument], ...] = (
    (
        date(2026, 1, 1),
        RuleDocument(
            contribution=ContributionRule(
                basis=ContributionBasis.PER_HOUSEHOLD,
                period=Period.MONTHLY,
                amount=1_500,
                shares=(PayerShare(Payer.MEMBER, 10_000),),
                registration_fee=1_000,
            ),
            rights=RIGHTS,
            benefits=(
                BenefitLine(CareCategory.CONSULTATION, PUBLIC, coverage_rate=7_000, max_count_per_year=12),
                BenefitLine(CareCategory.HOSPITALISATION, PUBLIC, coverage_rate=7_000, ceiling_per_event=200_000),
                BenefitLine(CareCategory.DRUGS, PUBLIC, coverage_rate=7_000, ceiling_per_beneficiary_year=60_000),
                BenefitLine(CareCategory.MATERNITY, PUBLIC, fixed_amount=25_000, max_count_per_year=1),
            ),
            dependents=DependentsRule(child_age_limit=18, spouses_allowed=4),
        ),
    ),
)
"""The precarious workers' mutual: 1,500 FCFA a month per household."""

IPM_VERSIONS: tuple[tuple[date, RuleDocument], ...] = (
    (
        date(2026, 1, 1),
        RuleDocument(
            contribution=ContributionRule(
                basis=ContributionBasis.SALARY_RATE,
                period=Period.MONTHLY,
                rate=1_500,
                income_ceiling=250_000,
                shares=(PayerShare(Payer.EMPLOYER, HALF), PayerShare(Payer.MEMBER, HALF)),
            ),
            rights=RightsRule(grace_days=15, unpaid_periods_before_suspension=2),
            benefits=(
                BenefitLine(CareCategory.CONSULTATION, PUBLIC, coverage_rate=8_000),
                BenefitLine(CareCategory.CONSULTATION, PRIVATE, coverage_rate=7_000, ceiling_per_event=20_000),
                BenefitLine(CareCategory.HOSPITALISATION, PUBLIC, coverage_rate=8_000),
                BenefitLine(
                    CareCategory.HOSPITALISATION,
                    PRIVATE,
                    coverage_rate=7_000,
                    ceiling_per_event=500_000,
                    prior_authorisation=True,
                ),
                BenefitLine(CareCategory.DRUGS, PUBLIC, coverage_rate=8_000),
                BenefitLine(CareCategory.DRUGS, PRIVATE, coverage_rate=7_000, ceiling_per_beneficiary_year=300_000),
                BenefitLine(CareCategory.DENTAL, PRIVATE, coverage_rate=5_000, ceiling_per_beneficiary_year=75_000),
                BenefitLine(CareCategory.OPTICAL, PRIVATE, fixed_amount=50_000, max_count_per_year=1),
            ),
            dependents=DependentsRule(
                child_age_limit=21, student_age_limit=25, spouses_allowed=4, husband_covered=True
            ),
        ),
    ),
)
"""The inter-company IPM: 15 % of the salary capped at 250,000 FCFA, half
by the employer and half by the employee; spouses and children covered, and
a woman employee's husband (décret 2006-1310)."""
