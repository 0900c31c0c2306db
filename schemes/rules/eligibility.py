"""Whether a member's dependant is covered on a date, under a scheme
version's dependants' rule. Pure: the caller gathers the facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from schemes.rules.model import DependentsRule, Relationship, Sex


class IneligibilityReason(StrEnum):
    """Why a dependant is not covered."""

    NOT_BORN = "not_born"
    """The date is before the dependant's birth."""
    AGE_LIMIT = "age_limit"
    """A child past the age limit (or the students' limit while studying)."""
    SPOUSE_LIMIT = "spouse_limit"
    """A spouse beyond the number of spouses the scheme covers."""
    HUSBAND_NOT_COVERED = "husband_not_covered"
    """A woman member's husband, where the scheme does not cover husbands."""
    OTHER_NOT_ADMITTED = "other_not_admitted"
    """A dependant other than a spouse or child, where the scheme admits none."""


@dataclass(frozen=True)
class DependentFacts:
    """What eligibility depends on, for one dependant.

    A birth date known by its year only is stored as 1 January of that year
    with ``birth_date_approximate``. ``spouse_rank`` is the spouse's number
    among the household's spouses (1 for the first), for spouses only.
    """

    relationship: Relationship
    sex: Sex
    member_sex: Sex
    birth_date: date
    birth_date_approximate: bool = False
    studying: bool = False
    spouse_rank: int | None = None


@dataclass(frozen=True)
class Eligibility:
    """The answer: covered or not, why not, and when cover ends.

    ``ends_on`` is the first day without cover when it is known (a child's
    birthday of the age limit), None when nothing in the rule ends it.
    """

    eligible: bool
    reason: IneligibilityReason | None = None
    ends_on: date | None = None


def dependent_eligibility(rule: DependentsRule, dependent: DependentFacts, on: date) -> Eligibility:
    """Whether ``dependent`` is covered on ``on`` under ``rule``.

    A child ages out on the birthday of the age limit (older while studying
    when the rule has a students' limit). Spouses are covered up to the
    number the rule allows, in the order of their rank; a husband only where
    the rule covers husbands; other dependants only where it admits them.
    """
    if on < dependent.birth_date:
        return Eligibility(eligible=False, reason=IneligibilityReason.NOT_BORN)
    if dependent.relationship is Relationship.CHILD:
        return _child(rule, dependent, on)
    if dependent.relationship is Relationship.SPOUSE:
        return _spouse(rule, dependent)
    if not rule.others_admitted:
        return Eligibility(eligible=False, reason=IneligibilityReason.OTHER_NOT_ADMITTED)
    return Eligibility(eligible=True)


def _child(rule: DependentsRule, dependent: DependentFacts, on: date) -> Eligibility:
    limit = rule.child_age_limit
    if dependent.studying and rule.student_age_limit is not None:
        limit = max(limit, rule.student_age_limit)
    ends_on = age_out_date(dependent.birth_date, limit, approximate=dependent.birth_date_approximate)
    if on >= ends_on:
        return Eligibility(eligible=False, reason=IneligibilityReason.AGE_LIMIT, ends_on=ends_on)
    return Eligibility(eligible=True, ends_on=ends_on)


def _spouse(rule: DependentsRule, dependent: DependentFacts) -> Eligibility:
    if dependent.sex is Sex.MALE and dependent.member_sex is Sex.FEMALE and not rule.husband_covered:
        return Eligibility(eligible=False, reason=IneligibilityReason.HUSBAND_NOT_COVERED)
    rank = dependent.spouse_rank or 1
    if rule.spouses_allowed is not None and rank > rule.spouses_allowed:
        return Eligibility(eligible=False, reason=IneligibilityReason.SPOUSE_LIMIT)
    return Eligibility(eligible=True)


def age_out_date(birth_date: date, age: int, *, approximate: bool = False) -> date:
    """The first day on which someone born on ``birth_date`` is ``age`` or
    older: their birthday that year.

    A birth on 29 February reaches its age on 1 March of a common year: the
    day before, the person has not yet lived that many full years. A birth
    date known by its year only gives the benefit of the doubt: the real
    birthday may fall on any day of that year, so cover runs to the end of
    the year and stops on 1 January of the next, rather than refusing a
    child who may still be under the limit.
    """
    year = birth_date.year + age
    if approximate:
        return date(year + 1, 1, 1)
    try:
        return birth_date.replace(year=year)
    except ValueError:
        return date(year, 3, 1)
