"""The rules of a scheme version as values: contribution, rights, benefit
package and dependants. No I/O: the service stores a :class:`RuleDocument`
as one JSON document and parses it back with :func:`document_from_json`.

Money is an integer in the tenant currency's minor unit (XOF and XAF have
none); rates and shares are basis points (10,000 = 100 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

WHOLE = 10_000
"""100 % in basis points: payers' shares sum to it, rates are at most it."""


class Branch(StrEnum):
    """The branch of social protection a scheme belongs to."""

    HEALTH = "health"
    """Health insurance (assurance maladie, AMO)."""
    MATERNITY = "maternity"
    OLD_AGE = "old_age"
    WORK_INJURY = "work_injury"
    """Work injury and occupational disease (accidents du travail, maladies professionnelles)."""
    FAMILY = "family"
    """Family benefits (prestations familiales)."""
    DEATH = "death"
    """Death and funeral (décès, obsèques)."""


class MemberCategory(StrEnum):
    """The population a member belongs to; a scheme admits some of them."""

    ARTISAN = "artisan"
    PRECARIOUS_WORKER = "precarious_worker"
    """Precarious or non-permanent worker (travailleur précaire, non permanent)."""
    MIGRANT = "migrant"
    SALARIED = "salaried"
    """Salaried employee of an employer (an IPM's members)."""
    SELF_EMPLOYED = "self_employed"
    DEPENDENT = "dependent"
    """Enrolled as someone's dependant (ayant droit)."""


class Sex(StrEnum):
    """Sex as recorded on civil documents."""

    FEMALE = "female"
    MALE = "male"


class Relationship(StrEnum):
    """A beneficiary's relationship to the principal member."""

    SPOUSE = "spouse"
    CHILD = "child"
    OTHER = "other"
    """Another dependant (a parent, a ward), where the scheme admits them."""


class Period(StrEnum):
    """How often a contribution is due."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


class Payer(StrEnum):
    """Who pays a share of a contribution."""

    MEMBER = "member"
    EMPLOYER = "employer"
    STATE = "state"
    """A State subsidy (e.g. the CMU agency's half of a mutual's contribution)."""


class CareCategory(StrEnum):
    """A kind of care a benefit line covers."""

    CONSULTATION = "consultation"
    HOSPITALISATION = "hospitalisation"
    DRUGS = "drugs"
    MATERNITY = "maternity"
    SURGERY = "surgery"
    LABORATORY = "laboratory"
    IMAGING = "imaging"
    DENTAL = "dental"
    OPTICAL = "optical"
    TRANSPORT = "transport"


class FacilityLevel(StrEnum):
    """Where care is given: a public facility or a private one."""

    PUBLIC = "public"
    PRIVATE = "private"


class SubsidyGroup(StrEnum):
    """Households fully subsidised whatever their category."""

    CASH_TRANSFER = "cash_transfer"
    """Beneficiaries of a cash transfer programme (Bourses de sécurité familiale)."""
    INDIGENT = "indigent"
    """Households recognised as indigent by the social services."""


class ContributionBasis(StrEnum):
    """What a contribution is computed on."""

    PER_MEMBER = "per_member"
    """A flat amount per principal member."""
    PER_BENEFICIARY = "per_beneficiary"
    """A flat amount per covered person, the member and each dependant."""
    PER_HOUSEHOLD = "per_household"
    """A flat amount per household, whatever its size."""
    INCOME_RATE = "income_rate"
    """A rate of the member's declared income."""
    SALARY_RATE = "salary_rate"
    """A rate of the employee's salary."""

    @property
    def is_flat(self) -> bool:
        """Whether the basis takes an amount rather than a rate."""
        return self in (
            ContributionBasis.PER_MEMBER,
            ContributionBasis.PER_BENEFICIARY,
            ContributionBasis.PER_HOUSEHOLD,
        )


@dataclass(frozen=True)
class PayerShare:
    """The part of a contribution one payer pays, in basis points of the whole."""

    payer: Payer
    share: int


@dataclass(frozen=True)
class ContributionRule:
    """How much is due each period and who pays it.

    A flat basis has an ``amount`` per period (minor units); a rate basis has
    a ``rate`` (basis points) of the income or salary, taken between
    ``income_floor`` and ``income_ceiling`` when they are set.
    """

    basis: ContributionBasis
    period: Period
    shares: tuple[PayerShare, ...]
    amount: int | None = None
    rate: int | None = None
    income_floor: int | None = None
    income_ceiling: int | None = None
    registration_fee: int = 0
    """Paid once, at the first enrolment (droit d'adhésion), by the member."""
    first_period_pro_rata: bool = False
    """Whether a member who joins during a period owes for the days left of
    it only; otherwise the first period is due whole."""
    subsidised_categories: tuple[MemberCategory, ...] = ()
    """Categories whose contribution the State pays whole."""
    subsidy_groups: tuple[SubsidyGroup, ...] = ()
    """Households the State pays for whole, whatever their category."""


@dataclass(frozen=True)
class WaitingPeriod:
    """Days after the opening of rights before a care category is covered (stage)."""

    care_category: CareCategory
    days: int


@dataclass(frozen=True)
class RightsRule:
    """When rights open and when unpaid contributions suspend them."""

    waiting_periods: tuple[WaitingPeriod, ...] = ()
    grace_days: int = 0
    """Days after a period's due date during which rights stay open unpaid."""
    unpaid_periods_before_suspension: int = 1
    """Unpaid periods after which rights are suspended."""


