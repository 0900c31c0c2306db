"""What each payer owes for one period under a contribution rule. Pure:
the caller gathers the facts (who is covered, the salary declared).

Amounts are integers in the currency's minor unit. A share that does not
divide evenly is rounded down, and what the rounding leaves goes to the
first payer of the rule, so the shares always sum to the whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from schemes.contributions.periods import ContributionPeriod
from schemes.rules.model import WHOLE, ContributionBasis, ContributionRule, MemberCategory, Payer, SubsidyGroup


@dataclass(frozen=True)
class Due:
    """What one payer owes."""

    payer: Payer
    amount: int


@dataclass(frozen=True)
class Household:
    """What a flat contribution depends on, for one member and period.

    ``persons`` counts the member and the dependants covered on the
    period's first day (or on the member's first day, for their first period).
    """

    category: MemberCategory
    subsidy_group: SubsidyGroup | None
    persons: int


def _rounded(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half up, for non-negative integers."""
    return (2 * numerator + denominator) // (2 * denominator)


def flat_amount(rule: ContributionRule, household: Household) -> int:
    """The whole contribution of a flat basis for one period."""
    amount = rule.amount or 0
    if rule.basis is ContributionBasis.PER_BENEFICIARY:
        return amount * household.persons
    return amount


def counted_base(rule: ContributionRule, base: int) -> int:
    """The part of ``base`` (an income or a salary) a rate applies to: at
    least the rule's floor, at most its ceiling."""
    if rule.income_floor is not None:
        base = max(base, rule.income_floor)
    if rule.income_ceiling is not None:
        base = min(base, rule.income_ceiling)
    return base


def rate_amount(rule: ContributionRule, base: int) -> int:
    """The whole contribution of a rate basis on ``base`` (an income or a
    salary), counted between the rule's floor and ceiling."""
    return _rounded(counted_base(rule, base) * (rule.rate or 0), WHOLE)


def pro_rata(amount: int, period: ContributionPeriod, first_day: date) -> int:
    """``amount`` for the days of ``period`` from ``first_day`` on, rounded
    half up: what a member joining during the period owes when the rule says
    so."""
    if first_day <= period.start:
        return amount
    return _rounded(amount * ((period.end - first_day).days + 1), period.days)


def is_subsidised(rule: ContributionRule, household: Household) -> bool:
    """Whether the State pays the member's whole contribution (a subsidised
    category, or a household of a subsidised group)."""
    return household.category in rule.subsidised_categories or (
        household.subsidy_group is not None and household.subsidy_group in rule.subsidy_groups
    )


def split(rule: ContributionRule, total: int, *, subsidised: bool = False) -> list[Due]:
    """``total`` shared between the rule's payers, in the rule's order; the
    State alone for a subsidised member. Payers owing nothing are left out."""
    if subsidised:
        return [Due(Payer.STATE, total)] if total else []
    parts = [Due(share.payer, total * share.share // WHOLE) for share in rule.shares]
    if parts:
        parts[0] = Due(parts[0].payer, parts[0].amount + total - sum(part.amount for part in parts))
    return [part for part in parts if part.amount]


def member_dues(rule: ContributionRule, household: Household, period: ContributionPeriod, first_day: date) -> list[Due]:
    """What each payer owes for a member's ``period`` under a flat rule,
    ``first_day`` being the first day the member is enrolled in it."""
    total = flat_amount(rule, household)
    if rule.first_period_pro_rata:
        total = pro_rata(total, period, first_day)
    return split(rule, total, subsidised=is_subsidised(rule, household))
