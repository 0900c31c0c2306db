"""GraphQL inputs of members and households: the register's filter and
what enrolments and changes carry."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import strawberry
from strawberry import relay

from schemes.members import batch, enrolment
from schemes.members import identity as ids
from schemes.members import search as member_search
from schemes.members.tables import (
    CheckDigit,
    ContractKind,
    DocumentKind,
    MemberStatus,
    TerminationReason,
)
from schemes.rules.model import MemberCategory, Relationship, Sex, SubsidyGroup
from tenants.graphql import decode_id

DEFAULT_COUNTRY = "ISO 3166-1 alpha-2 (default: the tenant's country)."


@strawberry.input(description="Narrows the members listed; every field is optional.")
class MemberFilter:
    status: MemberStatus | None = None
    category: MemberCategory | None = None
    scheme: relay.GlobalID | None = None
    region: str | None = strawberry.field(default=None, description="ISO 3166-2 code of the region (SN-DK).")
    sex: Sex | None = None
    age_from: int | None = strawberry.field(default=None, description="Youngest age in full years on `ageOn`.")
    age_to: int | None = strawberry.field(default=None, description="Oldest age in full years on `ageOn`.")
    age_on: date | None = strawberry.field(default=None, description="The day ages are counted on (default today).")
    enrolled_from: date | None = None
    enrolled_to: date | None = strawberry.field(default=None, description="Last enrolment date included.")
    employer: relay.GlobalID | None = strawberry.field(
        default=None, description="Members working for this employer today: an employment not ended (type `Employer`)."
    )
    search: str | None = strawberry.field(
        default=None,
        description="A name fragment (every word, in any order; accents and case ignored), a membership number, "
        "a phone number or an identity document's number.",
    )

    def to_filter(self) -> member_search.MemberFilter:
        """The service's filter."""
        values = {name: getattr(self, name) for name in vars(self) if name not in ("scheme", "employer")}
        return member_search.MemberFilter(
            **values, scheme_id=_matched_id(self.scheme, "Scheme"), employer_id=_matched_id(self.employer, "Employer")
        )


def _matched_id(value: relay.GlobalID | None, type_name: str) -> UUID | None:
    """The UUID a filter's id names; an id of another type matches nothing, as a record with no member would."""
    if value is None:
        return None
    return decode_id(value, type_name) or UUID(int=0)


@strawberry.input(
    description="Names, sex and birth of a person: give `birthDate`, or `birthYear` when only it is known."
)
class PersonInput:
    first_names: str
    last_name: str
    sex: Sex
    birth_date: date | None = None
    birth_year: int | None = None
    nationality: str | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2 (default: the tenant's country)."
    )

    def to_person(self) -> ids.Person:
        return ids.Person(**vars(self))


@strawberry.input(description="An identity document.")
class IdentityDocumentInput:
    kind: DocumentKind
    number: str
    issuing_country: str | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2 (default: the tenant's country)."
    )
    expires_on: date | None = None

    def to_document(self) -> ids.Document:
        return ids.Document(
            kind=self.kind, number=self.number, issuing_country=self.issuing_country or "", expires_on=self.expires_on
        )


@strawberry.input(description="Where a member lives.")
class AddressInput:
    country: str | None = strawberry.field(
        default=None, description="ISO 3166-1 alpha-2 (default: the tenant's country)."
    )
    region: str | None = strawberry.field(default=None, description="ISO 3166-2 code of the region (SN-DK).")
    department: str | None = strawberry.field(
        default=None,
        description="A department of the region, by its code (SN-DK-03) or its name (Pikine; accents and case "
        "aside); stored as its code. See `administrativeDivisions`.",
    )
    locality: str | None = None

    def to_address(self) -> enrolment.Address:
        return enrolment.Address(**vars(self))


@strawberry.input(description="An artisan's registration: all three are required for an artisan.")
class ArtisanInput:
    trade: str | None = None
    trades_register_number: str | None = None
    chamber_of_trades: str | None = None


@strawberry.input(description="A migrant's situation: countries and status are required for a migrant.")
class MigrantInput:
    origin_country: str | None = None
    residence_country: str | None = None
    status: str | None = None
    consular_registration: str | None = None


@strawberry.input(
    description="Work for an employer: a salaried employee has one, permanent, with staff number and salary; "
    "a precarious worker up to 10, day, seasonal or temporary, each with its sector."
)
class EmploymentInput:
    employer: relay.GlobalID
    contract_kind: ContractKind
    staff_number: str | None = None
    salary: int | None = strawberry.field(
        default=None, description="Monthly gross salary in the currency's minor unit."
    )
    sector: str | None = None
    started_on: date | None = None

    def to_job(self) -> enrolment.Job:
        return enrolment.Job(
            employer_id=decode_id(self.employer, "Employer") or UUID(int=0),
            contract_kind=self.contract_kind,
            staff_number=self.staff_number,
            salary=self.salary,
            sector=self.sector,
            started_on=self.started_on,
        )


