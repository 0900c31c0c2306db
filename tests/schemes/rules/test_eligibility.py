"""Dependants' eligibility under a scheme version's rule, with exact dates."""

from __future__ import annotations

from datetime import date

import pytest

from schemes.rules.eligibility import (
    DependentFacts,
    Eligibility,
    IneligibilityReason,
    age_out_date,
    dependent_eligibility,
)
from schemes.rules.model import DependentsRule, Relationship, Sex

RULE = DependentsRule(child_age_limit=21, student_age_limit=25, spouses_allowed=4, husband_covered=False)


def child(birth: date, *, approximate: bool = False, studying: bool = False) -> DependentFacts:
    return DependentFacts(
        relationship=Relationship.CHILD,
        sex=Sex.FEMALE,
        member_sex=Sex.MALE,
        birth_date=birth,
        birth_date_approximate=approximate,
        studying=studying,
    )


def spouse(rank: int, *, sex: Sex = Sex.FEMALE, member_sex: Sex = Sex.MALE) -> DependentFacts:
    return DependentFacts(
        relationship=Relationship.SPOUSE, sex=sex, member_sex=member_sex, birth_date=date(1985, 6, 1), spouse_rank=rank
    )


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2027, 3, 14), Eligibility(eligible=True, ends_on=date(2027, 3, 15))),
        (
            date(2027, 3, 15),
            Eligibility(eligible=False, reason=IneligibilityReason.AGE_LIMIT, ends_on=date(2027, 3, 15)),
        ),
        (
            date(2027, 3, 16),
            Eligibility(eligible=False, reason=IneligibilityReason.AGE_LIMIT, ends_on=date(2027, 3, 15)),
        ),
        (date(2006, 3, 15), Eligibility(eligible=True, ends_on=date(2027, 3, 15))),
        (date(2006, 3, 14), Eligibility(eligible=False, reason=IneligibilityReason.NOT_BORN)),
    ],
)
def test_a_child_ages_out_on_the_birthday_of_the_limit(on: date, expected: Eligibility) -> None:
    assert dependent_eligibility(RULE, child(date(2006, 3, 15)), on) == expected


@pytest.mark.parametrize(
    ("on", "eligible"),
    [(date(2031, 3, 14), True), (date(2031, 3, 15), False), (date(2027, 3, 15), True)],
)
def test_a_studying_child_is_covered_up_to_the_students_limit(on: date, eligible: bool) -> None:
    result = dependent_eligibility(RULE, child(date(2006, 3, 15), studying=True), on)
    assert result == Eligibility(
        eligible=eligible, reason=None if eligible else IneligibilityReason.AGE_LIMIT, ends_on=date(2031, 3, 15)
    )


def test_studying_changes_nothing_without_a_students_limit() -> None:
    rule = DependentsRule(child_age_limit=21, student_age_limit=None)
    assert dependent_eligibility(rule, child(date(2006, 3, 15), studying=True), date(2027, 3, 15)) == Eligibility(
        eligible=False, reason=IneligibilityReason.AGE_LIMIT, ends_on=date(2027, 3, 15)
    )


@pytest.mark.parametrize(
    ("on", "eligible"),
    # Born on 29 February 2008: 21 years old on 1 March 2029, a common year.
    [(date(2029, 2, 28), True), (date(2029, 3, 1), False)],
)
def test_a_leap_day_child_ages_out_on_the_first_of_march_of_a_common_year(on: date, eligible: bool) -> None:
    result = dependent_eligibility(RULE, child(date(2008, 2, 29)), on)
    assert result == Eligibility(
        eligible=eligible, reason=None if eligible else IneligibilityReason.AGE_LIMIT, ends_on=date(2029, 3, 1)
    )


def test_a_leap_day_child_ages_out_on_the_leap_day_of_a_leap_year() -> None:
    rule = DependentsRule(child_age_limit=20)
    assert age_out_date(date(2008, 2, 29), 20) == date(2028, 2, 29)
    assert dependent_eligibility(rule, child(date(2008, 2, 29)), date(2028, 2, 28)) == Eligibility(
        eligible=True, ends_on=date(2028, 2, 29)
    )


@pytest.mark.parametrize(
    ("on", "eligible"),
    # Born "in 2006" (stored as 1 January 2006): covered through 31 December 2027.
    [(date(2027, 1, 1), True), (date(2027, 12, 31), True), (date(2028, 1, 1), False)],
)
def test_a_year_only_birth_date_ages_out_at_the_end_of_that_year(on: date, eligible: bool) -> None:
    result = dependent_eligibility(RULE, child(date(2006, 1, 1), approximate=True), on)
    assert result == Eligibility(
        eligible=eligible, reason=None if eligible else IneligibilityReason.AGE_LIMIT, ends_on=date(2028, 1, 1)
    )


def test_an_exact_first_of_january_birth_ages_out_on_that_day() -> None:
    assert dependent_eligibility(RULE, child(date(2006, 1, 1)), date(2027, 1, 1)) == Eligibility(
        eligible=False, reason=IneligibilityReason.AGE_LIMIT, ends_on=date(2027, 1, 1)
    )


@pytest.mark.parametrize(
    ("rank", "expected"),
    [
        (1, Eligibility(eligible=True)),
        (4, Eligibility(eligible=True)),
        (5, Eligibility(eligible=False, reason=IneligibilityReason.SPOUSE_LIMIT)),
    ],
)
def test_spouses_are_covered_up_to_the_number_allowed(rank: int, expected: Eligibility) -> None:
    assert dependent_eligibility(RULE, spouse(rank), date(2027, 1, 1)) == expected


def test_one_spouse_allowed_leaves_the_second_out() -> None:
    rule = DependentsRule(child_age_limit=21, spouses_allowed=1)
    assert [dependent_eligibility(rule, spouse(rank), date(2027, 1, 1)) for rank in (1, 2)] == [
        Eligibility(eligible=True),
        Eligibility(eligible=False, reason=IneligibilityReason.SPOUSE_LIMIT),
    ]


def test_unlimited_spouses() -> None:
    rule = DependentsRule(child_age_limit=21, spouses_allowed=None)
    assert dependent_eligibility(rule, spouse(9), date(2027, 1, 1)) == Eligibility(eligible=True)


def test_a_husband_is_covered_by_his_wife_only_where_the_rule_allows() -> None:
    husband = spouse(1, sex=Sex.MALE, member_sex=Sex.FEMALE)
    allowing = DependentsRule(child_age_limit=21, husband_covered=True)
    assert dependent_eligibility(RULE, husband, date(2027, 1, 1)) == Eligibility(
        eligible=False, reason=IneligibilityReason.HUSBAND_NOT_COVERED
    )
    assert dependent_eligibility(allowing, husband, date(2027, 1, 1)) == Eligibility(eligible=True)


def test_other_dependants_only_where_admitted() -> None:
    mother = DependentFacts(
        relationship=Relationship.OTHER, sex=Sex.FEMALE, member_sex=Sex.MALE, birth_date=date(1950, 1, 1)
    )
    admitting = DependentsRule(child_age_limit=21, others_admitted=True)
    assert dependent_eligibility(RULE, mother, date(2027, 1, 1)) == Eligibility(
        eligible=False, reason=IneligibilityReason.OTHER_NOT_ADMITTED
    )
    assert dependent_eligibility(admitting, mother, date(2027, 1, 1)) == Eligibility(eligible=True)
