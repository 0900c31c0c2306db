"""Checks of a rule document before it is saved: each refusal is a typed
error naming the input field at fault (``input.benefits.2.coverageRate``)."""

from __future__ import annotations

from collections.abc import Iterable

from schemes.rules import errors
from schemes.rules.model import (
    WHOLE,
    BenefitLine,
    ContributionBasis,
    ContributionRule,
    DependentsRule,
    Payer,
    RightsRule,
    RuleDocument,
)

Path = tuple[str, ...]

MAX_AGE = 99


def validate_document(document: RuleDocument, at: Path = ("input",)) -> None:
    """Refuse a document whose rules contradict themselves: rates within
    0–100 %, amounts and ceilings positive, a floor at most its ceiling,
    payers' shares summing to the whole, one benefit line per care category
    and facility level, a flat basis with an amount and a rate basis with a
    rate, age limits that make sense."""
    _contribution(document.contribution, (*at, "contribution"))
    _rights(document.rights, (*at, "rights"))
    _benefits(document.benefits, (*at, "benefits"))
    _dependents(document.dependents, (*at, "dependents"))


def _rate(value: int | None, path: Path) -> None:
    if value is not None and not 0 <= value <= WHOLE:
        raise errors.RateOutOfRange(path=path, rate=value)


def _positive(value: int | None, path: Path) -> None:
    if value is not None and value <= 0:
        raise errors.AmountNotPositive(path=path, amount=value)


def _not_negative(value: int, path: Path) -> None:
    if value < 0:
        raise errors.NegativeNumber(path=path, value=value)


def _contribution(rule: ContributionRule, at: Path) -> None:
    if rule.basis.is_flat:
        if rule.amount is None:
            raise errors.AmountRequired(path=(*at, "amount"), basis=rule.basis.value)
        for name, value in (
            ("rate", rule.rate),
            ("incomeFloor", rule.income_floor),
            ("incomeCeiling", rule.income_ceiling),
        ):
            if value is not None:
                raise errors.NotApplicable(path=(*at, name), basis=rule.basis.value)
    else:
        if rule.rate is None:
            raise errors.RateRequired(path=(*at, "rate"), basis=rule.basis.value)
        if rule.amount is not None:
            raise errors.NotApplicable(path=(*at, "amount"), basis=rule.basis.value)
    _positive(rule.amount, (*at, "amount"))
    _rate(rule.rate, (*at, "rate"))
    _positive(rule.income_floor, (*at, "incomeFloor"))
    _positive(rule.income_ceiling, (*at, "incomeCeiling"))
    if rule.income_floor is not None and rule.income_ceiling is not None and rule.income_floor > rule.income_ceiling:
        raise errors.FloorAboveCeiling(path=(*at, "incomeFloor"), floor=rule.income_floor, ceiling=rule.income_ceiling)
    _not_negative(rule.registration_fee, (*at, "registrationFee"))
    _shares(rule, (*at, "shares"))


def _shares(rule: ContributionRule, at: Path) -> None:
    seen = set()
    for index, share in enumerate(rule.shares):
        if share.payer in seen:
            raise errors.DuplicatePayer(path=(*at, str(index), "payer"), payer=share.payer.value)
        seen.add(share.payer)
        if share.payer is Payer.STATE and rule.basis is ContributionBasis.SALARY_RATE:
            raise errors.StateShareOfSalary(path=(*at, str(index), "payer"))
        if share.payer is Payer.EMPLOYER and rule.basis is not ContributionBasis.SALARY_RATE:
            raise errors.EmployerShareWithoutSalary(path=(*at, str(index), "payer"))
        if not 0 < share.share <= WHOLE:
            raise errors.RateOutOfRange(path=(*at, str(index), "share"), rate=share.share)
    total = sum(share.share for share in rule.shares)
    if total != WHOLE:
        raise errors.SharesNotWhole(path=at, total=total)


def _rights(rule: RightsRule, at: Path) -> None:
    seen = set()
    for index, waiting in enumerate(rule.waiting_periods):
        if waiting.care_category in seen:
            raise errors.DuplicateWaitingPeriod(
                path=(*at, "waitingPeriods", str(index), "careCategory"), care_category=waiting.care_category.value
            )
        seen.add(waiting.care_category)
        _not_negative(waiting.days, (*at, "waitingPeriods", str(index), "days"))
    _not_negative(rule.grace_days, (*at, "graceDays"))
    if rule.unpaid_periods_before_suspension < 1:
        raise errors.AmountNotPositive(
            path=(*at, "unpaidPeriodsBeforeSuspension"), amount=rule.unpaid_periods_before_suspension
        )


def _benefits(lines: Iterable[BenefitLine], at: Path) -> None:
    seen = set()
    for index, line in enumerate(lines):
        here = (*at, str(index))
        key = (line.care_category, line.facility_level)
        if key in seen:
            raise errors.DuplicateBenefitLine(
                path=(*here, "careCategory"),
                care_category=line.care_category.value,
                facility_level=line.facility_level.value,
            )
        seen.add(key)
        if (line.coverage_rate is None) == (line.fixed_amount is None):
            raise errors.CoverageRequired(path=(*here, "coverageRate"))
        _rate(line.coverage_rate, (*here, "coverageRate"))
        _positive(line.fixed_amount, (*here, "fixedAmount"))
        _positive(line.ceiling_per_event, (*here, "ceilingPerEvent"))
        _positive(line.ceiling_per_beneficiary_year, (*here, "ceilingPerBeneficiaryYear"))
        _positive(line.ceiling_per_household_year, (*here, "ceilingPerHouseholdYear"))
        _positive(line.max_count_per_year, (*here, "maxCountPerYear"))


def _dependents(rule: DependentsRule, at: Path) -> None:
    if not 0 < rule.child_age_limit <= MAX_AGE:
        raise errors.InvalidAgeLimit(path=(*at, "childAgeLimit"), age=rule.child_age_limit, maximum=MAX_AGE)
    student = rule.student_age_limit
    if student is not None and not rule.child_age_limit <= student <= MAX_AGE:
        raise errors.InvalidStudentAgeLimit(path=(*at, "studentAgeLimit"), age=student, child=rule.child_age_limit)
    if rule.spouses_allowed is not None and rule.spouses_allowed < 0:
        raise errors.NegativeNumber(path=(*at, "spousesAllowed"), value=rule.spouses_allowed)