@strawberry.input(description="A dependant of the member.")
class BeneficiaryInput:
    relationship: Relationship
    person: PersonInput
    studying: bool = False
    documents: list[IdentityDocumentInput] = strawberry.field(default_factory=list, description="At most 5.")
    added_on: date | None = strawberry.field(default=None, description="Default: today.")

    def to_beneficiary(self) -> enrolment.NewBeneficiary:
        return enrolment.NewBeneficiary(
            relationship=self.relationship,
            person=self.person.to_person(),
            studying=self.studying,
            documents=tuple(document.to_document() for document in self.documents),
            added_on=self.added_on,
        )


@strawberry.input(description="Enrol a member with their household in one call.")
class MemberEnrolInput:
    scheme: relay.GlobalID
    category: MemberCategory = strawberry.field(description="The scheme must admit it.")
    person: PersonInput
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="The client's key for this enrolment (at most 100 characters): sent again, the answer is the "
        "member already enrolled with it.",
    )
    phone: str | None = strawberry.field(default=None, description="E.164, or national with the tenant's country.")
    address: AddressInput | None = None
    documents: list[IdentityDocumentInput] = strawberry.field(default_factory=list, description="At most 5.")
    beneficiaries: list[BeneficiaryInput] = strawberry.field(default_factory=list, description="At most 30.")
    artisan: ArtisanInput | None = None
    migrant: MigrantInput | None = None
    employments: list[EmploymentInput] = strawberry.field(default_factory=list)
    enrolled_on: date | None = strawberry.field(default=None, description="Default: today.")
    subsidy_group: SubsidyGroup | None = None

    def to_enrolment(self) -> enrolment.Enrolment:
        return enrolment.Enrolment(
            scheme_id=decode_id(self.scheme, "Scheme"),
            category=self.category,
            person=self.person.to_person(),
            phone=self.phone,
            address=self.address.to_address() if self.address else enrolment.Address(),
            documents=tuple(document.to_document() for document in self.documents),
            beneficiaries=tuple(beneficiary.to_beneficiary() for beneficiary in self.beneficiaries),
            artisan=enrolment.ArtisanDetails(**vars(self.artisan)) if self.artisan else None,
            migrant=enrolment.MigrantDetails(**vars(self.migrant)) if self.migrant else None,
            jobs=tuple(employment.to_job() for employment in self.employments),
            enrolled_on=self.enrolled_on,
            subsidy_group=self.subsidy_group,
            idempotency_key=self.idempotency_key,
        )


@strawberry.input(description="Enrolments made offline, synced at once.")
class MemberEnrolBatchInput:
    enrolments: list[MemberEnrolInput] = strawberry.field(
        description=f"At most {batch.MAX_BATCH}, each with its own `idempotencyKey` (required here), made by the "
        "client once per enrolment and kept with it until the batch is answered."
    )


@strawberry.input(
    description="Correct a member's identity, phone or address, or add documents; what is left out stays."
)
class MemberUpdateInput:
    id: relay.GlobalID
    person: PersonInput | None = None
    phone: str | None = None
    address: AddressInput | None = None
    documents: list[IdentityDocumentInput] | None = strawberry.field(default=None, description="Documents to add.")


@strawberry.input(description="Move a member along the lifecycle.")
class MemberStatusChangeInput:
    id: relay.GlobalID
    status: MemberStatus
    effective_on: date | None = strawberry.field(default=None, description="Default: today; not in the future.")
    reason: TerminationReason | None = strawberry.field(default=None, description="Required to terminate, only then.")
    note: str | None = None


@strawberry.input(description="Open or close a member's access online.")
class MemberAccessInput:
    member: relay.GlobalID = strawberry.field(description="The member (type `Member`).")


@strawberry.input(description="Add a dependant to a member's household.")
class BeneficiaryAddInput:
    member: relay.GlobalID
    beneficiary: BeneficiaryInput


@strawberry.input(description="Take a dependant out of the household.")
class BeneficiaryRemoveInput:
    id: relay.GlobalID
    removed_on: date | None = strawberry.field(default=None, description="The first day out (default today).")
    reason: str | None = None


@strawberry.input(description="How the tenant's membership numbers are written; only before the first is issued.")
class MembershipNumberingInput:
    prefix: str = strawberry.field(description="Up to 12 capital letters, digits or hyphens; may be empty.")
    width: int = strawberry.field(description="Digits of the zero-padded sequence, 1 to 12.")
    check_digit: CheckDigit