@dataclass(frozen=True)
class BenefitLine:
    """What the scheme pays for one care category at one facility level.

    Either ``coverage_rate`` (basis points of the price) or ``fixed_amount``
    (minor units per event); ceilings are minor units, None meaning none.
    """

    care_category: CareCategory
    facility_level: FacilityLevel
    coverage_rate: int | None = None
    fixed_amount: int | None = None
    ceiling_per_event: int | None = None
    ceiling_per_beneficiary_year: int | None = None
    ceiling_per_household_year: int | None = None
    max_count_per_year: int | None = None
    prior_authorisation: bool = False


@dataclass(frozen=True)
class DependentsRule:
    """Who of a member's household is covered.

    Ages are limits: a child is covered until the birthday of
    ``child_age_limit`` (and until that of ``student_age_limit`` while
    studying). ``spouses_allowed`` None means no limit; several spouses are
    common where polygamous marriage is legal.
    """

    child_age_limit: int
    student_age_limit: int | None = None
    spouses_allowed: int | None = 1
    husband_covered: bool = False
    """Whether a woman member may cover her husband."""
    others_admitted: bool = False


@dataclass(frozen=True)
class RuleDocument:
    """The whole rules of one scheme version."""

    contribution: ContributionRule
    rights: RightsRule
    benefits: tuple[BenefitLine, ...]
    dependents: DependentsRule


def document_to_json(document: RuleDocument) -> dict[str, Any]:
    """The document as JSON values (enums as their values), the stored form."""
    c, r, d = document.contribution, document.rights, document.dependents
    return {
        "contribution": {
            "basis": c.basis.value,
            "period": c.period.value,
            "shares": [{"payer": s.payer.value, "share": s.share} for s in c.shares],
            "amount": c.amount,
            "rate": c.rate,
            "income_floor": c.income_floor,
            "income_ceiling": c.income_ceiling,
            "registration_fee": c.registration_fee,
            "first_period_pro_rata": c.first_period_pro_rata,
            "subsidised_categories": [category.value for category in c.subsidised_categories],
            "subsidy_groups": [group.value for group in c.subsidy_groups],
        },
        "rights": {
            "waiting_periods": [{"care_category": w.care_category.value, "days": w.days} for w in r.waiting_periods],
            "grace_days": r.grace_days,
            "unpaid_periods_before_suspension": r.unpaid_periods_before_suspension,
        },
        "benefits": [
            {
                "care_category": line.care_category.value,
                "facility_level": line.facility_level.value,
                "coverage_rate": line.coverage_rate,
                "fixed_amount": line.fixed_amount,
                "ceiling_per_event": line.ceiling_per_event,
                "ceiling_per_beneficiary_year": line.ceiling_per_beneficiary_year,
                "ceiling_per_household_year": line.ceiling_per_household_year,
                "max_count_per_year": line.max_count_per_year,
                "prior_authorisation": line.prior_authorisation,
            }
            for line in document.benefits
        ],
        "dependents": {
            "child_age_limit": d.child_age_limit,
            "student_age_limit": d.student_age_limit,
            "spouses_allowed": d.spouses_allowed,
            "husband_covered": d.husband_covered,
            "others_admitted": d.others_admitted,
        },
    }


def document_from_json(data: dict[str, Any]) -> RuleDocument:
    """Parse a stored document (written by :func:`document_to_json`)."""
    c, r, d = data["contribution"], data["rights"], data["dependents"]
    return RuleDocument(
        contribution=ContributionRule(
            basis=ContributionBasis(c["basis"]),
            period=Period(c["period"]),
            shares=tuple(PayerShare(payer=Payer(s["payer"]), share=s["share"]) for s in c["shares"]),
            amount=c["amount"],
            rate=c["rate"],
            income_floor=c["income_floor"],
            income_ceiling=c["income_ceiling"],
            registration_fee=c["registration_fee"],
            first_period_pro_rata=c.get("first_period_pro_rata", False),
            subsidised_categories=tuple(MemberCategory(v) for v in c["subsidised_categories"]),
            subsidy_groups=tuple(SubsidyGroup(v) for v in c["subsidy_groups"]),
        ),
        rights=RightsRule(
            waiting_periods=tuple(
                WaitingPeriod(care_category=CareCategory(w["care_category"]), days=w["days"])
                for w in r["waiting_periods"]
            ),
            grace_days=r["grace_days"],
            unpaid_periods_before_suspension=r["unpaid_periods_before_suspension"],
        ),
        benefits=tuple(
            BenefitLine(
                care_category=CareCategory(line["care_category"]),
                facility_level=FacilityLevel(line["facility_level"]),
                coverage_rate=line["coverage_rate"],
                fixed_amount=line["fixed_amount"],
                ceiling_per_event=line["ceiling_per_event"],
                ceiling_per_beneficiary_year=line["ceiling_per_beneficiary_year"],
                ceiling_per_household_year=line["ceiling_per_household_year"],
                max_count_per_year=line["max_count_per_year"],
                prior_authorisation=line["prior_authorisation"],
            )
            for line in data["benefits"]
        ),
        dependents=DependentsRule(
            child_age_limit=d["child_age_limit"],
            student_age_limit=d["student_age_limit"],
            spouses_allowed=d["spouses_allowed"],
            husband_covered=d["husband_covered"],
            others_admitted=d["others_admitted"],
        ),
    )
