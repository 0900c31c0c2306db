"""The contribution's arithmetic, without a database: periods and their
names, shares of each payer with rounding, floors and ceilings, pro rata,
subsidised households, and how money settles calls."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import UUID

import pytest

from schemes.contributions.amounts import Due, Household, member_dues, pro_rata, rate_amount, split
from schemes.contributions.ledger import Allocation, Credit, OpenCall, allocate
from schemes.contributions.periods import ContributionPeriod, parse_period, period_of, periods_through
from schemes.rules.model import (
    ContributionBasis,
    ContributionRule,
    MemberCategory,
    Payer,
    PayerShare,
    Period,
    SubsidyGroup,
)
from tests.schemes.rules.documents import CMU, IPM

CMU_RULE = CMU.contribution
ARTISAN = Household(category=MemberCategory.ARTISAN, subsidy_group=None, persons=1)
IPM_RULE = IPM.contribution
CNPS_RULE = ContributionRule(
    basis=ContributionBasis.INCOME_RATE,
    period=Period.MONTHLY,
    rate=700,
    income_floor=37_000,
    income_ceiling=300_000,
    shares=(PayerShare(Payer.MEMBER, 10_000),),
)


class TestPeriods:
    @pytest.mark.parametrize(
        ("kind", "day", "label", "start", "end"),
        [
            (Period.MONTHLY, date(2026, 2, 14), "2026-02", date(2026, 2, 1), date(2026, 2, 28)),
            (Period.MONTHLY, date(2028, 2, 29), "2028-02", date(2028, 2, 1), date(2028, 2, 29)),
            (Period.MONTHLY, date(2026, 12, 31), "2026-12", date(2026, 12, 1), date(2026, 12, 31)),
            (Period.QUARTERLY, date(2026, 11, 5), "2026-T4", date(2026, 10, 1), date(2026, 12, 31)),
            (Period.QUARTERLY, date(2026, 1, 1), "2026-T1", date(2026, 1, 1), date(2026, 3, 31)),
            (Period.YEARLY, date(2026, 7, 1), "2026", date(2026, 1, 1), date(2026, 12, 31)),
        ],
    )
    def test_a_day_falls_in_one_period(self, kind: Period, day: date, label: str, start: date, end: date) -> None:
        period = period_of(kind, day)
        assert (period.label, period.start, period.end) == (label, start, end)
        assert parse_period(kind, label) == period
        assert parse_period(kind, label.lower()) == period

    @pytest.mark.parametrize(
        ("kind", "label"),
        [
            (Period.MONTHLY, "2026-13"),
            (Period.MONTHLY, "2026-1"),
            (Period.MONTHLY, "2026"),
            (Period.QUARTERLY, "2026-T5"),
            (Period.QUARTERLY, "2026-12"),
            (Period.YEARLY, "26"),
            (Period.YEARLY, "0999"),
            (Period.MONTHLY, "décembre"),
        ],
    )
    def test_names_of_no_period(self, kind: Period, label: str) -> None:
        assert parse_period(kind, label) is None

    def test_the_next_periods_run_across_years(self) -> None:
        first = period_of(Period.QUARTERLY, date(2025, 11, 20))
        assert [p.label for p in periods_through(first, date(2026, 4, 1))] == ["2025-T4", "2026-T1", "2026-T2"]
        assert ContributionPeriod(date(2026, 12, 1), Period.MONTHLY).next().label == "2027-01"


class TestShares:
    def test_the_cmu_contribution_is_halved_between_member_and_state(self) -> None:
        household = replace(ARTISAN, persons=3)
        dues = member_dues(CMU_RULE, household, period_of(Period.YEARLY, date(2026, 1, 1)), date(2026, 1, 1))
        assert dues == [Due(Payer.MEMBER, 10_500), Due(Payer.STATE, 10_500)]

    def test_a_cash_transfer_household_is_paid_whole_by_the_state(self) -> None:
        household = Household(MemberCategory.ARTISAN, SubsidyGroup.CASH_TRANSFER, persons=5)
        dues = member_dues(CMU_RULE, household, period_of(Period.YEARLY, date(2026, 1, 1)), date(2026, 1, 1))
        assert dues == [Due(Payer.STATE, 35_000)]

    def test_a_subsidised_category_is_paid_whole_by_the_state(self) -> None:
        rule = replace(CMU_RULE, subsidised_categories=(MemberCategory.PRECARIOUS_WORKER,))
        household = Household(MemberCategory.PRECARIOUS_WORKER, None, persons=2)
        dues = member_dues(rule, household, period_of(Period.YEARLY, date(2026, 1, 1)), date(2026, 1, 1))
        assert dues == [Due(Payer.STATE, 14_000)]

    def test_what_rounding_leaves_goes_to_the_first_payer(self) -> None:
        rule = replace(CMU_RULE, shares=(PayerShare(Payer.MEMBER, 3_333), PayerShare(Payer.STATE, 6_667)))
        assert split(rule, 1_001) == [Due(Payer.MEMBER, 334), Due(Payer.STATE, 667)]

    def test_a_payer_owing_nothing_is_left_out(self) -> None:
        rule = replace(CMU_RULE, shares=(PayerShare(Payer.MEMBER, 10_000), PayerShare(Payer.STATE, 0)))
        assert split(rule, 7_000) == [Due(Payer.MEMBER, 7_000)]

    def test_a_household_contribution_ignores_its_size(self) -> None:
        rule = replace(CMU_RULE, basis=ContributionBasis.PER_HOUSEHOLD, amount=1_500, period=Period.MONTHLY)
        household = replace(ARTISAN, persons=6)
        dues = member_dues(rule, household, period_of(Period.MONTHLY, date(2026, 3, 1)), date(2026, 3, 1))
        assert dues == [Due(Payer.MEMBER, 750), Due(Payer.STATE, 750)]


class TestRates:
    @pytest.mark.parametrize(
        ("salary", "whole", "shares"),
        [
            (180_000, 27_000, [Due(Payer.EMPLOYER, 13_500), Due(Payer.MEMBER, 13_500)]),
            # The ceiling: 15 % of 250,000, whatever the salary above it.
            (1_200_000, 37_500, [Due(Payer.EMPLOYER, 18_750), Due(Payer.MEMBER, 18_750)]),
            (250_000, 37_500, [Due(Payer.EMPLOYER, 18_750), Due(Payer.MEMBER, 18_750)]),
            # 15 % of 64,999 is 9,749.85 and of 64,997 9,749.55: both rounded to 9,750.
            (64_999, 9_750, [Due(Payer.EMPLOYER, 4_875), Due(Payer.MEMBER, 4_875)]),
            (64_997, 9_750, [Due(Payer.EMPLOYER, 4_875), Due(Payer.MEMBER, 4_875)]),
            # 9,748.95 rounded to 9,749: the odd franc goes to the first payer, the employer.
            (64_993, 9_749, [Due(Payer.EMPLOYER, 4_875), Due(Payer.MEMBER, 4_874)]),
        ],
    )
    def test_an_ipm_salary_rate_with_its_ceiling(self, salary: int, whole: int, shares: list[Due]) -> None:
        assert rate_amount(IPM_RULE, salary) == whole
        assert split(IPM_RULE, whole) == shares

    @pytest.mark.parametrize(
        ("income", "whole"),
        [(20_000, 2_590), (37_000, 2_590), (100_000, 7_000), (300_000, 21_000), (900_000, 21_000)],
    )
    def test_cameroons_voluntary_insurance_between_floor_and_ceiling(self, income: int, whole: int) -> None:
        assert rate_amount(CNPS_RULE, income) == whole


class TestProRata:
    def test_a_member_joining_in_july_owes_the_days_left_of_the_year(self) -> None:
        year = period_of(Period.YEARLY, date(2026, 1, 1))
        # 184 days of 365 left from 1 July: 7,000 × 184 / 365 = 3,528.77.
        assert pro_rata(7_000, year, date(2026, 7, 1)) == 3_529
        assert pro_rata(7_000, year, date(2026, 1, 1)) == 7_000
        assert pro_rata(7_000, year, date(2026, 12, 31)) == 19

    def test_the_rule_says_whether_the_first_period_is_pro_rata(self) -> None:
        year = period_of(Period.YEARLY, date(2026, 1, 1))
        whole = member_dues(CMU_RULE, ARTISAN, year, date(2026, 7, 1))
        prorated = member_dues(replace(CMU_RULE, first_period_pro_rata=True), ARTISAN, year, date(2026, 7, 1))
        assert whole == [Due(Payer.MEMBER, 3_500), Due(Payer.STATE, 3_500)]
        assert prorated == [Due(Payer.MEMBER, 1_765), Due(Payer.STATE, 1_764)]


P1, P2 = UUID(int=1), UUID(int=2)
C1, C2, C3 = UUID(int=11), UUID(int=12), UUID(int=13)


class TestAllocation:
    def test_the_oldest_calls_are_settled_first(self) -> None:
        calls = [OpenCall(C1, 2_000), OpenCall(C2, 3_500), OpenCall(C3, 3_500)]
        assert allocate([Credit(P1, 4_000)], calls) == [Allocation(P1, C1, 2_000), Allocation(P1, C2, 2_000)]

    def test_several_credits_settle_one_call(self) -> None:
        calls = [OpenCall(C1, 3_500), OpenCall(C2, 3_500)]
        assert allocate([Credit(P1, 1_000), Credit(P2, 5_000)], calls) == [
            Allocation(P1, C1, 1_000),
            Allocation(P2, C1, 2_500),
            Allocation(P2, C2, 2_500),
        ]

    def test_an_overpayment_is_left_as_credit(self) -> None:
        assert allocate([Credit(P1, 10_000)], [OpenCall(C1, 3_500)]) == [Allocation(P1, C1, 3_500)]

    def test_nothing_to_settle_or_nothing_to_settle_with(self) -> None:
        assert allocate([], [OpenCall(C1, 3_500)]) == []
        assert allocate([Credit(P1, 3_500)], []) == []
